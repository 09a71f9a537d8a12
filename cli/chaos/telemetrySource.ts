import { percentile } from '../percentile.js';
// What a scenario run needs to know about the functions under test: how many
// invocations ended in a window, how many failed, and how long they took.
// Implementations: a log directory (logDirTelemetry.ts); CloudWatch could be
// another behind the same interface.

export interface TelemetrySample {
  readonly invocations: number;
  readonly errors: number;
  /** undefined when there were no invocations. */
  readonly errorRate: number | undefined;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
}

export interface TelemetrySource {
  /**
   * Invocations that ended in [sinceMs, untilMs) in these functions (all the
   * source knows when `functions` is undefined).
   */
  sample(sinceMs: number, untilMs: number, functions: readonly string[] | undefined): Promise<TelemetrySample>;
  close?(): Promise<void> | void;
}

export { percentile };

export function summarise(outcomes: Iterable<{ durationMs: number | undefined; error: boolean }>): TelemetrySample {
  const durations: number[] = [];
  let invocations = 0;
  let errors = 0;
  for (const o of outcomes) {
    invocations++;
    if (o.error) errors++;
    if (o.durationMs !== undefined) durations.push(o.durationMs);
  }
  durations.sort((a, b) => a - b);
  return {
    invocations,
    errors,
    errorRate: invocations === 0 ? undefined : errors / invocations,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
  };
}
