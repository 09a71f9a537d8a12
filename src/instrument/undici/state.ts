// What the undici instrumentation's parts share: the installation's state,
// and what each wrapper of ours knows of the dispatcher it fronts.
import type { Context, Span } from '@opentelemetry/api';
import type { Dispatcher } from '../../undiciInternals.js';
import type { InstrumentationDeps } from '../deps.js';
import type { DispatchFrames } from './dispatchFrames.js';

export interface UndiciState {
  deps: InstrumentationDeps;
  /** True while our wrapper is inside the real dispatch: the diagnostics channel then leaves the request to us. */
  dispatching: boolean;
  /** Our wrappers, each to the dispatcher it fronts. */
  wrappers: WeakMap<object, Dispatcher>;
  /** The function's own dispatchers (fetch's `dispatcher` option), each to our wrapper in front of it. */
  fronts: WeakMap<object, Dispatcher>;
  /** The trace headers for the request undici is making inside our dispatch (Front.headersOnCreate), until added. */
  pending: PendingHeaders | undefined;
  /** Whether undici made a request inside our current dispatch. */
  made: boolean;
  /**
   * Our calls whose request undici makes later (a pool at its connection
   * limit queues the call), by the handler the request will carry: with the
   * trace headers still to add, or null when they are in the options already.
   * The channel then knows the request as ours.
   */
  later: WeakMap<object, PendingHeaders | null>;
  /** The frame each call through undici's own dispatchers was dispatched in (dispatchFrames.ts). */
  dispatchFrames: DispatchFrames;
}

export interface PendingHeaders {
  readonly ctx: Context;
  readonly span: Span;
  added: boolean;
}

/** One of our wrappers: the dispatcher it fronts, and how trace headers reach that dispatcher's requests. */
export interface Front {
  readonly inner: Dispatcher;
  /**
   * undici's own Agent makes each request inside `dispatch` (Agent → Pool →
   * Client), so its trace headers can be added to the made request from the
   * `undici:request:create` channel, instead of copying the options and the
   * headers of every call (docs/benchmarks.md). Any other
   * dispatcher (a mock, a proxy, a composed one) gets them in a copy. A call
   * that a pool at its connection limit queues has its request made later:
   * its headers wait for it (UndiciState.later).
   */
  headersOnCreate: boolean;
}
