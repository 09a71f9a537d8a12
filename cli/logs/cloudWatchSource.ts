// LogSource over CloudWatch Logs. The search runs server-side in Logs
// Insights (batched per 50 log groups); whole invocations come from
// FilterLogEvents on the streams the search found them in; `follow` polls
// FilterLogEvents. Every call shares one RateBudget.
import { setTimeout as delay } from 'node:timers/promises';
import { OperationError } from '../common.js';
import type { FilterLogEventsInput, LogsApi } from './cloudWatchApi.js';
import { liveTail } from './liveTail.js';
import type { SourceEvent } from './records.js';
import { batches, insightsString, runInsightsQuery, type InsightsOptions } from './insights.js';
import { budgetedCall, DEFAULT_RETRY, type RateBudget, type RetryPolicy } from './rateBudget.js';
import type { FollowOptions, InvocationRef, LogSource, SearchQuery, TimeRange } from './source.js';

export const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';
export const logGroupOf = (fn: string) => LAMBDA_LOG_GROUP_PREFIX + fn;

/** Insights prints `@timestamp` as `2026-11-23 19:00:00.123` in UTC. */
export function parseInsightsTimestamp(value: string | undefined): number {
  if (value === undefined) return NaN;
  return Date.parse(value.includes('T') ? value : value.replace(' ', 'T') + 'Z');
}

/** `123456789012:/aws/lambda/orders` (Insights' `@log`) → `/aws/lambda/orders`. */
export function logGroupFromInsights(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const i = value.indexOf(':/');
  return i >= 0 ? value.slice(i + 1) : value;
}

/** FilterLogEvents' unstructured filter pattern matching any of the terms. */
export function anyTermPattern(terms: readonly string[]): string {
  return terms.length === 1 ? insightsString(terms[0]!) : terms.map((t) => `?${insightsString(t)}`).join(' ');
}

export interface CloudWatchSourceOptions {
  readonly client: LogsApi;
  readonly budget: RateBudget;
  readonly region?: string;
  readonly retry?: RetryPolicy;
  readonly insights?: Omit<InsightsOptions, 'client' | 'budget' | 'retry'>;
  /** `follow` polling interval. */
  readonly pollMs?: number;
  /** Rows per Insights query (its maximum is 10,000). */
  readonly queryLimit?: number;
  /** `follow` through Live Tail (default), falling back to polling where Live Tail is refused. */
  readonly liveTail?: boolean;
  /** Told why `follow` fell back to polling. */
  readonly notice?: (message: string) => void;
}

/** Request ids per FilterLogEvents call: keeps the filter pattern short. */
const IDS_PER_FILTER = 20;
/** FilterLogEvents takes at most 100 stream names. */
const STREAMS_PER_FILTER = 100;

export function cloudWatchSource(opts: CloudWatchSourceOptions): LogSource {
  const retry = opts.retry ?? DEFAULT_RETRY;
  const call = <T>(fn: () => Promise<T>) => budgetedCall(opts.budget, fn, retry);

  /** Every page, including empty ones that still carry a nextToken (FilterLogEvents returns those while it searches). */
  async function filterAll(input: FilterLogEventsInput, fn: string, onEvent: (e: SourceEvent) => void): Promise<void> {
    let token: string | undefined;
    for (;;) {
      const res = await call(() => opts.client.filterLogEvents({ ...input, ...(token ? { nextToken: token } : {}) }));
      for (const e of res.events ?? []) {
        if (e.timestamp === undefined || e.message === undefined) continue;
        onEvent({
          timestamp: e.timestamp,
          message: e.message,
          function: fn,
          stream: e.logStreamName ?? '',
          key: contentKey(fn, e.logStreamName ?? '', e.timestamp, e.message),
        });
      }
      if (!res.nextToken || res.nextToken === token) return;
      token = res.nextToken;
    }
  }

  /** History since --since from FilterLogEvents, then Live Tail; polling if Live Tail is refused. */
  async function* followLive(f: FollowOptions): AsyncGenerator<SourceEvent> {
    const liveFrom = Date.now();
    if (f.sinceMs < liveFrom - 1000) {
      const history: SourceEvent[] = [];
      for (const fn of f.functions) await filterAll({ logGroupName: logGroupOf(fn), startTime: f.sinceMs, endTime: liveFrom }, fn, (e) => history.push(e));
      history.sort((a, b) => a.timestamp - b.timestamp);
      for (const e of history) {
        if (f.signal.aborted) return;
        yield e;
      }
    }
    let delivered = false;
    try {
      for await (const e of liveTail({ client: opts.client, budget: opts.budget, retry, functions: f.functions, signal: f.signal })) {
        delivered = true;
        yield e;
      }
      return;
    } catch (err) {
      if (delivered || f.signal.aborted || err instanceof OperationError) throw err;
      opts.notice?.(`Live Tail unavailable (${(err as Error).name ?? 'error'}: ${(err as Error).message ?? ''}); polling FilterLogEvents instead`);
    }
    yield* followByPolling({ ...f, sinceMs: liveFrom }, opts.pollMs ?? 2000, filterAll);
  }

  return {
    description: `CloudWatch Logs${opts.region ? ` (${opts.region})` : ''}`,

    async search(query: SearchQuery, onEvent) {
      const groupToFn = new Map(query.functions.map((f) => [logGroupOf(f), f]));
      const filter = query.terms.map((t) => `@message like ${insightsString(t)}`).join(' or ');
      const rows = await runInsightsQuery(
        {
          logGroups: [...groupToFn.keys()],
          range: query.range,
          queryString: `fields @timestamp, @message, @logStream, @log | filter ${filter} | sort @timestamp asc | limit ${opts.queryLimit ?? 10_000}`,
        },
        { ...opts.insights, client: opts.client, budget: opts.budget, retry },
      );
      for (const row of rows) {
        const group = logGroupFromInsights(row['@log']);
        const fn = group === undefined ? undefined : groupToFn.get(group);
        const timestamp = parseInsightsTimestamp(row['@timestamp']);
        const message = row['@message'];
        if (fn === undefined || message === undefined || !Number.isFinite(timestamp)) continue;
        const stream = row['@logStream'] ?? '';
        onEvent({ timestamp, message, function: fn, stream, key: contentKey(fn, stream, timestamp, message) });
      }
    },

    async fetchInvocations(refs: readonly InvocationRef[], range: TimeRange, onEvent) {
      // One call per function covers its streams and request ids together.
      const byFn = new Map<string, { streams: Set<string>; ids: Set<string> }>();
      for (const r of refs) {
        const e = byFn.get(r.function) ?? { streams: new Set<string>(), ids: new Set<string>() };
        if (r.stream !== '') e.streams.add(r.stream);
        for (const id of r.requestIds) e.ids.add(id);
        byFn.set(r.function, e);
      }
      for (const [fn, { streams, ids }] of byFn) {
        const streamBatches = streams.size > 0 && streams.size <= STREAMS_PER_FILTER ? [[...streams]] : [undefined];
        for (const streamNames of streamBatches) {
          for (const idBatch of batches([...ids], IDS_PER_FILTER)) {
            await filterAll(
              {
                logGroupName: logGroupOf(fn),
                ...(streamNames ? { logStreamNames: streamNames } : {}),
                startTime: Math.floor(range.startMs),
                endTime: Math.ceil(range.endMs),
                filterPattern: anyTermPattern(idBatch),
              },
              fn,
              onEvent,
            );
          }
        }
      }
    },

    follow(f: FollowOptions) {
      if (opts.liveTail === false) return followByPolling(f, opts.pollMs ?? 2000, filterAll);
      return followLive(f);
    },
  };
}

function contentKey(fn: string, stream: string, timestamp: number, message: string): string {
  return `${fn}\0${stream}\0${timestamp}\0${message}`;
}

/** CloudWatch may ingest an event late with an earlier timestamp: look back this far on every poll. */
const LATE_ARRIVAL_MS = 30_000;

async function* followByPolling(
  f: FollowOptions,
  pollMs: number,
  filterAll: (input: FilterLogEventsInput, fn: string, onEvent: (e: SourceEvent) => void) => Promise<void>,
): AsyncGenerator<SourceEvent> {
  const seen = new Map<string, number>();
  let from = f.sinceMs;
  while (!f.signal.aborted) {
    const batch: SourceEvent[] = [];
    for (const fn of f.functions) {
      await filterAll({ logGroupName: logGroupOf(fn), startTime: from }, fn, (e) => {
        // Before the window asked for, or already shown by an earlier poll.
        if (e.timestamp < from || seen.has(e.key)) return;
        seen.set(e.key, e.timestamp);
        batch.push(e);
      });
    }
    batch.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of batch) {
      if (f.signal.aborted) return;
      yield e;
    }
    const newest = batch.length > 0 ? batch[batch.length - 1]!.timestamp : from;
    from = Math.max(from, newest - LATE_ARRIVAL_MS);
    for (const [k, t] of seen) if (t < from) seen.delete(k);
    try {
      await delay(pollMs, undefined, { signal: f.signal });
    } catch {
      return;
    }
  }
}
