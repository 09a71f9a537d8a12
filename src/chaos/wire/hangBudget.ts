// Pure: how long a `timeout` fault hangs a call when the client's own timeout
// does not end it first.
/** Left to the function after the hang, so it can still handle the failure before Lambda ends it. */
export const DEADLINE_MARGIN_MS = 100;
/** Lambda's longest invocation: the bound when neither the rule nor an invocation sets one. */
export const MAX_HANG_MS = 900_000;

export function hangBudgetMs(timeoutMs: number | undefined, remainingMs: number, clientTimeoutMs?: number | undefined): number {
  let budget = MAX_HANG_MS;
  if (timeoutMs !== undefined && timeoutMs >= 0) budget = Math.min(budget, timeoutMs);
  if (Number.isFinite(remainingMs)) budget = Math.min(budget, remainingMs - DEADLINE_MARGIN_MS);
  if (clientTimeoutMs !== undefined && clientTimeoutMs > 0) budget = Math.min(budget, clientTimeoutMs);
  return Math.max(0, Math.floor(budget));
}
