// wrap(): the one code path every attach mode ends in. A thin adapter between
// the runtime and the invocation pipeline (src/invocation.ts): it keeps the
// handler's shape for the runtime and passes the outcome back the way the
// runtime expects it.
import { getAgent } from './agent.js';
import { invoke } from './invocation.js';
import { checkBuiltins } from './instrument/builtinWatch.js';
import { runHandler, type HandlerChannel } from './runHandler.js';
import type { AnyLambdaHandler, LambdaCallback, LambdaContext, WrappedHandler } from './types.js';

const WRAPPED = Symbol.for('faultline.wrapped');
/** What `awslambda.streamifyResponse` marks a response-streaming handler with; the runtime client reads it at init. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/** A function whose `constructor.name` is `AsyncFunction`: how nodejs22.x's runtime client tells async handlers apart. */
function isAsyncFunction(fn: Function): boolean {
  try {
    return fn.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}

/**
 * Hands the outcome to a runtime that called with its own callback (nodejs22.x's
 * client), the way that runtime would have taken it from the handler itself: a
 * callback's outcome through its callback (which waits for the empty event loop
 * unless `callbackWaitsForEmptyEventLoop` is false), a returned promise's
 * through the context's succeed/fail (at once), a synchronous throw through the
 * callback; a plain returned value is ignored, as that runtime ignores it.
 */
function deliver(outcome: Promise<unknown>, channel: HandlerChannel, ctx: LambdaContext, callback: LambdaCallback): void {
  const succeed = typeof ctx?.succeed === 'function' ? (r: unknown) => ctx.succeed(r) : (r: unknown) => callback(null, r);
  const fail = typeof ctx?.fail === 'function' ? (e: unknown) => ctx.fail(e as Error) : (e: unknown) => callback(e as Error);
  outcome.then(
    (result) => {
      if (channel.via === 'callback') callback(null, result);
      else if (channel.via === 'promise') succeed(result);
    },
    (error: unknown) => {
      if (channel.via === 'promise') fail(error);
      else callback(error as Error);
    },
  );
}

/**
 * Wraps a Lambda handler (async, promise-returning or callback-style) so that
 * every invocation emits traces, logs and metrics, and chaos rules apply. The
 * result, error and callback behaviour are those of the handler itself, and so
 * is its type (`Handler<E, R>`, `APIGatewayProxyHandlerV2`, … from
 * `aws-lambda`) and the shape the runtime reads at init: the wrapper declares
 * as many parameters as the handler and is async exactly when it is, so a
 * runtime that refuses callback handlers (nodejs24.x:
 * Runtime.CallbackHandlerDeprecated) refuses the wrapped one the same way.
 */
export function wrap<H extends AnyLambdaHandler>(handler: H): WrappedHandler<H> {
  if (typeof handler !== 'function') {
    throw new TypeError(`faultline wrap(): expected a handler function, got ${handler === null ? 'null' : typeof handler}`);
  }
  if ((handler as unknown as Record<symbol, unknown>)[WRAPPED]) return handler as WrappedHandler<H>;
  const agent = getAgent();
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING]) {
    // Its call (event, responseStream, context) is not an invocation wrap() can observe: the runtime gets it as it is.
    agent?.logger.warn('response-streaming handler: faultline hands it to the runtime untouched (no invocation span, metrics or invocation chaos for it)');
    return handler as WrappedHandler<H>;
  }
  agent?.coldStart.initDone(Date.now());
  // The function's module has loaded its imports by now: instrument the built-ins among them.
  if (agent !== null) checkBuiltins();
  const h: AnyLambdaHandler = handler;
  let ready: Promise<void> | undefined = agent?.ready;

  // Not async itself: the wrapper below is the one promise layer between the runtime and the invocation.
  const run = (event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<unknown> => {
    if (agent === null) return runHandler(h, event, ctx, channel);
    if (ready !== undefined) {
      // First invocation only: the bounded cold-start wait for chaos rules (wrap() mode has no init phase of its own).
      return ready.then(() => {
        ready = undefined;
        return invoke(agent, h, event, ctx, channel);
      });
    }
    return invoke(agent, h, event, ctx, channel);
  };

  const wrapped = isAsyncFunction(h)
    ? async function faultlineHandler(event: unknown, ctx: LambdaContext, callback?: LambdaCallback): Promise<unknown> {
        if (typeof callback !== 'function') return run(event, ctx, undefined);
        // An async handler's outcome reaches such a runtime through this promise, unless it used the callback.
        const channel: HandlerChannel = { via: undefined };
        try {
          const result = await run(event, ctx, channel);
          if (channel.via === 'callback') callback(null, result);
          return channel.via === 'callback' ? undefined : result;
        } catch (err) {
          if (channel.via !== 'callback') throw err;
          callback(err as Error);
          return undefined;
        }
      }
    : function faultlineHandler(event: unknown, ctx: LambdaContext, callback?: LambdaCallback): Promise<unknown> | undefined {
        if (typeof callback !== 'function') return run(event, ctx, undefined);
        const channel: HandlerChannel = { via: undefined };
        deliver(run(event, ctx, channel), channel, ctx, callback);
        return undefined;
      };
  // `length` is what the runtime client counts to decide whether a handler takes a callback.
  Object.defineProperty(wrapped, 'length', { value: h.length });
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped as unknown as WrappedHandler<H>;
}
