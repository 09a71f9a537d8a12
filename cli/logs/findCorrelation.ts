// `logs correlate` over any LogSource: search for the id, follow it to the
// traces and invocations it touched, then fetch those invocations whole.
// Only matching lines and the invocations they lead to are ever held, so
// memory follows the size of the answer, not of the logs searched.
import { OperationError } from '../common.js';
import { buildCorrelation, correlationTarget, recordMatches, searchTerms, type Correlation } from './correlate.js';
import { parseLogLine } from './parseLogLine.js';
import type { ParsedRecord, SourceEvent } from './records.js';
import type { InvocationRef, LogSource, TimeRange } from './source.js';
import { traceIdSearchTerm } from './traceId.js';

/**
 * An id that is really a common value (a customer id, a feature flag) can
 * lead to thousands of traces; follow this many and say so.
 */
export const MAX_FOLLOWED_TRACES = 100;

/** Lambda runs an invocation for at most 15 minutes: its lines lie within that of any one of them. */
const MAX_INVOCATION_MS = 15 * 60_000;

class Hits {
  readonly records = new Map<string, ParsedRecord>();
  readonly refs = new Map<string, { function: string; stream: string; requestIds: Set<string> }>();
  readonly requestIds = new Set<string>();
  readonly traceIds = new Set<string>();
  minMs = Infinity;
  maxMs = -Infinity;

  add(event: SourceEvent, record: ParsedRecord): void {
    if (this.records.has(event.key)) return;
    this.records.set(event.key, record);
    this.minMs = Math.min(this.minMs, event.timestamp);
    this.maxMs = Math.max(this.maxMs, event.timestamp);
    if (record.traceId !== undefined) this.traceIds.add(record.traceId);
    if (record.requestId === undefined) return;
    this.requestIds.add(record.requestId);
    const refKey = `${event.function}\0${event.stream}`;
    let ref = this.refs.get(refKey);
    if (!ref) this.refs.set(refKey, (ref = { function: event.function, stream: event.stream, requestIds: new Set() }));
    ref.requestIds.add(record.requestId);
  }
}

export interface FindCorrelationOptions {
  readonly source: LogSource;
  readonly functions: readonly string[];
  readonly id: string;
  readonly range: TimeRange;
  /** Progress for humans (stderr). */
  readonly progress?: (message: string) => void;
  /** Something the user should know about the answer (stderr). */
  readonly notice?: (message: string) => void;
}

export async function findCorrelation(opts: FindCorrelationOptions): Promise<Correlation> {
  const { source, functions, range } = opts;
  const target = correlationTarget(opts.id);
  if (target.id === '') throw new OperationError('the id to correlate is empty: expected a trace id, request id or correlation id');
  const hits = new Hits();

  await source.search({ functions, terms: searchTerms(target), range }, (event) => {
    const record = parseLogLine(event, event.function);
    if (recordMatches(record, target)) hits.add(event, record);
  });
  if (hits.records.size === 0) {
    throw new OperationError(
      `${opts.id}: found in no log line of ${functions.join(', ')} between ${new Date(range.startMs).toISOString()} and ${new Date(range.endMs).toISOString()} (${source.description}); try a longer --since or other functions`,
    );
  }

  // A request or correlation id leads to traces; the trace leads to the
  // other functions' invocations, which need not carry the first id.
  let followTraces = [...hits.traceIds].filter((t) => t !== target.traceId);
  if (followTraces.length > MAX_FOLLOWED_TRACES) {
    opts.notice?.(`${opts.id} appears in ${followTraces.length} traces; following the first ${MAX_FOLLOWED_TRACES} only (narrow --since or use a trace id)`);
    followTraces = followTraces.slice(0, MAX_FOLLOWED_TRACES);
  }
  if (followTraces.length > 0) {
    opts.progress?.(`following ${followTraces.length} trace(s) across ${functions.length} function(s)`);
    const traces = new Set([...followTraces, ...(target.traceId ? [target.traceId] : [])]);
    await source.search({ functions, terms: followTraces.map(traceIdSearchTerm), range }, (event) => {
      const record = parseLogLine(event, event.function);
      if (record.traceId !== undefined && traces.has(record.traceId)) hits.add(event, record);
    });
  }

  const refs: InvocationRef[] = [...hits.refs.values()].map((r) => ({ ...r, requestIds: [...r.requestIds] }));
  opts.progress?.(`fetching ${hits.requestIds.size} invocation(s)`);
  const candidates = new Map(hits.records);
  if (refs.length > 0) {
    const around = { startMs: hits.minMs - MAX_INVOCATION_MS, endMs: hits.maxMs + MAX_INVOCATION_MS };
    await source.fetchInvocations(refs, around, (event) => {
      if (!candidates.has(event.key)) candidates.set(event.key, parseLogLine(event, event.function));
    });
  }
  return buildCorrelation(target, candidates.values(), hits.requestIds, hits.traceIds);
}
