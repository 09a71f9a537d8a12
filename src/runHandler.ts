// Calling the user's handler the way Lambda's Node.js runtime calls it.
import type { AnyLambdaHandler, LambdaContext } from './types.js';

/**
 * How the handler's outcome came: through its callback, its returned promise,
 * a plain value it returned, or a synchronous throw. A runtime that hands the
 * handler a callback (nodejs22.x's client) treats each differently, so the
 * wrapper passes the outcome on through the same one.
 */
export type HandlerChannel = { via: 'callback' | 'promise' | 'value' | 'throw' | undefined };

/**
 * Calls the handler with the semantics of Lambda's Node.js runtime: a handler
 * declared with a callback parameter finishes with the callback or its returned
 * promise, whichever settles first; any other handler finishes with what it
 * returns (awaited). With `channel`, the call is one a runtime made with its own
 * callback: every handler gets a working callback, as the runtime gives it, and
 * `channel.via` records which way the outcome came.
 */
export function runHandler(handler: AnyLambdaHandler, event: unknown, lambdaContext: LambdaContext, channel?: HandlerChannel): Promise<unknown> {
  const declaresCallback = handler.length >= 3;
  if (!declaresCallback && channel === undefined) {
    try {
      return Promise.resolve(handler(event, lambdaContext, noCallback));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (via: NonNullable<HandlerChannel['via']>, failed: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      if (channel !== undefined) channel.via = via;
      if (failed) reject(value);
      else resolve(value);
    };
    const callback = (error?: unknown, result?: unknown) => {
      const failed = error !== undefined && error !== null;
      settle('callback', failed, failed ? error : result);
    };
    let returned: unknown;
    try {
      returned = handler(event, lambdaContext, callback);
    } catch (err) {
      settle('throw', true, err);
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
      (returned as PromiseLike<unknown>).then(
        (v) => settle('promise', false, v),
        (e: unknown) => settle('promise', true, e),
      );
    } else if (!declaresCallback) {
      // Finished for faultline; a runtime that handed a callback ignores the value (channel 'value').
      settle('value', false, returned);
    }
  });
}

function noCallback(): void {
  // Called without a runtime's callback (nodejs24.x's client passes none), a two-parameter handler gets none that works either.
}
