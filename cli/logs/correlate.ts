// The pure core of `logs correlate`: which records an id points at, which
// invocations and traces those touch, and the two views of the result — a
// waterfall across functions and the merged lines in time order.
import type { FaultMark, ParsedRecord, PlatformRecord, SpanRecord, SpanStatusCode } from './records.js';
import { containsIdToken } from './idToken.js';
import { normaliseTraceId, traceIdSearchTerm } from './traceId.js';

/** What the user asked for: any id, and its trace-id reading when it is one. */
export interface CorrelationTarget {
  readonly id: string;
  readonly traceId: string | undefined;
}

export function correlationTarget(id: string): CorrelationTarget {
  return { id: id.trim(), traceId: normaliseTraceId(id) };
}

/** Raw-text terms that find every line that can match the target (verified afterwards by recordMatches). */
export function searchTerms(target: CorrelationTarget): string[] {
  return target.traceId === undefined ? [target.id] : [traceIdSearchTerm(target.traceId)];
}

// Fields of agent lines that are the line's own plumbing, not correlation ids.
const NOT_CORRELATION_FIELDS = new Set(['timestamp', 'level', 'message', 'function', 'service', 'spanId', 'coldStart']);

function fieldValueIs(fields: Readonly<Record<string, unknown>> | undefined, id: string, skip: ReadonlySet<string>): boolean {
  if (fields === undefined) return false;
  for (const key in fields) {
    if (skip.has(key)) continue;
    const v = fields[key];
    if (v === id || (typeof v === 'number' && String(v) === id)) return true;
  }
  return false;
}

/**
 * Does this record carry the id: as its trace id, its request id, the value
 * of one of its fields (span attributes included), or a whole token of a log
 * line's message text (idToken.ts)?
 */
export function recordMatches(rec: ParsedRecord, target: CorrelationTarget): boolean {
  if (target.traceId !== undefined && rec.traceId === target.traceId) return true;
  if (rec.requestId === target.id) return true;
  switch (rec.kind) {
    case 'log':
      // Functions log business ids in fields or inside the message (`order ord-7731 paid`): both count.
      return fieldValueIs(rec.fields, target.id, NOT_CORRELATION_FIELDS) || containsIdToken(rec.message, target.id);
    case 'span': {
      const attrs = rec.fields.attributes;
      return typeof attrs === 'object' && attrs !== null && fieldValueIs(attrs as Record<string, unknown>, target.id, new Set());
    }
    default:
      return false;
  }
}

// ---- the result -----------------------------------------------------------

export type LineType = 'log' | 'span' | 'platform';

/** One line of the merged timeline; `toJsonLine` gives its NDJSON form (docs/cli.md). */
export interface TimelineLine {
  readonly timestamp: number;
  readonly function: string;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly level: string;
  readonly message: string;
  readonly type: LineType;
  readonly record: ParsedRecord;
}

/** What is known of one invocation, from START/REPORT, the EMF document and its span. */
export interface InvocationSummary {
  readonly requestId: string;
  readonly function: string;
  readonly traceId: string | undefined;
  readonly startMs: number;
  readonly durationMs: number | undefined;
  readonly initDurationMs: number | undefined;
  readonly coldStart: boolean;
  readonly error: boolean;
  readonly faultsInjected: number;
}

export interface WaterfallRow {
  readonly depth: number;
  readonly kind: 'span' | 'invocation';
  readonly function: string;
  readonly label: string;
  readonly spanKind: string | undefined;
  /** Milliseconds after the first row started. */
  readonly offsetMs: number;
  readonly durationMs: number | undefined;
  readonly coldStart: boolean;
  readonly initDurationMs: number | undefined;
  readonly status: SpanStatusCode;
  readonly faults: readonly FaultMark[];
  readonly requestId: string | undefined;
}

export interface Correlation {
  readonly target: CorrelationTarget;
  readonly traceIds: readonly string[];
  readonly invocations: readonly InvocationSummary[];
  readonly waterfall: readonly WaterfallRow[];
  readonly lines: readonly TimelineLine[];
}

interface MutableInvocation {
  requestId: string;
  function: string;
  traceId: string | undefined;
  startMs: number;
  sawStart: boolean;
  durationMs: number | undefined;
  initDurationMs: number | undefined;
  coldStart: boolean;
  error: boolean;
  faultsInjected: number;
}

function summariseInvocations(records: readonly ParsedRecord[]): Map<string, MutableInvocation> {
  const byId = new Map<string, MutableInvocation>();
  for (const r of records) {
    if (r.requestId === undefined) continue;
    let inv = byId.get(r.requestId);
    if (!inv) {
      inv = {
        requestId: r.requestId,
        function: r.function,
        traceId: undefined,
        startMs: r.timestamp,
        sawStart: false,
        durationMs: undefined,
        initDurationMs: undefined,
        coldStart: false,
        error: false,
        faultsInjected: 0,
      };
      byId.set(r.requestId, inv);
    }
    inv.traceId ??= r.traceId;
    if (r.kind === 'platform' && r.event === 'start') {
      inv.startMs = r.timestamp;
      inv.sawStart = true;
    } else if (!inv.sawStart && r.timestamp < inv.startMs) {
      inv.startMs = r.timestamp;
    }
    if (r.kind === 'platform' && r.report) {
      inv.durationMs = r.report.durationMs ?? inv.durationMs;
      const init = r.report.initDurationMs ?? r.report.restoreDurationMs;
      if (init !== undefined) {
        inv.initDurationMs = init;
        inv.coldStart = true;
      }
      if (r.report.status !== undefined && r.report.status !== 'success') inv.error = true;
    } else if (r.kind === 'metric') {
      inv.durationMs ??= r.durationMs;
      inv.initDurationMs ??= r.initDurationMs;
      inv.coldStart ||= r.coldStart;
      inv.error ||= r.error;
      inv.faultsInjected = Math.max(inv.faultsInjected, r.faultsInjected);
    } else if (r.kind === 'span' && r.isInvocation) {
      inv.coldStart ||= r.coldStart;
      if (r.status.code === 'ERROR') inv.error = true;
    }
  }
  return byId;
}

function buildWaterfall(spans: readonly SpanRecord[], invocations: Map<string, MutableInvocation>): WaterfallRow[] {
  const bySpanId = new Map<string, SpanRecord>();
  for (const s of spans) if (!bySpanId.has(s.spanId)) bySpanId.set(s.spanId, s);
  const children = new Map<string, SpanRecord[]>();
  const roots: Array<{ start: number; span?: SpanRecord; inv?: MutableInvocation }> = [];
  const invocationsWithSpan = new Set<string>();
  for (const s of bySpanId.values()) {
    if (s.isInvocation && s.requestId !== undefined) invocationsWithSpan.add(s.requestId);
    if (s.parentSpanId !== undefined && bySpanId.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push({ start: s.startTime, span: s });
    }
  }
  for (const inv of invocations.values()) if (!invocationsWithSpan.has(inv.requestId)) roots.push({ start: inv.startMs, inv });
  roots.sort((a, b) => a.start - b.start);
  let t0 = roots.length > 0 ? Infinity : 0;
  for (const r of roots) if (r.start < t0) t0 = r.start;

  const rows: WaterfallRow[] = [];
  // Depth-first with an explicit stack: a request's span chain may be thousands deep.
  const visit = (root: SpanRecord) => {
    const stack: [SpanRecord, number][] = [[root, 0]];
    for (let top = stack.pop(); top; top = stack.pop()) {
      const [s, depth] = top;
      const inv = s.isInvocation && s.requestId !== undefined ? invocations.get(s.requestId) : undefined;
      rows.push({
        depth,
        kind: 'span',
        function: s.function,
        label: s.name,
        spanKind: s.spanKind,
        offsetMs: s.startTime - t0,
        durationMs: s.durationMs,
        coldStart: s.coldStart || (inv?.coldStart ?? false),
        initDurationMs: inv?.initDurationMs,
        status: s.status.code === 'ERROR' || inv?.error ? 'ERROR' : s.status.code,
        faults: s.faults,
        requestId: s.requestId,
      });
      const kids = (children.get(s.spanId) ?? []).sort((a, b) => a.startTime - b.startTime);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
    }
  };
  for (const r of roots) {
    if (r.span) visit(r.span);
    else if (r.inv) {
      rows.push({
        depth: 0,
        kind: 'invocation',
        function: r.inv.function,
        label: `invocation ${r.inv.requestId}`,
        spanKind: undefined,
        offsetMs: r.inv.startMs - t0,
        durationMs: r.inv.durationMs,
        coldStart: r.inv.coldStart,
        initDurationMs: r.inv.initDurationMs,
        status: r.inv.error ? 'ERROR' : 'UNSET',
        faults: [],
        requestId: r.inv.requestId,
      });
    }
  }
  return rows;
}

const fmt = (label: string, v: number | undefined, unit: string) => (v === undefined ? '' : `\t${label}: ${v} ${unit}`);

/** The text-format spelling of a platform line, whichever format it was written in. */
export function platformText(r: PlatformRecord): string {
  if (r.fields === undefined) return r.raw.trimEnd();
  const id = r.requestId ?? '?';
  switch (r.event) {
    case 'start':
      return `START RequestId: ${id}`;
    case 'end':
      return `END RequestId: ${id}`;
    case 'runtimeDone':
      return `RUNTIME_DONE RequestId: ${id}`;
    case 'report': {
      const m = r.report;
      return (
        `REPORT RequestId: ${id}` +
        fmt('Duration', m?.durationMs, 'ms') +
        fmt('Billed Duration', m?.billedDurationMs, 'ms') +
        fmt('Memory Size', m?.memorySizeMB, 'MB') +
        fmt('Max Memory Used', m?.maxMemoryUsedMB, 'MB') +
        fmt('Init Duration', m?.initDurationMs, 'ms') +
        fmt('Restore Duration', m?.restoreDurationMs, 'ms') +
        (m?.status !== undefined ? `\tStatus: ${m.status}` : '')
      );
    }
    default:
      return `${String(r.fields.type)} ${JSON.stringify(r.fields.record ?? {})}`;
  }
}

const PLATFORM_ORDER: Readonly<Record<string, number>> = { initStart: 0, start: 1, runtimeDone: 3, end: 3, report: 4 };

function lineOf(r: ParsedRecord, traceOf: (requestId: string | undefined) => string | undefined): TimelineLine | undefined {
  const base = { timestamp: r.timestamp, function: r.function, requestId: r.requestId, traceId: r.traceId ?? traceOf(r.requestId), record: r };
  switch (r.kind) {
    case 'log':
      return { ...base, level: r.level, message: r.message, type: 'log' };
    case 'span':
      return { ...base, timestamp: r.startTime, level: r.status.code === 'ERROR' ? 'ERROR' : 'INFO', message: r.name, type: 'span' };
    case 'platform': {
      const failed = r.report?.status !== undefined && r.report.status !== 'success';
      return { ...base, level: failed ? 'ERROR' : 'INFO', message: platformText(r), type: 'platform' };
    }
    case 'metric':
      // EMF documents are metrics, not lines a reader follows; they feed the waterfall.
      return undefined;
  }
}

function sortKey(l: TimelineLine): number {
  return l.record.kind === 'platform' ? (PLATFORM_ORDER[l.record.event] ?? 2) : 2;
}

/**
 * Assembles the correlation from candidate records: those carrying one of
 * `requestIds` or `traceIds`, plus those matching the target directly.
 */
export function buildCorrelation(
  target: CorrelationTarget,
  candidates: Iterable<ParsedRecord>,
  requestIds: ReadonlySet<string>,
  traceIds: ReadonlySet<string>,
): Correlation {
  const records: ParsedRecord[] = [];
  for (const r of candidates) {
    const keep =
      (r.requestId !== undefined && requestIds.has(r.requestId)) ||
      (r.traceId !== undefined && traceIds.has(r.traceId)) ||
      recordMatches(r, target);
    if (keep) records.push(r);
  }
  const invocations = summariseInvocations(records);
  const traceOf = (id: string | undefined) => (id === undefined ? undefined : invocations.get(id)?.traceId);
  const lines: TimelineLine[] = [];
  for (const r of records) {
    const l = lineOf(r, traceOf);
    if (l) lines.push(l);
  }
  // Stable sort: equal timestamps keep START before the lines and END/REPORT after.
  lines.sort((a, b) => a.timestamp - b.timestamp || sortKey(a) - sortKey(b));
  const spans = records.filter((r): r is SpanRecord => r.kind === 'span');
  const allTraces = new Set(traceIds);
  for (const r of records) if (r.traceId !== undefined) allTraces.add(r.traceId);
  return {
    target,
    traceIds: [...allTraces].sort(),
    invocations: [...invocations.values()]
      .sort((a, b) => a.startMs - b.startMs)
      .map(({ sawStart: _s, ...inv }) => inv),
    waterfall: buildWaterfall(spans, invocations),
    lines,
  };
}

/** The NDJSON object of docs/cli.md: the fixed keys first, then the line's original fields. */
export function toJsonLine(l: TimelineLine): Record<string, unknown> {
  const out: Record<string, unknown> = {
    timestamp: l.timestamp,
    function: l.function,
    requestId: l.requestId ?? null,
    traceId: l.traceId ?? null,
    level: l.level,
    message: l.message,
    type: l.type,
  };
  const r = l.record;
  let original: Readonly<Record<string, unknown>> | undefined;
  if (r.kind === 'platform') {
    out.event = r.event;
    if (r.report) out.report = r.report;
    original = r.fields;
  } else if (r.kind === 'log' || r.kind === 'span') {
    original = r.fields;
  }
  if (original) for (const k in original) if (!(k in out)) out[k] = original[k];
  return out;
}
