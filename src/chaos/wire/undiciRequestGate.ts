// Faults on a request undici has already made: one sent through a dispatcher
// of the function's own (npm undici's `request(url, { dispatcher })`, an
// Agent's own methods, `undici.fetch` with one), which the agent sees only on
// undici's `undici:request:create` channel. That request is made already, so
// no interceptor can sit in front of its dispatch: the agent puts a gate in
// place of the request's handler instead, and the fault's interceptor
// (faultInterceptors.ts) wraps, as the "real dispatch", the opening of that gate:
// - a fault that answers the call itself (error, recorded response, hang)
//   leaves the gate shut: the request is stopped before undici writes it
//   (REQUEST_STOPPED) and nothing of it reaches the caller;
// - latency opens it later: the request goes out at once and its response is
//   held (undici paused) until then;
// - corruption opens it at once to the corrupting handler.
// Request handlers are always of undici's legacy API: undici 7 unwraps the
// controller API before it makes the request.
import type { Fault } from '../ruleTypes.js';
import { forward, type OutgoingCall, type UndiciDispatchOptions, type UndiciHandler } from '../../seam.js';
import { REQUEST_STOPPED } from '../../undiciInternals.js';
import { faultInterceptor, sendsRealRequest } from './faultInterceptors.js';
import type { WireEnv } from './wireEnv.js';


type Callback = 'onConnect' | 'onHeaders' | 'onData' | 'onComplete' | 'onError' | 'onBodySent' | 'onRequestSent' | 'onResponseStarted';

/** A legacy-API handler in front of the caller's: shut, waiting (events queued), or open. */
export class RequestGate implements UndiciHandler {
  [key: string]: unknown;
  private target: UndiciHandler | undefined;
  private readonly queued: [Callback, unknown[]][] = [];
  /** undici's resume, while it is paused for us. */
  private resumeHeld: (() => void) | undefined;
  /** The caller has had its last event (onComplete or onError). */
  private finished = false;

  constructor(private readonly shut: boolean) {}

  /** From now on events go to `target`, the queued ones first. */
  open(target: UndiciHandler): void {
    if (this.shut || this.target !== undefined) return;
    this.target = target;
    const resume = this.resumeHeld;
    let paused = resume !== undefined;
    for (const [name, args] of this.queued.splice(0)) {
      // The caller may abort on its connect (its AbortSignal fired while the gate held the call): nothing after that.
      if (this.finished) return;
      const r = this.deliver(name, args);
      if (name === 'onHeaders' && r !== false) paused = false;
    }
    this.resumeHeld = undefined;
    // The response stays paused if the caller asked for that; it calls undici's resume itself.
    if (resume !== undefined && !paused && !this.finished) resume();
  }

  private deliver(name: Callback, args: unknown[]): unknown {
    if (this.finished) return undefined;
    if (name === 'onComplete' || name === 'onError') this.finished = true;
    return forward(this.target!, name, args);
  }

  private event(name: Callback, args: unknown[]): unknown {
    if (this.shut) return undefined;
    if (this.target !== undefined) return this.deliver(name, args);
    this.queued.push([name, args]);
    return undefined;
  }

  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    if (this.shut) throw REQUEST_STOPPED;
    this.event('onConnect', [abort, context]);
  }
  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.shut) return false;
    if (this.target !== undefined) return (this.deliver('onHeaders', [status, rawHeaders, resume, statusText]) as boolean | undefined) ?? true;
    this.resumeHeld = resume;
    this.queued.push(['onHeaders', [status, rawHeaders, resume, statusText]]);
    return false; // undici pauses the response until the gate opens
  }
  onData(chunk: Buffer): boolean {
    if (this.target !== undefined) return (this.deliver('onData', [chunk]) as boolean | undefined) ?? true;
    this.event('onData', [chunk]);
    return false;
  }
  onComplete(trailers: Buffer[] | null): void {
    this.event('onComplete', [trailers]);
  }
  onError(err: Error): void {
    if (err === REQUEST_STOPPED) return;
    this.event('onError', [err]);
  }
  onBodySent(chunk: unknown): void {
    this.event('onBodySent', [chunk]);
  }
  onRequestSent(): void {
    this.event('onRequestSent', []);
  }
  onResponseStarted(): void {
    this.event('onResponseStarted', []);
  }
}

/**
 * The handler to put in place of `handler` on a request undici has made, and
 * the fault set going: see the top of this file.
 */
export function gateUndiciRequest(
  fault: Fault,
  call: OutgoingCall,
  opts: UndiciDispatchOptions,
  handler: UndiciHandler,
  env: WireEnv,
): UndiciHandler {
  const gate = new RequestGate(!sendsRealRequest(fault));
  faultInterceptor(fault, call, env)((_o, h) => (gate.open(h), true))(opts, handler);
  return gate;
}
