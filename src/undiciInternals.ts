// Every reliance of faultline on undici's internals, for the instrumentation
// (src/instrument/undici/) and the wire faults (src/chaos/wire/) alike: class
// and symbol names, channel names and message shapes, handler API shapes.
// undici promises none of these; test/instrument/undiciInternals.test.ts
// checks each against the installed undici and Node's bundled one, and names
// the internal and the version when an upgrade changes it.
import type { UndiciDispatchOptions, UndiciHandler } from './seam.js';

/** What the agent needs of a dispatcher (undici's Dispatcher API). */
export interface Dispatcher {
  dispatch(opts: UndiciDispatchOptions, handler: UndiciHandler): boolean;
}

/** Where undici (Node's fetch, npm undici, every copy) keeps the global dispatcher (lib/global.js). */
export const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
/** undici 7's second global slot, kept equal to the first by setGlobalDispatcher. */
export const GLOBAL_DISPATCHER_2 = Symbol.for('undici.globalDispatcher.2');

export const globalSlots = globalThis as unknown as Record<symbol, Dispatcher | undefined>;

/** Agent's constructor name (lib/dispatcher/agent.js). */
export const AGENT_CLASS = 'Agent';
/** The description of Agent's `kClients` symbol (lib/core/symbols.js). */
export const CLIENTS_SYMBOL = 'clients';
/** The description of Request's `kHandler` symbol (lib/core/request.js). */
export const HANDLER_SYMBOL = 'handler';
/** The class every undici dispatcher's `dispatch` comes from, and its module's path (lib/dispatcher/dispatcher-base.js). */
export const DISPATCHER_BASE_CLASS = 'DispatcherBase';
export const DISPATCHER_BASE_MODULE = 'dispatcher-base';

/** Whether `d` is undici's own Agent, as Node's fetch or npm undici made it: not a subclass, not composed with interceptors. */
export function isPlainUndiciAgent(d: Dispatcher): boolean {
  const proto = Object.getPrototypeOf(d) as { constructor?: { name?: unknown } } | null;
  return (
    proto?.constructor?.name === AGENT_CLASS &&
    d.dispatch === (proto as Dispatcher).dispatch && // compose() answers a dispatch of its own
    Object.getOwnPropertySymbols(d).some((s) => s.description === CLIENTS_SYMBOL)
  );
}

// The handler symbol of each Request class (one per undici copy), found on its first request.
const handlerKeys = new WeakMap<object, symbol | null>();

/** The symbol under which a made Request keeps its handler, or undefined. */
export function handlerKeyOf(request: object): symbol | undefined {
  const proto = Object.getPrototypeOf(request) as object | null;
  if (proto === null) return undefined;
  let key = handlerKeys.get(proto);
  if (key === undefined) {
    key = Object.getOwnPropertySymbols(request).find((s) => s.description === HANDLER_SYMBOL) ?? null;
    handlerKeys.set(proto, key);
  }
  return key ?? undefined;
}

/** The prototype in `proto`'s chain that owns `dispatch` as DispatcherBase: the one every undici dispatcher goes through. */
export function dispatcherBaseOf<D>(proto: object | null): (object & { dispatch: D }) | undefined {
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    if (p.constructor?.name === DISPATCHER_BASE_CLASS && Object.hasOwn(p, 'dispatch')) return p as object & { dispatch: D };
  }
  return undefined;
}

/** undici's diagnostics channels (undici/docs/api/DiagnosticsChannel.md), as far as the agent listens. */
export const CHANNEL_CREATE = 'undici:request:create';
export const CHANNEL_HEADERS = 'undici:request:headers';
export const CHANNEL_TRAILERS = 'undici:request:trailers';
export const CHANNEL_ERROR = 'undici:request:error';

/**
 * A made request as the channels publish it (lib/core/request.js): headers a
 * flat name/value array in undici 6 and 7, a `name: value\r\n` string before;
 * `addHeader` on all of them.
 */
export interface UndiciRequestLike {
  origin?: string | URL;
  method?: string;
  path?: string;
  headers?: unknown;
  body?: unknown;
  upgrade?: string | null;
  headersTimeout?: number | null;
  bodyTimeout?: number | null;
  addHeader?(k: string, v: string): unknown;
}

/** `undici:request:create`. */
export interface CreateMessage {
  readonly request: UndiciRequestLike;
}
/** `undici:request:headers`: response headers as the legacy flat `rawHeaders`. */
export interface HeadersMessage {
  readonly request: object;
  readonly response: { readonly statusCode: number; readonly headers: (Buffer | string)[] };
}
/** `undici:request:trailers`. */
export interface TrailersMessage {
  readonly request: object;
}
/** `undici:request:error`. */
export interface ErrorMessage {
  readonly request: object;
  readonly error: unknown;
}

/**
 * Whether a handler speaks undici 7's controller API (onRequestStart …
 * onResponseEnd) rather than the legacy callbacks (onConnect … onComplete).
 * undici 7 wraps a controller-API handler in a legacy one before it makes the
 * request, so the handler a made request carries is always legacy.
 */
export function isControllerApi(h: UndiciHandler): boolean {
  return typeof h.onRequestStart === 'function' || typeof h.onResponseStart === 'function';
}

/**
 * The optional legacy callbacks, which undici calls only when a handler has
 * them (onUpgrade is also what it requires of upgrade and CONNECT requests).
 */
export const OPTIONAL_LEGACY_CALLBACKS = ['onBodySent', 'onRequestSent', 'onResponseStarted', 'onUpgrade'] as const;

/**
 * Thrown from a made request's onConnect: undici drops the request unwritten
 * (the request gate's shut state, src/chaos/wire/undiciRequestGate.ts), then
 * reports it to onError. undici 7 replaces the connection it was to go on.
 */
// Pure, so the observe build, which never stops a request, drops it.
export const REQUEST_STOPPED = /* @__PURE__ */ Object.assign(/* @__PURE__ */ new Error('request replaced by an injected fault'), { code: 'FAULTLINE_STOPPED' });

/** What Node's fetch reads of its dispatcher on every call, besides `dispatch` (lib/web/fetch/index.js). */
export const FETCH_READS = 'isMockActive';
