// wrap(): the one code path every attach mode ends in.
import { getAgent, type Agent } from './agent.js';
import {
  beginInvocation,
  deadlineMargin,
  finishInvocation,
  recordOutcome,
  runHandler,
  withState,
  type HandlerChannel,
  type InvocationRun,
} from './invocation.js';
import { checkBuiltins } from './instrument/builtinWatch.js';
import type { LambdaCallback, LambdaContext, LambdaHandler, WrappedHandler } from './types.js';

const WRAPPED = Symbol.for('faultline.wrapped');
/** What `awslambda.streamifyResponse` marks a response-streaming handler with; the runtime client reads it at init. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/** The handler, after any `invocation`-target chaos fault (latency first, or an error instead): nothing awaited when none hits. */
function runInvocation(agent: Agent, handler: LambdaHandler, event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<unknown> {
  const entered = agent.chaos?.enterInvocation();
  return entered === undefined ? runHandler(handler, event, ctx, channel) : entered.then(() => runHandler(handler, event, ctx, channel));
}

async function invokeObserved(agent: Agent, run: InvocationRun, handler: LambdaHandler, event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined) {
  let guard: NodeJS.Timeout | undefined;
  let failed = false;
  let outcome: unknown;
  try {
    outcome = await withState(agent, run, () => {
      const left = run.state.deadlineMs - Date.now() - deadlineMargin(agent);
      if (Number.isFinite(left)) {
        guard = setTimeout(() => {
          try {
            agent.logger.warn('invocation is about to time out: telemetry written early', {
              remainingMs: Math.max(0, run.state.deadlineMs - Date.now()),
            });
            finishInvocation(agent, run, true, true);
            // Finished here, so the code after the handler skips it: the abort threshold counts it now, as failed.
            agent.chaos?.afterInvocation(true);
            void agent.tracing.flush(deadlineMargin(agent) - 20);
          } catch {
            // never surface agent failures
          }
        }, Math.max(0, left));
        guard.unref?.();
      }
      return runInvocation(agent, handler, event, ctx, channel);
    });
  } catch (err) {
    failed = true;
    outcome = err;
  }
  if (guard) clearTimeout(guard);
  if (!run.state.finished) {
    try {
      withState(agent, run, () => {
        recordOutcome(run, failed, outcome);
        finishInvocation(agent, run, failed, false);
      });
      agent.chaos?.afterInvocation(failed);
      if (agent.config.traces === 'otlp') {
        await agent.tracing.flush(Math.min(100, Math.max(0, run.state.deadlineMs - Date.now() - 20)));
      }
    } catch {
      // telemetry problems stay ours
    }
  }
  if (failed) throw outcome;
  return outcome;
}

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
  const succeed = typeof ctx?.succeed === 'function' ? (ctx.succeed as (r: unknown) => void) : (r: unknown) => callback(null, r);
  const fail = typeof ctx?.fail === 'function' ? (ctx.fail as (e: unknown) => void) : (e: unknown) => callback(e);
  outcome.then(
    (result) => {
      if (channel.via === 'callback') callback(null, result);
      else if (channel.via === 'promise') succeed(result);
    },
    (error: unknown) => {
      if (channel.via === 'promise') fail(error);
      else callback(error);
    },
  );
}

/**
 * Wraps a Lambda handler (async, promise-returning or callback-style) so that
 * every invocation emits traces, logs and metrics, and chaos rules apply. The
 * result, error and callback behaviour are those of the handler itself, and so
 * is the shape the runtime reads at init: the wrapper declares as many
 * parameters as the handler and is async exactly when it is, so a runtime that
 * refuses callback handlers (nodejs24.x: Runtime.CallbackHandlerDeprecated)
 * refuses the wrapped one the same way, with its own error.
 */
export function wrap<E = any, R = any>(handler: LambdaHandler<E, R>): WrappedHandler<E, R> {
  if (typeof handler !== 'function') {
    throw new TypeError(`faultline wrap(): expected a handler function, got ${handler === null ? 'null' : typeof handler}`);
  }
  if ((handler as unknown as Record<symbol, unknown>)[WRAPPED]) return handler as unknown as WrappedHandler<E, R>;
  const agent = getAgent();
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING]) {
    // Its call (event, responseStream, context) is not an invocation wrap() can observe: the runtime gets it as it is.
    agent?.logger.warn('response-streaming handler: faultline hands it to the runtime untouched (no invocation span, metrics or invocation chaos for it)');
    return handler as unknown as WrappedHandler<E, R>;
  }
  agent?.coldStart.initDone(Date.now());
  // The function's module has loaded its imports by now: instrument the built-ins among them.
  if (agent !== null) checkBuiltins();
  const h = handler as LambdaHandler;
  let ready: Promise<void> | undefined = agent?.ready;

  const observe = (event: E, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<R> => {
    let run: InvocationRun;
    try {
      run = beginInvocation(agent!, event, ctx);
    } catch {
      return runHandler(h, event, ctx, channel) as Promise<R>;
    }
    return invokeObserved(agent!, run, h, event, ctx, channel) as Promise<R>;
  };
  // Not async itself: the wrapper below is the one promise layer between the runtime and the invocation.
  const invoke = (event: E, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<R> => {
    if (agent === null) return runHandler(h, event, ctx, channel) as Promise<R>;
    if (ready !== undefined) {
      // First invocation only: the bounded cold-start wait for chaos rules (wrap() mode has no init phase of its own).
      return ready.then(() => {
        ready = undefined;
        return observe(event, ctx, channel);
      });
    }
    return observe(event, ctx, channel);
  };

  const wrapped = isAsyncFunction(h)
    ? async function faultlineHandler(event: E, ctx: LambdaContext, callback?: LambdaCallback<R>): Promise<R> {
        if (typeof callback !== 'function') return invoke(event, ctx, undefined);
        // An async handler's outcome reaches such a runtime through this promise, unless it used the callback.
        const channel: HandlerChannel = { via: undefined };
        try {
          const result = await invoke(event, ctx, channel);
          if (channel.via === 'callback') callback(null, result);
          return channel.via === 'callback' ? (undefined as R) : result;
        } catch (err) {
          if (channel.via !== 'callback') throw err;
          callback(err);
          return undefined as R;
        }
      }
    : function faultlineHandler(event: E, ctx: LambdaContext, callback?: LambdaCallback<R>): Promise<R> | undefined {
        if (typeof callback !== 'function') return invoke(event, ctx, undefined);
        const channel: HandlerChannel = { via: undefined };
        deliver(invoke(event, ctx, channel), channel, ctx, callback as LambdaCallback);
        return undefined;
      };
  // `length` is what the runtime client counts to decide whether a handler takes a callback.
  Object.defineProperty(wrapped, 'length', { value: h.length });
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped as WrappedHandler<E, R>;
}
