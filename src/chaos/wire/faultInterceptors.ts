// Each wire fault once, as a dispatch interceptor in undici's shape
// (lib/interceptor/*, compose): a function from the dispatch it wraps to the
// dispatch the caller gets. One written here serves every transport that takes
// the dispatch shape: undici's dispatchers (fetch, npm undici), a request
// undici has already made (undiciRequestGate.ts) and node:http2 requests
// (http2Faults.ts). Handlers of both undici APIs are served: the legacy
// callbacks (Node 20 and 22's fetch, undici's request) and undici 7's
// controller API.
import type { Corruption, Fault } from '../ruleTypes.js';
import type { DispatchInterceptor, OutgoingCall, UndiciController, UndiciDispatch, UndiciDispatchOptions, UndiciHandler } from '../../seam.js';
import { isControllerApi, OPTIONAL_LEGACY_CALLBACKS } from '../../undiciInternals.js';
import type { WireResponse } from './awsErrorResponse.js';
import { cannedOutcome, type CannedOutcome } from './cannedResponse.js';
import { corruptBody, corruptedLength } from './corruptBody.js';
import { hangBudgetMs } from './hangBudget.js';
import { bodyBytes, headerObject, rawHeaderBuffers } from './httpBytes.js';
import { jitteredDelay } from '../jitter.js';
import { headersTimeoutError, networkError } from './networkError.js';
import type { WireEnv } from './wireEnv.js';

/** Our side of a call we answer ourselves: abortable by the caller (AbortSignal, its own timeouts). */
class LocalCall implements UndiciController {
  aborted = false;
  paused = false;
  reason: Error | null = null;
  private onAbort: (() => void) | undefined;
  constructor(private readonly handler: UndiciHandler) {}

  abort(reason?: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason ?? Object.assign(new Error('Request aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
    this.onAbort?.();
    this.fail(this.reason);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }

  /** Tells the handler the call has started; `onAbort` runs if the caller aborts. */
  start(onAbort?: () => void): void {
    this.onAbort = onAbort;
    const h = this.handler;
    if (isControllerApi(h)) h.onRequestStart?.(this, {});
    else h.onConnect?.((reason?: Error) => this.abort(reason), {});
  }

  respond(res: WireResponse, method: string): void {
    if (this.aborted) return;
    const h = this.handler;
    const body = bodyBytes(res, method);
    const statusText = '';
    if (isControllerApi(h)) {
      h.onResponseStart?.(this, res.status, headerObject(res), statusText);
      if (this.aborted) return;
      if (body.length > 0) h.onResponseData?.(this, body);
      if (this.aborted) return;
      h.onResponseEnd?.(this, {});
    } else {
      h.onHeaders?.(res.status, rawHeaderBuffers(res), () => this.resume(), statusText);
      if (this.aborted) return;
      if (body.length > 0) h.onData?.(body);
      if (this.aborted) return;
      h.onComplete?.([]);
    }
  }

  fail(err: Error): void {
    const h = this.handler;
    if (isControllerApi(h)) h.onResponseError?.(this, err);
    else h.onError?.(err);
  }
}

/** Error or recorded response: answered here, the server never sees the call (the dispatch it wraps is never called). */
export function cannedInterceptor(outcome: CannedOutcome, call: OutgoingCall): DispatchInterceptor {
  return () => (_opts, handler) => {
    const local = new LocalCall(handler);
    setImmediate(() => {
      local.start();
      if (local.aborted) return;
      if (outcome.kind === 'response') local.respond(outcome.response, call.method);
      else local.fail(networkError(outcome.code, call.host, call.port));
    });
    return true;
  };
}

/** Sends the real call after `delayMs`. */
export function delayInterceptor(delayMs: number): DispatchInterceptor {
  return (dispatch) => (opts, handler) => {
    setTimeout(() => {
      try {
        dispatch(opts, handler);
      } catch (err) {
        new LocalCall(handler).fail(err instanceof Error ? err : new Error(String(err)));
      }
    }, delayMs);
    return true;
  };
}

/**
 * Never answers: the caller's abort (AbortSignal) ends it first, else the
 * budget fails it with `timeoutError` (undici's headers timeout by default).
 */
export function hangInterceptor(timeoutMs: number | undefined, env: WireEnv, timeoutError: () => Error = headersTimeoutError): DispatchInterceptor {
  return () => (opts, handler) => {
    const clientTimeout = typeof opts.headersTimeout === 'number' ? opts.headersTimeout : undefined;
    const local = new LocalCall(handler);
    const timer = setTimeout(() => {
      if (!local.aborted) local.fail(timeoutError());
    }, hangBudgetMs(timeoutMs, env.remainingMs(), clientTimeout));
    local.start(() => clearTimeout(timer));
    return true;
  };
}

/** A content-length header value fixed up for the corrupted body. */
function fixLength(value: string, corruption: Corruption): string | undefined {
  const next = corruptedLength(corruption, Number(value));
  return next === undefined ? undefined : String(next);
}

/** The real call, with the body altered before the caller's handler sees it. */
export function corruptInterceptor(corruption: Corruption): DispatchInterceptor {
  return (dispatch: UndiciDispatch) => (opts: UndiciDispatchOptions, inner: UndiciHandler) => {
    const chunks: Buffer[] = [];
    const finish = () => corruptBody(Buffer.concat(chunks), corruption);
    let handler: UndiciHandler;
    if (isControllerApi(inner)) {
      handler = {
        onRequestStart: (c: UndiciController, ctx: unknown) => inner.onRequestStart?.(c, ctx),
        onResponseStart: (c: UndiciController, status: number, headers: Record<string, string | string[]>, text?: string) => {
          const h = { ...headers };
          const cl = h['content-length'];
          if (typeof cl === 'string') {
            const fixed = fixLength(cl, corruption);
            if (fixed === undefined) delete h['content-length'];
            else h['content-length'] = fixed;
          }
          return inner.onResponseStart?.(c, status, h, text);
        },
        onResponseData: (_c: UndiciController, chunk: Buffer) => {
          chunks.push(Buffer.from(chunk));
        },
        onResponseEnd: (c: UndiciController, trailers: Record<string, string | string[]>) => {
          const body = finish();
          if (body.length > 0) inner.onResponseData?.(c, body);
          return inner.onResponseEnd?.(c, trailers);
        },
        onResponseError: (c: UndiciController, err: Error) => inner.onResponseError?.(c, err),
      };
    } else {
      handler = {
        onConnect: (abort, ctx) => inner.onConnect?.(abort, ctx),
        onHeaders: (status, rawHeaders, resume, statusText) => {
          const raw = rawHeaders.slice();
          for (let i = 0; i + 1 < raw.length; i += 2) {
            if (raw[i]!.toString().toLowerCase() !== 'content-length') continue;
            const fixed = fixLength(raw[i + 1]!.toString(), corruption);
            if (fixed === undefined) raw.splice(i, 2);
            else raw[i + 1] = Buffer.from(fixed);
            break;
          }
          return inner.onHeaders?.(status, raw, resume, statusText) ?? true;
        },
        onData: (chunk) => {
          chunks.push(Buffer.from(chunk));
          return true;
        },
        onComplete: (trailers) => {
          const body = finish();
          if (body.length > 0) inner.onData?.(body);
          return inner.onComplete?.(trailers);
        },
        onError: (err) => inner.onError?.(err),
      };
      // Optional callbacks whose presence undici checks: forward only those the caller has.
      for (const name of OPTIONAL_LEGACY_CALLBACKS) {
        const fn = inner[name];
        if (typeof fn === 'function') handler[name] = (...a: unknown[]) => Reflect.apply(fn, inner, a) as unknown;
      }
    }
    return dispatch(opts, handler);
  };
}

/** Whether a fault of this type calls the dispatch it wraps (later, or with a handler of its own in front). */
export function sendsRealRequest(fault: Fault): boolean {
  return fault.type === 'latency' || fault.type === 'corrupt';
}

/**
 * The interceptor of one decided fault. Transports whose calls take the
 * dispatch shape but are not undici's (HTTP/2, http2Faults.ts) pass the error
 * their own client raises when a hung call runs out of budget.
 */
export function faultInterceptor(fault: Fault, call: OutgoingCall, env: WireEnv, hangError?: () => Error): DispatchInterceptor {
  switch (fault.type) {
    case 'latency':
      return delayInterceptor(jitteredDelay(fault.latencyMs, fault.jitterMs, env.random));
    case 'timeout':
      return hangInterceptor(fault.timeoutMs, env, hangError);
    case 'corrupt':
      return corruptInterceptor(fault.corruption);
    case 'error':
    case 'respond':
      return cannedInterceptor(cannedOutcome(fault, call, env.requestId())!, call);
  }
}
