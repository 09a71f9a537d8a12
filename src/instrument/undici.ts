// Outgoing calls through undici: Node's built-in fetch and the npm `undici`
// package both send through the global dispatcher stored on globalThis; we put
// a delegating dispatcher in its place (no undici import, so the layer stays
// small). Calls through a dispatcher of the function's own that fetch's
// wrapper cannot reach (npm undici's own API) are seen on undici's
// diagnostics channels instead: spans and traceparent from there, and faults
// through a gate put in place of the request's handler.
import diagnostics from 'node:diagnostics_channel';
import { type Context, type Span, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { awsCallOf, serviceFromHost, type AwsCall, type HeaderBag } from './awsCall.js';
import { endClientSpan, recordError, recordResponse, startClientSpan, type ClientSpan } from './clientSpan.js';
import type { InstrumentationDeps } from './deps.js';
import type { FaultHook, OutgoingCall, UndiciController, UndiciDispatch, UndiciDispatchOptions, UndiciHandler } from './faultHook.js';
import { frames, runOutsideInvocations, type InvocationState } from '../invocationState.js';
import { failsBeforeDispatch } from './fetchRefusal.js';
import { descriptorOf } from './http.js';
import { injectTraceHeaders, writesDirectly } from './traceHeaders.js';
import { trackDispatchFrames, type DispatchFrames } from './undiciDispatchFrames.js';
import { traceparentOf } from '../telemetry/traceparent.js';

interface Dispatcher {
  dispatch(opts: UndiciDispatchOptions, handler: UndiciHandler): boolean;
}

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');
const GLOBAL_DISPATCHER_2 = Symbol.for('undici.globalDispatcher.2');
const g = globalThis as unknown as Record<symbol, Dispatcher | undefined>;

/** Request headers as a lower-case bag, from undici's object or flat-array forms. */
export function undiciHeaders(headers: UndiciDispatchOptions['headers']): HeaderBag {
  if (headers === null || headers === undefined) return {};
  const out: Record<string, string | string[]> = {};
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) out[k.toLowerCase()] = v;
  }
  return out;
}

/** Bits of undiciHeaderFlags. */
export const HAS_AUTHORIZATION = 1;
export const HAS_TRACE_HEADER = 2;

function headerFlag(name: string): number {
  // Only names of the right length are lower-cased: most headers are none of the three.
  const n = name.length;
  if (n !== 13 && n !== 11 && n !== 10) return 0;
  const lower = name.toLowerCase();
  if (lower === 'authorization') return HAS_AUTHORIZATION;
  return lower === 'traceparent' || lower === 'tracestate' ? HAS_TRACE_HEADER : 0;
}

/**
 * Which of `authorization` and the trace headers (`traceparent`, `tracestate`)
 * undici's request headers name, in one pass: every traced call asks both.
 */
export function undiciHeaderFlags(headers: UndiciDispatchOptions['headers']): number {
  if (headers === null || headers === undefined) return 0;
  let flags = 0;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) flags |= headerFlag(String(headers[i]));
    return flags;
  }
  for (const k in headers) if (headers[k] !== undefined) flags |= headerFlag(k);
  return flags;
}

/** Response headers from the legacy `rawHeaders` (alternating name/value buffers). */
export function rawHeadersToBag(raw: readonly (Buffer | string)[] | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i]!.toString().toLowerCase()] = raw[i + 1]!.toString();
  return out;
}

const objectSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
const arraySetter: TextMapSetter<unknown[]> = {
  set(carrier, key, value) {
    carrier.push(key, value);
  },
};

/** A copy of the request headers with `traceparent` (and tracestate, baggage) added, in the form undici gave them. */
function withTraceHeaders(headers: UndiciDispatchOptions['headers'], ctx: Context, span: Span, direct: boolean): UndiciDispatchOptions['headers'] {
  if (Array.isArray(headers)) {
    const out: unknown[] = headers.slice();
    injectTraceHeaders(ctx, span, out, arraySetter, direct);
    return out as UndiciDispatchOptions['headers'];
  }
  const out: Record<string, string> = { ...((headers ?? {}) as Record<string, string>) };
  injectTraceHeaders(ctx, span, out, objectSetter, direct);
  return out;
}

/** What a span needs of a request's origin. */
interface Origin {
  readonly protocol: string;
  /** Without the brackets of an IPv6 literal. */
  readonly host: string;
  readonly port: number;
  /** An AWS endpoint (awsCall.serviceFromHost), decided once per origin. */
  readonly awsHost: boolean;
}

function originOfUrl(u: URL): Origin {
  const protocol = u.protocol;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { protocol, host, port: u.port !== '' ? Number(u.port) : protocol === 'https:' ? 443 : 80, awsHost: serviceFromHost(host) !== undefined };
}

// By origin string: calls mostly repeat a few origins, and a URL's getters build new strings each time.
const originCache = new Map<string, Origin>();
// And the last one: comparing with it is cheaper than hashing the new string undici builds for every call.
let lastOrigin: string | undefined;
let lastParsed: Origin | undefined;

/** The request's origin, or undefined when it has none; throws on one that is not a URL. */
export function parseOrigin(origin: string | URL | undefined): Origin | undefined {
  if (origin === undefined) return undefined;
  if (origin instanceof URL) return originOfUrl(origin);
  if (origin === lastOrigin) return lastParsed;
  let o = originCache.get(origin);
  if (o === undefined) {
    o = originOfUrl(new URL(origin));
    if (originCache.size < 256) originCache.set(origin, o);
  }
  lastOrigin = origin;
  lastParsed = o;
  return o;
}

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('latin1');
  return undefined;
}

type Forward = (...args: unknown[]) => unknown;

/** Calls `inner[name]` with `inner` as `this`, if it has one (undici checks optional callbacks by presence). */
export function forward(inner: UndiciHandler, name: string, args: unknown[]): unknown {
  const fn = inner[name];
  return typeof fn === 'function' ? Reflect.apply(fn as Forward, inner, args) : undefined;
}

/**
 * Legacy handler API (onConnect … onComplete, Node 20's fetch): records the
 * outcome on the span and forwards everything. A class, so each call costs
 * one object rather than a closure per callback.
 */
class LegacyObserver implements UndiciHandler {
  [key: string]: unknown;
  constructor(
    readonly inner: UndiciHandler,
    readonly cs: ClientSpan,
    private readonly isAws: boolean,
  ) {}

  onConnect(abort: (reason?: Error) => void, ctx?: unknown): void {
    this.inner.onConnect?.(abort, ctx);
  }
  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (status >= 200) recordResponse(this.cs, status, this.isAws ? rawHeadersToBag(rawHeaders) : NO_HEADERS, this.isAws);
    return this.inner.onHeaders?.(status, rawHeaders, resume, statusText) ?? true;
  }
  onData(chunk: Buffer): boolean {
    return this.inner.onData?.(chunk) ?? true;
  }
  onComplete(trailers: Buffer[] | null): void {
    endClientSpan(this.cs);
    this.inner.onComplete?.(trailers);
  }
  onError(err: Error): void {
    recordError(this.cs, err);
    endClientSpan(this.cs);
    this.inner.onError?.(err);
  }
}

type Forwarder = (this: LegacyObserver, ...a: unknown[]) => unknown;
type Inner = Record<string, (...a: unknown[]) => unknown>;

// Callbacks undici calls only when the handler has them: an observer has one
// exactly when the caller's handler does, as undici would see the caller's.
// onUpgrade is also what undici requires of upgrade and CONNECT requests.
const OPTIONAL_CALLBACKS: readonly (readonly [string, Forwarder])[] = [
  [
    'onBodySent',
    function (this: LegacyObserver, ...a: unknown[]) {
      return forward(this.inner, 'onBodySent', a);
    },
  ],
  [
    'onRequestSent',
    function (this: LegacyObserver) {
      return (this.inner as Inner).onRequestSent!();
    },
  ],
  [
    'onResponseStarted',
    function (this: LegacyObserver) {
      return (this.inner as Inner).onResponseStarted!();
    },
  ],
  [
    'onUpgrade',
    function (this: LegacyObserver, ...a: unknown[]) {
      endClientSpan(this.cs);
      return forward(this.inner, 'onUpgrade', a);
    },
  ],
];

/** The observer class for each set of optional callbacks (a bit each), made when first needed. */
const legacyObservers: (typeof LegacyObserver)[] = [];

function legacyObserverFor(inner: UndiciHandler): typeof LegacyObserver {
  // Named reads, in OPTIONAL_CALLBACKS' order: each stays a monomorphic property load, where a loop over the names would not.
  const shape =
    (typeof inner.onBodySent === 'function' ? 1 : 0) |
    (typeof inner.onRequestSent === 'function' ? 2 : 0) |
    (typeof inner.onResponseStarted === 'function' ? 4 : 0) |
    (typeof inner.onUpgrade === 'function' ? 8 : 0);
  let Observer = legacyObservers[shape];
  if (Observer === undefined) {
    Observer = class extends LegacyObserver {};
    for (let i = 0; i < OPTIONAL_CALLBACKS.length; i++) {
      const [name, fn] = OPTIONAL_CALLBACKS[i]!;
      if ((shape & (1 << i)) !== 0) Object.defineProperty(Observer.prototype, name, { value: fn, writable: true, configurable: true });
    }
    legacyObservers[shape] = Observer;
  }
  return Observer;
}

/** Handler API of undici 7 (onRequestStart … onResponseEnd). */
class ControllerObserver implements UndiciHandler {
  [key: string]: unknown;
  constructor(
    private readonly inner: UndiciHandler,
    private readonly cs: ClientSpan,
    private readonly isAws: boolean,
  ) {}
  onRequestStart(c: UndiciController, ctx: unknown): void {
    this.inner.onRequestStart?.(c, ctx);
  }
  onRequestUpgrade(...a: unknown[]): unknown {
    endClientSpan(this.cs);
    return forward(this.inner, 'onRequestUpgrade', a);
  }
  onResponseStart(c: UndiciController, status: number, headers: Record<string, string | string[]>, text?: string): void {
    if (status >= 200) recordResponse(this.cs, status, headers, this.isAws);
    this.inner.onResponseStart?.(c, status, headers, text);
  }
  onResponseData(c: UndiciController, chunk: Buffer): void {
    this.inner.onResponseData?.(c, chunk);
  }
  onResponseEnd(c: UndiciController, trailers: Record<string, string | string[]>): void {
    endClientSpan(this.cs);
    this.inner.onResponseEnd?.(c, trailers);
  }
  onResponseError(c: UndiciController, err: Error): void {
    recordError(this.cs, err);
    endClientSpan(this.cs);
    this.inner.onResponseError?.(c, err);
  }
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A handler of the same API as `inner` that records the outcome on the span. */
export function observingHandler(inner: UndiciHandler, cs: ClientSpan, isAws: boolean): UndiciHandler {
  if (typeof inner.onRequestStart === 'function' || typeof inner.onResponseStart === 'function') {
    return new ControllerObserver(inner, cs, isAws);
  }
  const Observer = legacyObserverFor(inner);
  return new Observer(inner, cs, isAws);
}

interface UndiciState {
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
  /** The frame each call through undici's own dispatchers was dispatched in (undiciDispatchFrames.ts). */
  dispatchFrames: DispatchFrames;
}

interface PendingHeaders {
  readonly ctx: Context;
  readonly span: Span;
  added: boolean;
}

/** One of our wrappers: the dispatcher it fronts, and how trace headers reach that dispatcher's requests. */
interface Front {
  readonly inner: Dispatcher;
  /**
   * undici's own Agent makes each request inside `dispatch` (Agent → Pool →
   * Client), so its trace headers can be added to the made request from the
   * `undici:request:create` channel, instead of copying the options and the
   * headers of every call (about 1.5 µs a fetch on Node 20). Any other
   * dispatcher (a mock, a proxy, a composed one) gets them in a copy. A call
   * that a pool at its connection limit queues has its request made later:
   * its headers wait for it (UndiciState.later).
   */
  headersOnCreate: boolean;
}

/** Whether `d` is undici's own Agent, as Node's fetch or npm undici made it: not a subclass, not composed with interceptors. */
export function isPlainUndiciAgent(d: Dispatcher): boolean {
  const proto = Object.getPrototypeOf(d) as { constructor?: { name?: unknown } } | null;
  return (
    proto?.constructor?.name === 'Agent' &&
    d.dispatch === (proto as Dispatcher).dispatch && // compose() answers a dispatch of its own
    Object.getOwnPropertySymbols(d).some((s) => s.description === 'clients')
  );
}

function dispatchInner(state: UndiciState, inner: Dispatcher, o: UndiciDispatchOptions, h: UndiciHandler): boolean {
  const outer = state.dispatching; // a dispatcher of the function's own may hand the call to the global one, ours too
  state.dispatching = true;
  state.made = false;
  try {
    return inner.dispatch(o, h);
  } finally {
    state.dispatching = outer;
    if (!state.made) state.later.set(h, state.pending ?? null);
    state.pending = undefined;
  }
}

/** The call, its trace headers added by the channel as undici makes its request (Front.headersOnCreate). */
function dispatchAddingHeaders(state: UndiciState, front: Front, ctx: Context, cs: ClientSpan, o: UndiciDispatchOptions, h: UndiciHandler): boolean {
  const pending: PendingHeaders = { ctx, span: cs.span, added: false };
  state.pending = pending;
  try {
    return dispatchInner(state, front.inner, o, h);
  } catch (err) {
    failClientSpan(cs, err);
    throw err;
  } finally {
    // A request made without taking them (an undici whose requests have no addHeader): copy from now on.
    if (state.made && pending.added !== true) front.headersOnCreate = false;
  }
}

function failClientSpan(cs: ClientSpan, err: unknown): void {
  recordError(cs, err);
  endClientSpan(cs);
}

function tracedDispatch(state: UndiciState, front: Front, opts: UndiciDispatchOptions, handler: UndiciHandler): boolean {
  const inner = front.inner;
  const deps = state.deps;
  const frame = frames.getStore();
  const ctx = deps.activeContext(frame);
  if (isTracingSuppressed(ctx)) return dispatchInner(state, inner, opts, handler);
  let origin: Origin | undefined;
  try {
    origin = parseOrigin(opts.origin);
  } catch {
    origin = undefined;
  }
  if (origin === undefined || typeof opts.path !== 'string') return dispatchInner(state, inner, opts, handler);

  const { protocol, host, port } = origin;
  const method = (opts.method ?? 'GET').toUpperCase();
  const headerFlags = undiciHeaderFlags(opts.headers);
  // Only a signed request or an AWS host can be an AWS call: most calls skip the header copy and the parse.
  const maybeAws = origin.awsHost || (headerFlags & HAS_AUTHORIZATION) !== 0 || opts.path.includes('X-Amz-Credential=');
  let headers: HeaderBag | undefined = maybeAws ? undiciHeaders(opts.headers) : undefined;
  const aws: AwsCall | undefined = headers !== undefined ? awsCallOf({ host, method, path: opts.path, headers, body: bodyText(opts.body) }) : undefined;

  const hook = deps.faultHook();
  let cs: ClientSpan | undefined;
  let o = opts;
  let h = handler;
  if (deps.tracer !== undefined) {
    cs = startClientSpan(deps.tracer, ctx, { protocol, host, port, method, path: opts.path }, aws, deps.redactor, frame?.invocation);
    h = observingHandler(handler, cs, aws !== undefined);
    // A fault may dispatch later (latency) or not at all: calls that meet the hook take the copy.
    // Added to a made request, trace headers could not replace ones the caller set, as they do in a copy of its headers.
    if (hook === undefined && front.headersOnCreate && (headerFlags & HAS_TRACE_HEADER) === 0 && writesDirectly(ctx, deps.directW3c)) {
      return dispatchAddingHeaders(state, front, ctx, cs, opts, h);
    }
    o = { ...opts, headers: withTraceHeaders(opts.headers, ctx, cs.span, deps.directW3c) };
  }

  if (hook !== undefined) {
    try {
      const descriptor = descriptorOf(host, opts.path, aws);
      const decision = hook.decide(descriptor);
      if (decision !== undefined) {
        const call: OutgoingCall = {
          descriptor,
          transport: 'undici',
          protocol,
          host,
          port,
          method,
          path: opts.path,
          headers: (headers ??= undiciHeaders(opts.headers)),
          aws,
          span: cs?.span,
        };
        const realDispatch: UndiciDispatch = (o2, h2) => dispatchInner(state, inner, o2, h2);
        return hook.dispatchUndici(decision, call, realDispatch, o, h);
      }
    } catch {
      // a broken hook must never break the call: fall through to the real dispatch
    }
  }
  try {
    return dispatchInner(state, inner, o, h);
  } catch (err) {
    if (cs !== undefined) failClientSpan(cs, err);
    throw err;
  }
}

/** A dispatcher that is `inner` in every respect except `dispatch`. */
function wrapDispatcher(state: UndiciState, inner: Dispatcher): Dispatcher {
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
function ensureGlobalWrapped(state: UndiciState): void {
  const current = g[GLOBAL_DISPATCHER];
  if (current === undefined || state.wrappers.has(current)) return;
  state.dispatchFrames.adopt(current);
  const wrapped = wrapDispatcher(state, current);
  g[GLOBAL_DISPATCHER] = wrapped;
  if (g[GLOBAL_DISPATCHER_2] === current) g[GLOBAL_DISPATCHER_2] = wrapped;
}

const headerSetter: TextMapSetter<{ addHeader(k: string, v: string): unknown }> = {
  set(req, key, value) {
    req.addHeader(key, value);
  },
};

interface UndiciRequestLike {
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

/** A made request's headers (a flat array in undici 6 and 7, a string before). */
function madeRequestHeaders(headers: unknown): HeaderBag {
  if (Array.isArray(headers)) return undiciHeaders(headers as string[]);
  if (typeof headers !== 'string') return {};
  return rawHeadersToBag(
    headers.split('\r\n').flatMap((l) => {
      const i = l.indexOf(':');
      return i === -1 ? [] : [l.slice(0, i), l.slice(i + 1).trim()];
    }),
  );
}

/** Whether `traceparent` names a span still open in `invocation` (the current one): one of our client spans. */
function isOpenSpanOfInvocation(traceparent: string, invocation: InvocationState | undefined): boolean {
  if (invocation === undefined || invocation.openSpans.size === 0) return false;
  const spanId = traceparent.slice(36, 52);
  for (const span of invocation.openSpans) if (span.spanContext().spanId === spanId) return true;
  return false;
}

// The symbol under which undici's Request keeps its handler (`Symbol('handler')`), by Request class.
const handlerKeys = new WeakMap<object, symbol | null>();

function handlerKeyOf(request: object): symbol | undefined {
  const proto = Object.getPrototypeOf(request) as object | null;
  if (proto === null) return undefined;
  let key = handlerKeys.get(proto);
  if (key === undefined) {
    key = Object.getOwnPropertySymbols(request).find((s) => s.description === 'handler') ?? null;
    handlerKeys.set(proto, key);
  }
  return key ?? undefined;
}

/**
 * Spans and faults for requests that bypass our dispatchers (a custom Agent
 * used through npm undici's own API), from undici's diagnostics channels:
 * the request is seen once made, before it is written. Only
 * `request:create` is listened to until
 * such a request is seen: undici builds a message for each channel that has
 * subscribers, on every request, our own included.
 */
function subscribeChannels(state: UndiciState): () => void {
  const spans = new WeakMap<object, ClientSpan>();
  let outcomeSubscribed = false;
  /** Puts the fault's gate in place of the request's handler, if a rule hits the call. */
  const faultMadeRequest = (hook: FaultHook, request: UndiciRequestLike, call: Omit<OutgoingCall, 'descriptor' | 'span'>, cs: ClientSpan | undefined) => {
    if (request.upgrade || call.method === 'CONNECT') return;
    const key = handlerKeyOf(request);
    if (key === undefined) return;
    const descriptor = descriptorOf(call.host, call.path, call.aws);
    const decision = hook.decide(descriptor);
    if (decision === undefined) return;
    const slots = request as unknown as Record<symbol, UndiciHandler>;
    // The outcome the caller sees may be the fault's, which undici's channels never report: observed here instead.
    const handler = cs !== undefined ? observingHandler(slots[key]!, cs, call.aws !== undefined) : slots[key]!;
    const opts: UndiciDispatchOptions = { path: call.path, method: call.method, headersTimeout: request.headersTimeout, bodyTimeout: request.bodyTimeout };
    const gate = hook.faultUndiciRequest(decision, { ...call, descriptor, span: cs?.span }, opts, handler);
    spans.delete(request);
    slots[key] = gate;
  };
  /**
   * Adds a call's trace headers to its request; without addHeader they stay
   * unsent (and the dispatcher gets the copy). Where undici keeps a request's
   * headers as a flat name/value array (undici 6 and 7: Node 20's fetch on),
   * they are appended to it directly: addHeader would validate, on every call,
   * a name and a value the agent formatted itself. Written here rather than
   * through injectTraceHeaders with an array setter, which flattens the value
   * and goes through the setter: 0.6-0.8 µs more per fetch (Node 24, 8
   * processes each, two runs).
   */
  const addPendingHeaders = (request: UndiciRequestLike, pending: PendingHeaders) => {
    if (typeof request.addHeader !== 'function') return;
    try {
      const made = request.headers;
      if (Array.isArray(made) && writesDirectly(pending.ctx, state.deps.directW3c)) {
        const sc = pending.span.spanContext();
        made.push('traceparent', traceparentOf(sc.traceId, sc.spanId, sc.traceFlags, false)); // undici only concatenates it into the request head
        if (sc.traceState !== undefined) made.push('tracestate', sc.traceState.serialize());
      } else {
        injectTraceHeaders(pending.ctx, pending.span, request as { addHeader(k: string, v: string): unknown }, headerSetter, state.deps.directW3c);
      }
      pending.added = true;
    } catch {
      // never fail the caller's request over telemetry
    }
  };
  /** Whether this request is one of our calls that undici made after our dispatch returned; if so, its pending headers are added. */
  const isLaterOfOurs = (request: UndiciRequestLike): boolean => {
    const key = handlerKeyOf(request);
    const handler = key === undefined ? undefined : (request as unknown as Record<symbol, object | undefined>)[key];
    if (handler === undefined || !state.later.has(handler)) return false;
    const pending = state.later.get(handler);
    state.later.delete(handler);
    if (pending) addPendingHeaders(request, pending);
    return true;
  };
  const onCreate = (message: unknown) => {
    const { request } = message as { request: UndiciRequestLike };
    if (state.dispatching) {
      state.made = true;
      const pending = state.pending;
      if (pending !== undefined) {
        state.pending = undefined;
        addPendingHeaders(request, pending);
      }
      return;
    }
    if (isLaterOfOurs(request)) return;
    // npm undici loaded after us sets its own global dispatcher: take it over for the next calls.
    ensureGlobalWrapped(state);
    // The call's own frame and context, from its dispatch: a pool makes a queued call's request in the context of whichever call freed a connection.
    const site = state.dispatchFrames.site;
    const current = frames.getStore();
    const frame = site !== undefined ? site.frame : current;
    const ctx = site !== undefined ? site.context : state.deps.activeContext(frame);
    const tracer = state.deps.tracer;
    const hook = state.deps.faultHook();
    if ((tracer === undefined && hook === undefined) || isTracingSuppressed(ctx)) return;
    if (tracer !== undefined && !outcomeSubscribed) {
      outcomeSubscribed = true;
      for (const [name, fn] of outcome) diagnostics.subscribe(name, fn);
    }
    try {
      const origin = parseOrigin(request.origin);
      if (origin === undefined || typeof request.path !== 'string') return;
      const { protocol, host, port } = origin;
      const method = (request.method ?? 'GET').toUpperCase();
      const path = request.path;
      const headers = madeRequestHeaders(request.headers);
      const carried = headers.traceparent;
      // One of our dispatchers sent it, and something between it and undici made the request later (an interceptor).
      if (typeof carried === 'string' && isOpenSpanOfInvocation(carried, frame?.invocation)) return;
      const aws = awsCallOf({ host, method, path, headers, body: bodyText(request.body) });
      let cs: ClientSpan | undefined;
      if (tracer !== undefined) {
        cs = startClientSpan(tracer, ctx, { protocol, host, port, method, path }, aws, state.deps.redactor, frame?.invocation);
        // A request that carries the caller's own traceparent keeps it: undici can add a header, not replace one.
        if (carried === undefined && typeof request.addHeader === 'function') {
          injectTraceHeaders(ctx, cs.span, request as { addHeader(k: string, v: string): unknown }, headerSetter, state.deps.directW3c);
        }
        spans.set(request, cs);
        (cs as { isAws?: boolean }).isAws = aws !== undefined;
      }
      if (hook !== undefined) {
        const call = { transport: 'undici', protocol, host, port, method, path, headers, aws } as const;
        // The rules decide for the call's invocation (sticky keys, its deadline): run as it, when made in another's context.
        if (frame === current) faultMadeRequest(hook, request, call, cs);
        else if (frame === undefined) runOutsideInvocations(() => faultMadeRequest(hook, request, call, cs));
        else frames.run(frame, () => faultMadeRequest(hook, request, call, cs));
      }
    } catch {
      // never fail the caller's request over telemetry or a broken hook
    }
  };
  const onHeaders = (message: unknown) => {
    const { request, response } = message as { request: object; response: { statusCode: number; headers: (Buffer | string)[] } };
    const cs = spans.get(request);
    if (cs !== undefined) recordResponse(cs, response.statusCode, rawHeadersToBag(response.headers), (cs as { isAws?: boolean }).isAws === true);
  };
  const onTrailers = (message: unknown) => {
    const cs = spans.get((message as { request: object }).request);
    if (cs !== undefined) endClientSpan(cs);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as { request: object; error: unknown };
    const cs = spans.get(request);
    if (cs !== undefined) {
      recordError(cs, error);
      endClientSpan(cs);
    }
  };
  const outcome: [string, (m: unknown) => void][] = [
    ['undici:request:headers', onHeaders],
    ['undici:request:trailers', onTrailers],
    ['undici:request:error', onError],
  ];
  diagnostics.subscribe('undici:request:create', onCreate);
  return () => {
    diagnostics.unsubscribe('undici:request:create', onCreate);
    if (outcomeSubscribed) for (const [name, fn] of outcome) diagnostics.unsubscribe(name, fn);
    outcomeSubscribed = false;
  };
}

function isDispatcher(v: unknown): v is Dispatcher {
  return typeof v === 'object' && v !== null && typeof (v as { dispatch?: unknown }).dispatch === 'function';
}

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
 * Node 20 creates its fetch's global dispatcher only when fetch is first used
 * (loading undici costs ~35 ms, too much to force at init): the first call
 * through our fetch wrapper loads it, wraps it, then fetches. A dispatcher of
 * the function's own, given in `init`, is put behind a wrapper of ours too.
 */
function wrapFetch(state: UndiciState): (() => void) | undefined {
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
