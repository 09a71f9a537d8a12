// Pure: request outcomes in a sliding time window (error rate, latency
// percentiles) for the live game-day display and the recovery measurement.
import { percentile } from '../percentile.js';

export interface Outcome {
  readonly atMs: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly traceId?: string;
}

export interface WindowSummary {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}


export function summarize(outcomes: readonly Outcome[], fromMs: number, toMs: number): WindowSummary {
  const latencies: number[] = [];
  let errors = 0;
  for (const o of outcomes) {
    if (o.atMs < fromMs || o.atMs >= toMs) continue;
    latencies.push(o.latencyMs);
    if (!o.ok) errors++;
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    errorRate: latencies.length ? errors / latencies.length : 0,
    p50Ms: percentile(latencies, 50) ?? 0,
    p99Ms: percentile(latencies, 99) ?? 0,
  };
}

/**
 * Recovery time: from the moment the last fault was cleared to the start of
 * the first window (of `windowMs`) whose error rate is back within `tolerance`
 * of the baseline and stays there for the rest of the observation.
 */
export function recoveryTime(
  outcomes: readonly Outcome[],
  opts: { clearedAtMs: number; endMs: number; baselineErrorRate: number; windowMs: number; tolerance: number; minRequests?: number },
): number | undefined {
  const step = Math.max(50, Math.floor(opts.windowMs / 20));
  let candidate: number | undefined;
  for (let t = opts.clearedAtMs; t + opts.windowMs <= opts.endMs; t += step) {
    const w = summarize(outcomes, t, t + opts.windowMs);
    const healthy = w.requests >= (opts.minRequests ?? 1) && w.errorRate <= opts.baselineErrorRate + opts.tolerance;
    if (healthy) candidate ??= t;
    else candidate = undefined;
  }
  return candidate === undefined ? undefined : candidate - opts.clearedAtMs;
}
