// Waiting for something the code under test does in the background (a rule
// refresh, a child process's line). A try's outcome decides, never the clock:
// the bound is generous and only fails a test that is truly stuck.
import { setTimeout as delay } from 'node:timers/promises';

export const STUCK_MS = 30_000;

/**
 * Runs `attempt` until it returns a value `done` accepts, and resolves with that value.
 * Between tries it waits for `next()` (an event that may change the outcome) or a short pause.
 * Rejects, naming `what` and the last value, once `boundMs` has passed.
 */
export async function eventually<T>(
  what: string,
  attempt: () => Promise<T> | T,
  done: (value: T) => boolean,
  opts: { next?: () => Promise<unknown>; boundMs?: number } = {},
): Promise<T> {
  const end = Date.now() + (opts.boundMs ?? STUCK_MS);
  for (;;) {
    const value = await attempt();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${opts.boundMs ?? STUCK_MS} ms; last: ${JSON.stringify(value)}`);
    await (opts.next?.() ?? delay(5));
  }
}
