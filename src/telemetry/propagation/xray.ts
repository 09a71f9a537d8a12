// The AWS X-Ray trace header (`X-Amzn-Trace-Id`, `_X_AMZN_TRACE_ID`,
// SQS `AWSTraceHeader`) and its mapping onto W3C trace context.
//
//   Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
//
// An X-Ray trace id is `1-<8 hex epoch seconds>-<24 hex random>`; dropping the
// version and dashes gives the 32-hex W3C trace id, and the mapping is
// reversible, so a trace keeps one id whichever header carried it.
// Pure functions; called once per invocation (and once per batch record).
import { traceparentOf } from './traceparent.js';

export interface XRayHeader {
  /** 32 lower-case hex digits, W3C form. */
  readonly traceId: string;
  /** 16 lower-case hex digits; undefined when the header has no usable `Parent` (ALB sends only `Root`). */
  readonly parentSpanId: string | undefined;
  /** `Sampled=1` → true, `Sampled=0` → false, absent or `Sampled=?` (decision deferred) → undefined. */
  readonly sampled: boolean | undefined;
  /** The `Lineage` entry as sent (used by Lambda's recursion detection), when present. */
  readonly lineage?: string;
}

const XRAY_TRACE_ID = /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/;
const W3C_TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-fA-F]{16}$/;
const ALL_ZERO = /^0+$/;

/**
 * Parses an X-Ray trace header. Keys may come in any order and any case, with
 * spaces around `;` and `=`; unknown keys (`Self=` from ALB, vendor keys) are
 * ignored. Returns undefined when there is no valid `Root`.
 */
export function parseXRayHeader(value: string): XRayHeader | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) return undefined;
  let traceId: string | undefined;
  let parentSpanId: string | undefined;
  let sampled: boolean | undefined;
  let lineage: string | undefined;
  let start = 0;
  while (start <= value.length) {
    let end = value.indexOf(';', start);
    if (end === -1) end = value.length;
    const eq = value.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const key = value.slice(start, eq).trim().toLowerCase();
      const val = value.slice(eq + 1, end).trim();
      switch (key) {
        case 'root':
          traceId = fromXRayTraceId(val);
          break;
        case 'parent':
          parentSpanId = SPAN_ID.test(val) && !ALL_ZERO.test(val) ? val.toLowerCase() : undefined;
          break;
        case 'sampled':
          sampled = val === '1' ? true : val === '0' ? false : undefined;
          break;
        case 'lineage':
          lineage = val === '' ? undefined : val;
          break;
      }
    }
    start = end + 1;
  }
  if (traceId === undefined) return undefined;
  return lineage === undefined ? { traceId, parentSpanId, sampled } : { traceId, parentSpanId, sampled, lineage };
}

/** `0af7651916cd43dd8448eb211c80319c` → `1-0af76519-16cd43dd8448eb211c80319c`; undefined unless 32 hex digits (not all zero). */
export function toXRayTraceId(w3cTraceId: string): string | undefined {
  if (typeof w3cTraceId !== 'string') return undefined;
  const id = w3cTraceId.toLowerCase();
  if (!W3C_TRACE_ID.test(id) || ALL_ZERO.test(id)) return undefined;
  return `1-${id.slice(0, 8)}-${id.slice(8)}`;
}

/** `1-5759e988-bd862e3fe1be46a994272793` → `5759e988bd862e3fe1be46a994272793`; undefined unless that form (not all zero). */
export function fromXRayTraceId(xrayTraceId: string): string | undefined {
  if (typeof xrayTraceId !== 'string') return undefined;
  const m = XRAY_TRACE_ID.exec(xrayTraceId);
  if (m === null) return undefined;
  const id = (m[1]! + m[2]!).toLowerCase();
  return ALL_ZERO.test(id) ? undefined : id;
}

/**
 * The W3C `traceparent` for an X-Ray header: `00-<traceId>-<parent>-01` when
 * sampled, `-00` otherwise (`Sampled=?` included: nothing upstream decided to
 * record it). Undefined without a `Parent`: a traceparent must name one.
 */
export function xrayToTraceparent(header: string | XRayHeader | undefined): string | undefined {
  const parsed = typeof header === 'string' ? parseXRayHeader(header) : header;
  if (parsed === undefined || parsed.parentSpanId === undefined) return undefined;
  return traceparentOf(parsed.traceId, parsed.parentSpanId, parsed.sampled === true ? 1 : 0);
}

/**
 * The X-Ray header for a W3C span context, for calls that carry
 * `X-Amzn-Trace-Id` (AWS services that propagate it, such as SQS's
 * `AWSTraceHeader`). Undefined for ids that are not valid W3C ids.
 */
export function toXRayHeader(traceId: string, spanId: string, sampled: boolean): string | undefined {
  const root = toXRayTraceId(traceId);
  if (root === undefined || !SPAN_ID.test(spanId) || ALL_ZERO.test(spanId)) return undefined;
  return `Root=${root};Parent=${spanId.toLowerCase()};Sampled=${sampled ? '1' : '0'}`;
}
