// The OpenTelemetry context manager of an execution environment. It keeps the
// active context in the same AsyncLocalStorage frames as the invocation state
// (src/invocationState.ts), so Node propagates one store per async resource
// instead of two. Entering a context keeps the frame's invocation: a handler
// that makes an extracted or root context active (one per SQS record, say)
// still logs as its own invocation.
import type { Context } from '@opentelemetry/api';
// By its own path: the package index also loads AsyncHooksContextManager (CommonJS, so the bundler cannot drop it).
// The base class binds functions and EventEmitters to a context, as context.bind() promises.
import { AbstractAsyncHooksContextManager } from '@opentelemetry/context-async-hooks/build/src/AbstractAsyncHooksContextManager.js';
import { frameContext, frames } from '../../invocationState.js';

export class FrameContextManager extends AbstractAsyncHooksContextManager {
  active(): Context {
    return frameContext();
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const cb = thisArg == null ? fn : (fn.bind(thisArg) as F);
    return frames.run({ invocation: frames.getStore()?.invocation, context }, cb, ...args);
  }

  enable(): this {
    return this;
  }

  /** The frames belong to the invocation state too: nothing to tear down here. */
  disable(): this {
    return this;
  }
}
