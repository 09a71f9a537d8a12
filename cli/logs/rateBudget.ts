// One rate budget for every AWS call a command makes (CloudWatch Logs'
// per-account API limits are shared by all callers), and backoff with full
// jitter when the service still says slow down.
import { setTimeout as delay } from 'node:timers/promises';
import { isRetryable } from '../aws/retry.js';

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => delay(ms);

/** Token bucket: `ratePerSecond` calls on average, bursts of up to `burst`. */
export class RateBudget {
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`rate budget ${ratePerSecond}/s burst ${burst}: expected a positive rate and a burst of at least 1`);
    this.#tokens = burst;
    this.#last = now();
  }

  /** Resolves when one call may go out; callers are served in order. */
  take(): Promise<void> {
    const turn = this.#queue.then(() => this.#takeOne());
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #takeOne(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) / 1000) * this.ratePerSecond);
      this.#last = t;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.#tokens) / this.ratePerSecond) * 1000));
    }
  }
}

const RETRYABLE = new Set(['ThrottlingException', 'Throttling', 'LimitExceededException', 'TooManyRequestsException', 'RequestLimitExceeded']);

export function isThrottle(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; statusCode?: unknown };
  return (typeof e.name === 'string' && RETRYABLE.has(e.name)) || e.statusCode === 429;
}

/** No answer, or a 5xx / transient code: worth a few more tries (the SDK's standard mode allows 3 attempts). */
const TRANSIENT_ATTEMPTS = 3;
const isTransient = (err: unknown) => !isThrottle(err) && isRetryable(err);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: Sleep;
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000, sleep: realSleep, random: Math.random };

/**
 * Runs one AWS call inside the budget, retrying throttling (up to
 * maxAttempts) and transient failures (up to 3 attempts) with exponential
 * backoff and full jitter; each attempt takes its own token.
 */
export async function budgetedCall<T>(budget: RateBudget, call: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await budget.take();
    try {
      return await call();
    } catch (err) {
      const limit = isThrottle(err) ? policy.maxAttempts : isTransient(err) ? Math.min(policy.maxAttempts, TRANSIENT_ATTEMPTS) : 0;
      if (attempt >= limit) throw err;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await policy.sleep(Math.floor(policy.random() * cap));
    }
  }
}
