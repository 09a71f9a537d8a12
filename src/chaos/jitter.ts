// Latency ± jitter, the same for outgoing calls and for the invocation itself.

/** `latencyMs` moved by up to ±`jitterMs`, never negative, in whole ms. */
export function jitteredDelay(latencyMs: number, jitterMs: number, random: () => number): number {
  return Math.max(0, Math.round(latencyMs + (random() * 2 - 1) * jitterMs));
}
