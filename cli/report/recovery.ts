// Recovery after a rule is cleared, for errors and latency. The report calls
// it through `RecoveryMeasure` so the game day's own computation
// (cli/local/windowStats.ts) can be passed in and the two agree.
import { recoveryTime, type Outcome } from '../local/windowStats.js';

export type { Outcome };

export interface RecoveryWindow {
  readonly clearedAtMs: number;
  readonly endMs: number;
  readonly windowMs: number;
}

export interface RecoveryMeasure {
  /** Ms from the clear to the first window whose error rate is back within tolerance of the baseline and stays; undefined: never. */
  errors(outcomes: readonly Outcome[], w: RecoveryWindow & { baselineErrorRate: number }): number | undefined;
  /** The same for p99 latency against the baseline p99. */
  latency(outcomes: readonly Outcome[], w: RecoveryWindow & { baselineP99Ms: number }): number | undefined;
}

/** Error-rate tolerance above the baseline (as the local game day uses). */
export const ERROR_TOLERANCE = 0.02;
/** A window's p99 counts as recovered within 20% (and 5 ms) of the baseline p99. */
export const LATENCY_TOLERANCE = 0.2;
const LATENCY_SLACK_MS = 5;

/**
 * p99 recovery over outcomes sorted by atMs, windows slid by windowMs/20 as
 * windowStats.recoveryTime does; two pointers keep it linear in the outcomes
 * plus a sort per window.
 */
export function latencyRecoveryTime(sorted: readonly Outcome[], w: RecoveryWindow & { baselineP99Ms: number }): number | undefined {
  const step = Math.max(50, Math.floor(w.windowMs / 20));
  const limit = w.baselineP99Ms * (1 + LATENCY_TOLERANCE) + LATENCY_SLACK_MS;
  let candidate: number | undefined;
  let lo = 0;
  let hi = 0;
  for (let t = w.clearedAtMs; t + w.windowMs <= w.endMs; t += step) {
    while (lo < sorted.length && sorted[lo]!.atMs < t) lo++;
    if (hi < lo) hi = lo;
    while (hi < sorted.length && sorted[hi]!.atMs < t + w.windowMs) hi++;
    const lat: number[] = [];
    for (let i = lo; i < hi; i++) lat.push(sorted[i]!.latencyMs);
    lat.sort((a, b) => a - b);
    const p99 = lat.length ? lat[Math.min(lat.length, Math.max(1, Math.ceil(0.99 * lat.length))) - 1]! : undefined;
    const healthy = p99 !== undefined && p99 <= limit;
    if (healthy) candidate ??= t;
    else candidate = undefined;
  }
  return candidate === undefined ? undefined : candidate - w.clearedAtMs;
}

/** The default: windowStats' error recovery, and latencyRecoveryTime until windowStats has its own. */
export const defaultRecovery: RecoveryMeasure = {
  errors: (outcomes, w) => recoveryTime(outcomes, { ...w, tolerance: ERROR_TOLERANCE }),
  latency: (outcomes, w) => latencyRecoveryTime(outcomes, w),
};
