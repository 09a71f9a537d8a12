// wrap(): the one code path every attach mode ends in.
import { getAgent, type Agent } from './agent.js';
import {
  beginInvocation,
  deadlineMargin,
  finishInvocation,
  recordOutcome,
  runHandler,
  withState,
  type InvocationRun,
} from './invocation.js';
import { checkBuiltins } from './instrument/builtinWatch.js';
import type { LambdaContext, LambdaHandler, WrappedHandler } from './types.js';

const WRAPPED = Symbol.for('faultline.wrapped');

/** The handler, after any `invocation`-target chaos fault (latency first, or an error instead): nothing awaited when none hits. */
function runInvocation(agent: Agent, handler: LambdaHandler, event: unknown, ctx: LambdaContext): Promise<unknown> {
  const entered = agent.chaos?.enterInvocation();
  return entered === undefined ? runHandler(handler, event, ctx) : entered.then(() => runHandler(handler, event, ctx));
}

async function invokeObserved(agent: Agent, run: InvocationRun, handler: LambdaHandler, event: unknown, ctx: LambdaContext) {
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
      return runInvocation(agent, handler, event, ctx);
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

/**
 * Wraps a Lambda handler (async, promise-returning or callback-style) so that
 * every invocation emits traces, logs and metrics, and chaos rules apply. The
 * result, error and callback behaviour are those of the handler itself.
 */
export function wrap<E = any, R = any>(handler: LambdaHandler<E, R>): WrappedHandler<E, R> {
  if (typeof handler !== 'function') {
    throw new TypeError(`faultline wrap(): expected a handler function, got ${handler === null ? 'null' : typeof handler}`);
  }
  if ((handler as unknown as Record<symbol, unknown>)[WRAPPED]) return handler as unknown as WrappedHandler<E, R>;
  const agent = getAgent();
  agent?.coldStart.initDone(Date.now());
  // The function's module has loaded its imports by now: instrument the built-ins among them.
  if (agent !== null) checkBuiltins();
  const h = handler as LambdaHandler;
  let ready: Promise<void> | undefined = agent?.ready;

  const wrapped = async function faultlineHandler(event: E, ctx: LambdaContext): Promise<R> {
    if (agent === null) return runHandler(h, event, ctx) as Promise<R>;
    if (ready !== undefined) {
      // First invocation only: the bounded cold-start wait for chaos rules (wrap() mode has no init phase of its own).
      await ready;
      ready = undefined;
    }
    let run: InvocationRun;
    try {
      run = beginInvocation(agent, event, ctx);
    } catch {
      return runHandler(h, event, ctx) as Promise<R>;
    }
    return invokeObserved(agent, run, h, event, ctx) as Promise<R>;
  };
  Object.defineProperty(wrapped, WRAPPED, { value: true });
  return wrapped;
}
