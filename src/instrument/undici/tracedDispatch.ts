// One call through a wrapper of ours: its client span, its trace headers (in
// a copy of the options, or added to the request undici makes) and the fault
// hook asked once.
import type { Context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { descriptorOf, type OutgoingCall, type UndiciDispatch, type UndiciDispatchOptions, type UndiciHandler } from '../../seam.js';
import type { Dispatcher } from '../../undiciInternals.js';
import { frames } from '../../invocationState.js';
import { awsCallOf, type AwsCall, type HeaderBag } from '../awsCall.js';
import { endClientSpan, recordError, startClientSpan, type ClientSpan } from '../clientSpan.js';
import { writesDirectly } from '../traceHeaders.js';
import { bodyText, HAS_AUTHORIZATION, HAS_TRACE_HEADER, undiciHeaderFlags, undiciHeaders, withTraceHeaders } from './headers.js';
import { observingHandler } from './observers.js';
import { parseOrigin, type Origin } from './origin.js';
import type { Front, PendingHeaders, UndiciState } from './state.js';

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

export function tracedDispatch(state: UndiciState, front: Front, opts: UndiciDispatchOptions, handler: UndiciHandler): boolean {
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
