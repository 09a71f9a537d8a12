// Request and response headers in the forms undici hands them (an object or
// a flat name/value array; legacy raw header buffers), read without copying
// where a call only needs to know a name is there, and trace headers added.
import type { Context, Span, TextMapSetter } from '@opentelemetry/api';
import type { HeaderBag } from '../../awsProtocol.js';
import type { UndiciDispatchOptions } from '../../seam.js';
import { injectTraceHeaders } from '../traceHeaders.js';

/** Request headers as a lower-case bag, from undici's object or flat-array forms. */
export function undiciHeaders(headers: UndiciDispatchOptions['headers']): HeaderBag {
  if (headers === null || headers === undefined) return {};
  const out: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) out[k.toLowerCase()] = v;
  }
  return out;
}

/** Bits of undiciHeaderFlags. */
export const HAS_AUTHORIZATION = 1;
export const HAS_TRACE_HEADER = 2;

function headerFlag(name: string): number {
  // Only names of the right length are lower-cased: most headers are none of the three.
  const n = name.length;
  if (n !== 13 && n !== 11 && n !== 10) return 0;
  const lower = name.toLowerCase();
  if (lower === 'authorization') return HAS_AUTHORIZATION;
  return lower === 'traceparent' || lower === 'tracestate' ? HAS_TRACE_HEADER : 0;
}

/**
 * Which of `authorization` and the trace headers (`traceparent`, `tracestate`)
 * undici's request headers name, in one pass: every traced call asks both.
 */
export function undiciHeaderFlags(headers: UndiciDispatchOptions['headers']): number {
  if (headers === null || headers === undefined) return 0;
  let flags = 0;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) flags |= headerFlag(String(headers[i]));
    return flags;
  }
  for (const k in headers) if (headers[k] !== undefined) flags |= headerFlag(k);
  return flags;
}

/** Response headers from the legacy `rawHeaders` (alternating name/value buffers). */
export function rawHeadersToBag(raw: readonly (Buffer | string)[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i]!.toString().toLowerCase()] = raw[i + 1]!.toString();
  return out;
}

/** A made request's headers (a flat array in undici 6 and 7, a string before). */
export function madeRequestHeaders(headers: unknown): HeaderBag {
  if (Array.isArray(headers)) return undiciHeaders(headers as string[]);
  if (typeof headers !== 'string') return {};
  return rawHeadersToBag(
    headers.split('\r\n').flatMap((l) => {
      const i = l.indexOf(':');
      return i === -1 ? [] : [l.slice(0, i), l.slice(i + 1).trim()];
    }),
  );
}

/** The request body as text, when it is one string or buffer (a query-protocol AWS call names its operation there). */
export function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('latin1');
  return undefined;
}

const objectSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
const arraySetter: TextMapSetter<unknown[]> = {
  set(carrier, key, value) {
    carrier.push(key, value);
  },
};

/** Adds headers to a made request through its addHeader. */
export const headerSetter: TextMapSetter<{ addHeader(k: string, v: string): unknown }> = {
  set(req, key, value) {
    req.addHeader(key, value);
  },
};

/** A copy of the request headers with `traceparent` (and tracestate, baggage) added, in the form undici gave them. */
export function withTraceHeaders(headers: UndiciDispatchOptions['headers'], ctx: Context, span: Span, direct: boolean): UndiciDispatchOptions['headers'] {
  if (Array.isArray(headers)) {
    const out: unknown[] = headers.slice();
    injectTraceHeaders(ctx, span, out, arraySetter, direct);
    return out as UndiciDispatchOptions['headers'];
  }
  const out: Record<string, string> = { ...((headers ?? {}) as Record<string, string>) };
  injectTraceHeaders(ctx, span, out, objectSetter, direct);
  return out;
}
