// `coldstarts` at scale: the aggregation runs in Logs Insights, so only one
// row per log group comes back instead of every REPORT line.
import type { LogsApi } from './cloudWatchApi.js';
import type { DurationStats, FunctionColdStarts, InitTypeName } from './coldStarts.js';
import { logGroupFromInsights, logGroupOf } from './cloudWatchSource.js';
import { runInsightsQuery, type InsightsOptions, type InsightsRow } from './insights.js';
import type { RateBudget, RetryPolicy } from './rateBudget.js';
import type { TimeRange } from './source.js';

/** REPORT lines in both log formats: on-demand inits and SnapStart restores. */
export const REPORT_QUERY = [
  'filter @type = "REPORT" or type = "platform.report"',
  '| parse @message /Restore Duration: (?<restoreText>[\\d.]+) ms/',
  '| fields coalesce(@initDuration, `record.metrics.initDurationMs`) as initMs, coalesce(restoreText, `record.metrics.restoreDurationMs`) as restoreMs',
  '| stats count(*) as invocations, count(initMs) as inits, pct(initMs, 50) as initP50, pct(initMs, 95) as initP95, pct(initMs, 99) as initP99, max(initMs) as initMax,',
  '  count(restoreMs) as restores, pct(restoreMs, 50) as restoreP50, pct(restoreMs, 95) as restoreP95, pct(restoreMs, 99) as restoreP99, max(restoreMs) as restoreMax by @log',
].join('\n');

/** The agent's EMF documents: inits by provisioned concurrency, which REPORT lines do not show. */
export const EMF_QUERY = [
  'filter ispresent(InitDuration) and initType = "provisioned-concurrency"',
  '| stats count(*) as inits, pct(InitDuration, 50) as initP50, pct(InitDuration, 95) as initP95, pct(InitDuration, 99) as initP99, max(InitDuration) as initMax by @log',
].join('\n');

const n = (v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
};

function stats(row: InsightsRow, prefix: string, countField: string): DurationStats | undefined {
  const count = n(row[countField]) ?? 0;
  if (count === 0) return undefined;
  return { count, p50: n(row[`${prefix}P50`]), p95: n(row[`${prefix}P95`]), p99: n(row[`${prefix}P99`]), max: n(row[`${prefix}Max`]) };
}

/**
 * Pure: Insights rows → per-function figures. A function whose range was
 * split over several queries has several rows: counts add up, max is the
 * max, percentiles are count-weighted (an approximation, flagged by `approximate`).
 */
export function coldStartsFromInsights(
  functions: readonly string[],
  reportRows: readonly InsightsRow[],
  emfRows: readonly InsightsRow[],
): Array<FunctionColdStarts & { approximate: boolean }> {
  const fnOf = new Map(functions.map((f) => [logGroupOf(f), f]));
  const acc = new Map<string, { invocations: number; parts: Map<InitTypeName, DurationStats[]> }>();
  for (const f of functions) acc.set(f, { invocations: 0, parts: new Map() });
  const push = (fn: string, type: InitTypeName, s: DurationStats | undefined) => {
    if (!s) return;
    const a = acc.get(fn)!;
    a.parts.set(type, [...(a.parts.get(type) ?? []), s]);
  };
  for (const row of reportRows) {
    const fn = fnOf.get(logGroupFromInsights(row['@log']) ?? '');
    if (fn === undefined) continue;
    acc.get(fn)!.invocations += n(row.invocations) ?? 0;
    push(fn, 'on-demand', stats(row, 'init', 'inits'));
    push(fn, 'snap-start', stats(row, 'restore', 'restores'));
  }
  for (const row of emfRows) {
    const fn = fnOf.get(logGroupFromInsights(row['@log']) ?? '');
    if (fn !== undefined) push(fn, 'provisioned-concurrency', stats(row, 'init', 'inits'));
  }
  return functions.map((fn) => {
    const a = acc.get(fn)!;
    let approximate = false;
    const byInitType: Partial<Record<InitTypeName, DurationStats>> = {};
    for (const [type, parts] of a.parts) {
      if (parts.length > 1) approximate = true;
      byInitType[type] = mergeStats(parts);
    }
    const waited = [byInitType['on-demand'], byInitType['snap-start']].filter((s): s is DurationStats => s !== undefined);
    if (waited.length > 1) approximate = true;
    const initDuration = waited.length ? mergeStats(waited) : { count: 0, p50: undefined, p95: undefined, p99: undefined, max: undefined };
    return {
      function: fn,
      invocations: a.invocations,
      coldStarts: initDuration.count,
      share: a.invocations === 0 ? 0 : initDuration.count / a.invocations,
      initDuration,
      byInitType,
      approximate,
    };
  });
}

function mergeStats(parts: readonly DurationStats[]): DurationStats {
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((s, p) => s + p.count, 0);
  const weighted = (k: 'p50' | 'p95' | 'p99') => {
    let sum = 0;
    let w = 0;
    for (const p of parts) if (p[k] !== undefined) (sum += p[k]! * p.count), (w += p.count);
    return w === 0 ? undefined : sum / w;
  };
  const maxes = parts.map((p) => p.max).filter((m): m is number => m !== undefined);
  return { count, p50: weighted('p50'), p95: weighted('p95'), p99: weighted('p99'), max: maxes.length ? Math.max(...maxes) : undefined };
}

export interface ColdStartsQueryOptions {
  readonly client: LogsApi;
  readonly budget: RateBudget;
  readonly retry?: RetryPolicy;
  readonly insights?: Omit<InsightsOptions, 'client' | 'budget' | 'retry'>;
}

export async function coldStartsFromCloudWatch(functions: readonly string[], range: TimeRange, opts: ColdStartsQueryOptions) {
  const insights = {
    // One window per query keeps percentiles exact; only a timeout splits it.
    maxWindowMs: Number.MAX_SAFE_INTEGER,
    ...opts.insights,
    client: opts.client,
    budget: opts.budget,
    ...(opts.retry ? { retry: opts.retry } : {}),
  };
  const logGroups = functions.map(logGroupOf);
  const [reportRows, emfRows] = await Promise.all([
    runInsightsQuery({ logGroups, range, queryString: REPORT_QUERY }, insights),
    runInsightsQuery({ logGroups, range, queryString: EMF_QUERY }, insights),
  ]);
  return coldStartsFromInsights(functions, reportRows, emfRows);
}
