// Our dispatcher in front of another (the global one, or one the function
// gives fetch): the same in every respect except `dispatch`, which traces.
import { GLOBAL_DISPATCHER, GLOBAL_DISPATCHER_2, globalSlots as g, isPlainUndiciAgent, type Dispatcher } from '../../undiciInternals.js';
import type { UndiciDispatchOptions, UndiciHandler } from '../../seam.js';
import type { Front, UndiciState } from './state.js';
import { tracedDispatch } from './tracedDispatch.js';

/** A dispatcher that is `inner` in every respect except `dispatch`. */
export function wrapDispatcher(state: UndiciState, inner: Dispatcher): Dispatcher {
  const front: Front = { inner, headersOnCreate: isPlainUndiciAgent(inner) };
  const dispatch = (opts: UndiciDispatchOptions, handler: UndiciHandler) => tracedDispatch(state, front, opts, handler);
  // Every member but `dispatch` is inner's, bound to it, through a Proxy. The
  // two that Node's fetch reads on every call are own properties of the
  // wrapper in front of that Proxy, so they never go through its trap, which
  // costs more than the rest of a traced dispatch's bookkeeping.
  const rest = new Proxy(inner, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value, target);
    },
  });
  const wrapper = Object.create(rest, {
    // Assigning either one reaches inner, as through the Proxy: a replaced dispatch is still fronted by ours.
    dispatch: { get: () => dispatch, set: (v: unknown) => void ((inner as { dispatch: unknown }).dispatch = v), configurable: true },
    isMockActive: {
      get: () => (inner as { isMockActive?: unknown }).isMockActive,
      set: (v: unknown) => void ((inner as { isMockActive?: unknown }).isMockActive = v),
      configurable: true,
    },
  }) as Dispatcher;
  state.wrappers.set(wrapper, inner);
  return wrapper;
}

/** Puts our dispatcher in front of the global one, if there is one and it is not ours yet. */
export function ensureGlobalWrapped(state: UndiciState): void {
  const current = g[GLOBAL_DISPATCHER];
  if (current === undefined || state.wrappers.has(current)) return;
  state.dispatchFrames.adopt(current);
  const wrapped = wrapDispatcher(state, current);
  g[GLOBAL_DISPATCHER] = wrapped;
  if (g[GLOBAL_DISPATCHER_2] === current) g[GLOBAL_DISPATCHER_2] = wrapped;
}

export function isDispatcher(v: unknown): v is Dispatcher {
  return typeof v === 'object' && v !== null && typeof (v as { dispatch?: unknown }).dispatch === 'function';
}
