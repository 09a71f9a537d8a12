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

export interface RecoveryWindows {
  readonly clearedAtMs: number;
  readonly endMs: number;
  readonly windowMs: number;
  /** A window with fewer requests says nothing: it is not counted as healthy. */
  readonly minRequests?: number;
}

/**
 * Recovery time: from the moment the last fault was cleared to the start of
 * the first window (of `windowMs`, sliding in steps of windowMs/20) that is
 * healthy and stays healthy for the rest of the observation; undefined when
 * the last window is not healthy (not recovered within the run).
 */
export function recoveryAfter(
  outcomes: readonly Outcome[],
  opts: RecoveryWindows,
  healthy: (w: WindowSummary) => boolean,
): number | undefined {
  const step = Math.max(50, Math.floor(opts.windowMs / 20));
  let candidate: number | undefined;
  for (let t = opts.clearedAtMs; t + opts.windowMs <= opts.endMs; t += step) {
    const w = summarize(outcomes, t, t + opts.windowMs);
    if (w.requests >= (opts.minRequests ?? 1) && healthy(w)) candidate ??= t;
    else candidate = undefined;
  }
  return candidate === undefined ? undefined : candidate - opts.clearedAtMs;
}

/** Error-rate recovery: the window's error rate at most `tolerance` above the baseline's. */
export function recoveryTime(
  outcomes: readonly Outcome[],
  opts: RecoveryWindows & { baselineErrorRate: number; tolerance: number },
): number | undefined {
  return recoveryAfter(outcomes, opts, (w) => w.errorRate <= opts.baselineErrorRate + opts.tolerance);
}

/**
 * How far above the baseline a latency percentile may be and count as back:
 * `ratio` of the baseline or `floorMs`, whichever is larger. The ratio keeps
 * the test meaningful for slow baselines; the floor keeps a 15 ms baseline
 * from being "unrecovered" by a few ms of scheduling noise.
 */
export interface LatencyTolerance {
  readonly ratio: number;
  readonly floorMs: number;
}

/** The game day's latency tolerance: within 20% or 25 ms of the baseline, whichever is larger. */
export const DEFAULT_LATENCY_TOLERANCE: LatencyTolerance = { ratio: 0.2, floorMs: 25 };

/** The highest latency that counts as back at the baseline. */
export function latencyLimitMs(baselineMs: number, tol: LatencyTolerance): number {
  return baselineMs + Math.max(baselineMs * tol.ratio, tol.floorMs);
}

/** Latency recovery for one percentile: the window's value at most latencyLimitMs(baseline). */
export function latencyRecoveryTime(
  outcomes: readonly Outcome[],
  opts: RecoveryWindows & { percentile: 'p50Ms' | 'p99Ms'; baselineMs: number; tolerance: LatencyTolerance },
): number | undefined {
  const limit = latencyLimitMs(opts.baselineMs, opts.tolerance);
  return recoveryAfter(outcomes, opts, (w) => w[opts.percentile] <= limit);
}

/** Recovery of the error rate and of latency after the fault was cleared (ms; null: not within the run). */
export interface Recovery {
  readonly windowMs: number;
  readonly errors: {
    readonly ms: number | null;
    readonly baselineErrorRate: number;
    /** Allowed error rate above the baseline's (absolute, 0.02 = 2 points). */
    readonly tolerance: number;
  };
  readonly latency: {
    /** The later of p50Ms and p99Ms; null unless both recovered. */
    readonly ms: number | null;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
    readonly baselineP50Ms: number;
    readonly baselineP99Ms: number;
    readonly limitP50Ms: number;
    readonly limitP99Ms: number;
    readonly tolerance: LatencyTolerance;
  };
}

export function measureRecovery(
  outcomes: readonly Outcome[],
  opts: RecoveryWindows & { baseline: WindowSummary; errorTolerance: number; latencyTolerance: LatencyTolerance },
): Recovery {
  const orNull = (x: number | undefined) => (x === undefined ? null : x);
  const { baseline, latencyTolerance: tolerance } = opts;
  const errors = orNull(recoveryTime(outcomes, { ...opts, baselineErrorRate: baseline.errorRate, tolerance: opts.errorTolerance }));
  const p50Ms = orNull(latencyRecoveryTime(outcomes, { ...opts, percentile: 'p50Ms', baselineMs: baseline.p50Ms, tolerance }));
  const p99Ms = orNull(latencyRecoveryTime(outcomes, { ...opts, percentile: 'p99Ms', baselineMs: baseline.p99Ms, tolerance }));
  return {
    windowMs: opts.windowMs,
    errors: { ms: errors, baselineErrorRate: baseline.errorRate, tolerance: opts.errorTolerance },
    latency: {
      ms: p50Ms === null || p99Ms === null ? null : Math.max(p50Ms, p99Ms),
      p50Ms,
      p99Ms,
      baselineP50Ms: baseline.p50Ms,
      baselineP99Ms: baseline.p99Ms,
      limitP50Ms: latencyLimitMs(baseline.p50Ms, tolerance),
      limitP99Ms: latencyLimitMs(baseline.p99Ms, tolerance),
      tolerance,
    },
  };
}
