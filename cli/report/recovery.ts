// Recovery after a rule is cleared, for errors and latency: the game day's own
// definition (cli/local/windowStats.ts measureRecovery), so `faultline local`,
// `faultline report` and the page agree on what "recovered" means.
import { DEFAULT_LATENCY_TOLERANCE, measureRecovery, summarize, type Outcome, type Recovery as WindowRecovery } from '../local/windowStats.js';

export type { Outcome, WindowRecovery };

/** Error-rate tolerance above the baseline: 2 points, as the local game day uses. */
export const ERROR_TOLERANCE = 0.02;

export interface RecoveryWindow {
  readonly clearedAtMs: number;
  readonly endMs: number;
  readonly windowMs: number;
}

/**
 * Recovery of the outcomes after a clear against a baseline set of outcomes:
 * windowStats.measureRecovery with the game day's tolerances.
 */
export function recoveryFrom(baseline: readonly Outcome[], after: readonly Outcome[], w: RecoveryWindow): WindowRecovery {
  return measureRecovery(after, {
    ...w,
    baseline: summarize(baseline, -Infinity, Infinity),
    errorTolerance: ERROR_TOLERANCE,
    latencyTolerance: DEFAULT_LATENCY_TOLERANCE,
  });
}
