// The global fetch, wrapped: its global dispatcher put behind ours on first
// use, a dispatcher of the function's own (init.dispatcher) too, and a span
// for a fetch that rejects before it dispatches.
import { isTracingSuppressed } from '@opentelemetry/core';
import { GLOBAL_DISPATCHER, globalSlots as g, type Dispatcher } from '../../undiciInternals.js';
import { frames } from '../../invocationState.js';
import { endClientSpan, recordError, startClientSpan } from '../clientSpan.js';
import { failsBeforeDispatch } from '../fetchRefusal.js';
import { ensureGlobalWrapped, isDispatcher, wrapDispatcher } from './dispatcherProxy.js';
import { originOfUrl } from './origin.js';
import type { UndiciState } from './state.js';

/**
 * fetch's `init` with its `dispatcher` (the function's own Agent, Pool…)
 * behind our wrapper, so that its calls get faults as well as spans. The
 * caller's object is left alone: the copy inherits from it, so every other
 * member reads the same, getters and inherited ones included.
 */
function withOwnDispatcherWrapped(state: UndiciState, init: unknown): unknown {
  if (typeof init !== 'object' || init === null) return init;
  const own = (init as { dispatcher?: unknown }).dispatcher;
  if (!isDispatcher(own) || state.wrappers.has(own)) return init;
  let front = state.fronts.get(own);
  if (front === undefined) {
    state.dispatchFrames.adopt(own);
    front = wrapDispatcher(state, own);
    state.fronts.set(own, front);
  }
  return Object.create(init, { dispatcher: { value: front, enumerable: true, writable: true, configurable: true } }) as unknown;
}

/**
 * A fetch that rejects before dispatching (fetchRefusal.ts) still gets its
 * client span, as the same call through node:http does: started and ended
 * with the error once fetch rejects, in the caller's context.
 */
function withRefusalSpan(state: UndiciState, input: unknown, init: RequestInit | undefined, response: Promise<Response>): Promise<Response> {
  const tracer = state.deps.tracer;
  const frame = frames.getStore();
  const ctx = state.deps.activeContext(frame);
  if (tracer === undefined || isTracingSuppressed(ctx)) return response;
  return response.then(undefined, (err: unknown) => {
    try {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : String((input as { url?: unknown }).url));
      const origin = originOfUrl(url);
      const given = init?.method ?? (input as { method?: unknown } | null)?.method;
      const method = typeof given === 'string' ? given.toUpperCase() : 'GET';
      const cs = startClientSpan(tracer, ctx, { protocol: origin.protocol, host: origin.host, port: origin.port, method, path: url.pathname + url.search }, undefined, state.deps.redactor, frame?.invocation);
      // fetch's TypeError says only "fetch failed"; its cause says why, as undici's error does for a dispatched call.
      const cause = (err as { cause?: unknown } | null)?.cause;
      recordError(cs, err instanceof TypeError && cause instanceof Error ? cause : err);
      endClientSpan(cs);
    } catch {
      // never fail the caller's call over telemetry
    }
    throw err;
  });
}

/**
 * Node (20 to 24) creates its fetch's global dispatcher only when fetch is first used
 * (loading undici costs too much to force at init; docs/benchmarks.md): the first call
 * through our fetch wrapper loads it, wraps it, then fetches. A dispatcher of
 * the function's own, given in `init`, is put behind a wrapper of ours too.
 */
export function wrapFetch(state: UndiciState): (() => void) | undefined {
  const original = globalThis.fetch;
  if (typeof original !== 'function') return undefined;
  // The global dispatcher our wrapper was last seen in place as: one comparison per call while it stays.
  let seen: Dispatcher | undefined;
  const fetch = function fetch(this: unknown, input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) {
    const current = g[GLOBAL_DISPATCHER];
    if (current === undefined || current !== seen) {
      if (current === undefined || !state.wrappers.has(current)) {
        if (current === undefined) void globalThis.Headers; // loads Node's undici, which sets its global dispatcher
        ensureGlobalWrapped(state);
      }
      seen = g[GLOBAL_DISPATCHER];
    }
    // fetch takes two arguments; an absent init and an undefined one are the same to it.
    const response = original.call(this, input, init === undefined ? init : (withOwnDispatcherWrapped(state, init) as RequestInit));
    return failsBeforeDispatch(input, init) ? withRefusalSpan(state, input, init, response) : response;
  } as typeof globalThis.fetch;
  globalThis.fetch = fetch;
  return () => {
    if (globalThis.fetch === fetch) globalThis.fetch = original;
  };
}
