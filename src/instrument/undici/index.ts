// Outgoing calls through undici: Node's built-in fetch and the npm `undici`
// package both send through the global dispatcher stored on globalThis; we put
// a delegating dispatcher in its place (no undici import, so the layer stays
// small). Calls through a dispatcher of the function's own that fetch's
// wrapper cannot reach (npm undici's own API) are seen on undici's
// diagnostics channels instead: spans and traceparent from there, and faults
// through a gate put in place of the request's handler.
import { GLOBAL_DISPATCHER, GLOBAL_DISPATCHER_2, globalSlots as g } from '../../undiciInternals.js';
import type { InstrumentationDeps } from '../deps.js';
import { subscribeChannels } from './channels.js';
import { ensureGlobalWrapped } from './dispatcherProxy.js';
import { trackDispatchFrames } from './dispatchFrames.js';
import { wrapFetch } from './fetch.js';
import type { UndiciState } from './state.js';

export function instrumentUndici(deps: InstrumentationDeps): () => void {
  // Our own dispatches are traced by tracedDispatch: undici's dispatch records nothing for them.
  const dispatchFrames = trackDispatchFrames(
    () => state.dispatching,
    (frame) => deps.activeContext(frame),
  );
  const state: UndiciState = { deps, dispatching: false, wrappers: new WeakMap(), fronts: new WeakMap(), pending: undefined, made: false, later: new WeakMap(), dispatchFrames };
  ensureGlobalWrapped(state);
  const unwrapFetch = wrapFetch(state);
  const unsubscribe = subscribeChannels(state);
  return () => {
    unsubscribe();
    state.dispatchFrames.uninstall();
    unwrapFetch?.();
    const current = g[GLOBAL_DISPATCHER];
    if (current !== undefined && state.wrappers.has(current)) {
      g[GLOBAL_DISPATCHER] = state.wrappers.get(current);
      if (g[GLOBAL_DISPATCHER_2] === current) g[GLOBAL_DISPATCHER_2] = state.wrappers.get(current);
    }
  };
}
