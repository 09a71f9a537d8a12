// One cold-start model for on-demand, provisioned concurrency, SnapStart and
// proactive initialization. A cold start is an invocation that waited for its
// environment's init: the first invocation of an on-demand environment whose
// init finished just before it. Provisioned concurrency and SnapStart
// environments are initialised ahead of traffic, and Lambda also initialises
// some on-demand environments proactively; their first invocation did not wait.
import type { InitType } from '../../config.js';

/** An init that finished this long before the first invocation was proactive, not waited for. */
export const PROACTIVE_INIT_GAP_MS = 10_000;

export interface FirstInvocationVerdict {
  readonly firstInvocation: boolean;
  readonly coldStart: boolean;
  readonly initDurationMs: number | undefined;
}

export interface ColdStartTracker {
  /** Marks the end of init (handler loaded). Idempotent: the first call wins. */
  initDone(nowMs: number): void;
  /** Called at the start of every invocation. */
  onInvocation(nowMs: number): FirstInvocationVerdict;
}

const WARM: FirstInvocationVerdict = Object.freeze({ firstInvocation: false, coldStart: false, initDurationMs: undefined });

/**
 * @param initStartMs epoch ms at which the environment's init began (the process start).
 */
export function createColdStartTracker(initType: InitType, initStartMs: number): ColdStartTracker {
  let initEndMs: number | undefined;
  let seen = false;
  return {
    initDone(nowMs) {
      initEndMs ??= nowMs;
    },
    onInvocation(nowMs) {
      if (seen) return WARM;
      seen = true;
      const end = initEndMs ?? nowMs;
      const proactive = nowMs - end > PROACTIVE_INIT_GAP_MS;
      return {
        firstInvocation: true,
        coldStart: initType === 'on-demand' && !proactive,
        initDurationMs: Math.max(0, end - initStartMs),
      };
    },
  };
}
