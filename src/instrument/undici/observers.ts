// The handler put between undici and the caller's: records the call's outcome
// on its client span and forwards everything, in the caller's handler API
// (legacy callbacks or undici 7's controller API) and with exactly the
// optional callbacks the caller's has.
import { forward, type UndiciController, type UndiciHandler } from '../../seam.js';
import { isControllerApi, type OPTIONAL_LEGACY_CALLBACKS } from '../../undiciInternals.js';
import { endClientSpan, recordError, recordResponse, type ClientSpan } from '../clientSpan.js';
import { rawHeadersToBag } from './headers.js';

/**
 * Legacy handler API (onConnect … onComplete, the fetch of Node 20 and 22): records the
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
const OPTIONAL_CALLBACKS: readonly (readonly [(typeof OPTIONAL_LEGACY_CALLBACKS)[number], Forwarder])[] = [
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
  if (isControllerApi(inner)) {
    return new ControllerObserver(inner, cs, isAws);
  }
  const Observer = legacyObserverFor(inner);
  return new Observer(inner, cs, isAws);
}
