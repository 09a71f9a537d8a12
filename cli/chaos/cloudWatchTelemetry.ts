// TelemetrySource over CloudWatch Logs: each sample is ONE Logs Insights
// aggregation over the functions' log groups (/aws/lambda/<fn>), batched by
// cli/logs/insights.ts at 50 groups per query, every call inside the shared
// rate budget. Only one row per query comes back, never the log lines.
//
// Ingestion delay: a log line is queryable in Insights some seconds after the
// function wrote it (typically a few, sometimes tens). The runner asks for a
// window as soon as it has ended, so `sample` first waits until the window is
// `ingestionDelayMs` old; what still arrives later is missed, and a window
// with no REPORT line counts as no data (invocations 0), as in the log-dir
// source.
import { UsageError } from '../common.js';
import { openLogsApi, type LogsApi } from '../logs/cloudWatchApi.js';
import { logGroupOf } from '../logs/cloudWatchSource.js';
import { runInsightsQuery, type InsightsOptions, type InsightsRow } from '../logs/insights.js';
import { CLOUDWATCH_CALLS_PER_SECOND, explainAwsError } from '../logs/openSource.js';
import { RateBudget, type RetryPolicy } from '../logs/rateBudget.js';
import { parseSelection, selectFromCloudWatch } from '../logs/selectFunctions.js';
import { durationMs } from '../logs/timeRange.js';
import { systemClock, type Clock } from './runScenario.js';
import { measuredFunctions, type Scenario } from './scenario.js';
import type { TelemetrySample, TelemetrySource } from './telemetrySource.js';

/**
 * One row per query: invocations and latency from Lambda's REPORT lines (text
 * format: `@type = "REPORT"` with `@duration`; JSON format: the
 * `platform.report` record), errors from the agent's EMF documents (`Error`,
 * present with `_aws`) plus the REPORT lines that say the invocation died
 * where the agent could not write its document (timeout, crash).
 *
 * Insights cannot join the two lines of one invocation in a single `stats`,
 * so the REPORT failures counted are those the agent never sees: text
 * `Status: error|timeout` (Lambda prints a status only for runtime failures)
 * and JSON `"status": "timeout"|"failure"`. JSON `"status": "error"` is
 * left out because a handler error there is already the agent's `Error`.
 */
export const TELEMETRY_QUERY = [
  'filter @type = "REPORT" or type = "platform.report" or ispresent(`_aws.CloudWatchMetrics.0.Namespace`)',
  '| parse @message /(?:\\tStatus: (?<textFailure>error|timeout)|"status":\\s*"(?<jsonFailure>timeout|failure)")/',
  '| fields coalesce(@duration, `record.metrics.durationMs`) as reportMs',
  '| stats count(reportMs) as invocations, sum(Error) as agentErrors, count(textFailure) as textFailures, count(jsonFailure) as jsonFailures,',
  '  pct(reportMs, 50) as p50, pct(reportMs, 99) as p99',
].join('\n');

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v === '') return undefined;
  const x = Number(v);
  return Number.isFinite(x) ? x : undefined;
};

/**
 * Pure: the rows of one logical query (one per batch of 50 log groups) → one
 * sample. Counts add up; with several rows the percentiles are the
 * invocation-weighted mean of each batch's percentile — an approximation (the
 * true percentile of the union lies between the batches' values).
 */
export function sampleFromRows(rows: readonly InsightsRow[]): TelemetrySample {
  let invocations = 0;
  let errors = 0;
  const weighted = { p50: { sum: 0, w: 0 }, p99: { sum: 0, w: 0 } };
  for (const row of rows) {
    const n = num(row.invocations) ?? 0;
    invocations += n;
    errors += (num(row.agentErrors) ?? 0) + (num(row.textFailures) ?? 0) + (num(row.jsonFailures) ?? 0);
    if (n === 0) continue;
    for (const k of ['p50', 'p99'] as const) {
      const v = num(row[k]);
      if (v !== undefined) (weighted[k].sum += v * n), (weighted[k].w += n);
    }
  }
  // An EMF document whose REPORT line falls just outside the window (or is
  // not ingested yet) must not push the rate above 100%.
  errors = Math.min(errors, invocations);
  const mean = (k: 'p50' | 'p99') => (weighted[k].w === 0 ? undefined : weighted[k].sum / weighted[k].w);
  return {
    invocations,
    errors,
    errorRate: invocations === 0 ? undefined : errors / invocations,
    p50Ms: invocations === 0 ? undefined : mean('p50'),
    p99Ms: invocations === 0 ? undefined : mean('p99'),
  };
}

/** Insights' StartQuery takes whole seconds: windows are cut on second boundaries so back-to-back samples do not overlap. */
export function queryRange(sinceMs: number, untilMs: number): { startMs: number; endMs: number } {
  const startMs = Math.floor(sinceMs / 1000) * 1000;
  const endMs = Math.max(startMs + 1000, Math.floor(untilMs / 1000) * 1000);
  return { startMs, endMs };
}

export interface CloudWatchTelemetryOptions {
  readonly client: LogsApi;
  /** Shared with every other CloudWatch call the command makes. */
  readonly budget: RateBudget;
  /** Measured when the runner passes no function list (the scenario names none). */
  readonly functions: readonly string[];
  readonly retry?: RetryPolicy;
  /** How old a window must be before it is queried; default 10 s. */
  readonly ingestionDelayMs?: number;
  /** The runner's clock, so the wait for ingestion follows the same time. */
  readonly clock?: Clock;
  readonly insights?: Omit<InsightsOptions, 'client' | 'budget' | 'retry'>;
}

export const DEFAULT_INGESTION_DELAY_MS = 10_000;

export class CloudWatchTelemetrySource implements TelemetrySource {
  readonly #opts: CloudWatchTelemetryOptions;
  readonly #clock: Clock;

  constructor(opts: CloudWatchTelemetryOptions) {
    if (opts.functions.length === 0) throw new RangeError('CloudWatchTelemetrySource: expected at least one function to measure');
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  async sample(sinceMs: number, untilMs: number, functions: readonly string[] | undefined): Promise<TelemetrySample> {
    const readyAt = untilMs + (this.#opts.ingestionDelayMs ?? DEFAULT_INGESTION_DELAY_MS);
    const now = this.#clock.now();
    if (now < readyAt) await this.#clock.sleep(readyAt - now);
    const names = functions && functions.length > 0 ? functions : this.#opts.functions;
    const rows = await runInsightsQuery(
      { logGroups: names.map(logGroupOf), range: queryRange(sinceMs, untilMs), queryString: TELEMETRY_QUERY },
      {
        // Windows are seconds to minutes: never split them in time, so each batch is one exact query.
        maxWindowMs: Number.MAX_SAFE_INTEGER,
        ...this.#opts.insights,
        client: this.#opts.client,
        budget: this.#opts.budget,
        ...(this.#opts.retry ? { retry: this.#opts.retry } : {}),
      },
    );
    return sampleFromRows(rows);
  }
}

export interface CloudWatchTelemetryFlags {
  readonly region?: string;
  readonly profile?: string;
  /** `--ingestion-delay`, a duration such as 10s. */
  readonly ingestionDelay?: string;
}

/**
 * `chaos run --source cloudwatch`: the functions the scenario measures, each
 * checked to have its log group (an unknown name is an error naming it), and a
 * source whose `close` releases the client.
 */
export async function openCloudWatchTelemetry(scenario: Scenario, flags: CloudWatchTelemetryFlags): Promise<TelemetrySource> {
  const ingestionDelayMs = flags.ingestionDelay === undefined ? DEFAULT_INGESTION_DELAY_MS : (flags.ingestionDelay.trim() === '0' ? 0 : durationMs(flags.ingestionDelay));
  if (ingestionDelayMs === undefined) throw new UsageError(`--ingestion-delay ${flags.ingestionDelay}: expected a duration such as 10s, 30s or 1m (0 to query at once)`);
  const names = measuredFunctions(scenario);
  if (!names) {
    throw new UsageError(
      `scenario "${scenario.name}" measures every function (a "*" scope and no functions list): with --source cloudwatch, name them, e.g. functions: [orders-api, payments]`,
    );
  }
  let client: LogsApi;
  try {
    client = await openLogsApi({ region: flags.region, profile: flags.profile, env: process.env });
  } catch (err) {
    throw explainAwsError(err);
  }
  try {
    const budget = new RateBudget(CLOUDWATCH_CALLS_PER_SECOND, CLOUDWATCH_CALLS_PER_SECOND);
    const functions = await selectFromCloudWatch(parseSelection({ functions: names.join(',') }, { allowStack: false }), { logs: client, budget });
    const source = new CloudWatchTelemetrySource({ client, budget, functions, ingestionDelayMs, insights: { progress: () => undefined } });
    return {
      sample: async (since, until, fns) => {
        try {
          return await source.sample(since, until, fns);
        } catch (err) {
          throw explainAwsError(err);
        }
      },
      close: () => client.destroy(),
    };
  } catch (err) {
    client.destroy();
    throw explainAwsError(err);
  }
}
