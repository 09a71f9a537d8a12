// CloudWatch Logs Insights: one logical query over any number of log groups
// and any time range, run as several real queries (at most 50 log groups
// each; long ranges in windows), polled to completion with progress.
import { OperationError } from '../common.js';
import type { LogsApi, QueryStatistics } from './cloudWatchApi.js';
import { budgetedCall, DEFAULT_RETRY, type RateBudget, type RetryPolicy, type Sleep } from './rateBudget.js';
import type { TimeRange } from './source.js';

/** StartQuery accepts at most 50 log groups. */
export const MAX_GROUPS_PER_QUERY = 50;

export interface InsightsOptions {
  readonly client: LogsApi;
  readonly budget: RateBudget;
  readonly retry?: RetryPolicy;
  readonly pollIntervalMs?: number;
  /** Ranges longer than this run as several windows (Insights queries time out on long ranges). */
  readonly maxWindowMs?: number;
  /** A window that times out is halved and rerun this many times before giving up. */
  readonly maxSplits?: number;
  /** Queries in flight at once (the account allows a few dozen). */
  readonly concurrency?: number;
  readonly progress?: (message: string) => void;
  readonly sleep?: Sleep;
}

export interface InsightsQuery {
  readonly logGroups: readonly string[];
  readonly range: TimeRange;
  readonly queryString: string;
  readonly limit?: number;
}

export type InsightsRow = Record<string, string>;

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function windows(range: TimeRange, maxWindowMs: number): TimeRange[] {
  const out: TimeRange[] = [];
  for (let s = range.startMs; s < range.endMs; s += maxWindowMs) out.push({ startMs: s, endMs: Math.min(range.endMs, s + maxWindowMs) });
  return out.length > 0 ? out : [range];
}

/** Thrown for a window that timed out, so the caller can split it. */
class QueryTimedOut extends Error {}

const stats = (s: QueryStatistics | undefined) =>
  s ? `${Math.round(s.recordsMatched ?? 0)} matched of ${Math.round(s.recordsScanned ?? 0)} scanned` : 'no statistics yet';

/** Runs a logical query; rows of all its parts, in no particular order. */
export async function runInsightsQuery(q: InsightsQuery, opts: InsightsOptions): Promise<InsightsRow[]> {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const sleep = opts.sleep ?? retry.sleep;
  const pollIntervalMs = opts.pollIntervalMs ?? 1000;
  const maxSplits = opts.maxSplits ?? 3;
  const call = <T>(fn: () => Promise<T>) => budgetedCall(opts.budget, fn, retry);
  const groupBatches = batches(q.logGroups, MAX_GROUPS_PER_QUERY);
  const parts: Array<{ groups: string[]; range: TimeRange; splits: number }> = [];
  for (const w of windows(q.range, opts.maxWindowMs ?? 24 * 3_600_000)) for (const groups of groupBatches) parts.push({ groups, range: w, splits: 0 });
  const total = parts.length;
  let done = 0;
  const rows: InsightsRow[] = [];

  const runPart = async (part: { groups: string[]; range: TimeRange; splits: number }, label: string): Promise<void> => {
    const { queryId } = await call(() =>
      opts.client.startQuery({
        logGroupNames: part.groups,
        startTime: Math.floor(part.range.startMs / 1000),
        endTime: Math.ceil(part.range.endMs / 1000),
        queryString: q.queryString,
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      }),
    );
    if (!queryId) throw new OperationError(`Logs Insights StartQuery returned no query id for ${part.groups.length} log group(s)`);
    for (;;) {
      const res = await call(() => opts.client.getQueryResults({ queryId }));
      const status = res.status ?? 'Unknown';
      opts.progress?.(`query ${label}: ${status.toLowerCase()}, ${stats(res.statistics)}`);
      if (status === 'Complete') {
        for (const row of res.results ?? []) {
          const obj: InsightsRow = {};
          for (const f of row) if (f.field !== undefined && f.value !== undefined) obj[f.field] = f.value;
          rows.push(obj);
        }
        return;
      }
      if (status === 'Timeout') throw new QueryTimedOut(queryId);
      if (status === 'Failed' || status === 'Cancelled' || status === 'Unknown') {
        throw new OperationError(
          `Logs Insights query ${queryId} over ${part.groups.length} log group(s) (${part.groups[0]}…) ended ${status}` +
            (status === 'Cancelled' ? ' (cancelled by someone else or a quota); run the command again' : '; check the query syntax and your logs:StartQuery permission'),
        );
      }
      await sleep(pollIntervalMs);
    }
  };

  const runWithSplits = async (part: { groups: string[]; range: TimeRange; splits: number }, label: string): Promise<void> => {
    try {
      await runPart(part, label);
    } catch (err) {
      if (!(err instanceof QueryTimedOut)) throw err;
      if (part.splits >= maxSplits || part.range.endMs - part.range.startMs < 2000) {
        throw new OperationError(
          `Logs Insights query over ${part.groups.length} log group(s) timed out even on ${Math.round((part.range.endMs - part.range.startMs) / 60_000)} minute(s); try a shorter --since or fewer functions`,
        );
      }
      const mid = Math.floor((part.range.startMs + part.range.endMs) / 2);
      opts.progress?.(`query ${label}: timed out, splitting its time range in two`);
      await runWithSplits({ groups: part.groups, range: { startMs: part.range.startMs, endMs: mid }, splits: part.splits + 1 }, `${label}a`);
      await runWithSplits({ groups: part.groups, range: { startMs: mid, endMs: part.range.endMs }, splits: part.splits + 1 }, `${label}b`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const i = next++;
      await runWithSplits(parts[i]!, `${i + 1}/${total}`);
      done++;
      opts.progress?.(`${done}/${total} queries complete`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, parts.length) }, worker));
  return rows;
}

/** Insights string literal: the term between double quotes, escaped. */
export function insightsString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
