// Spans and faults for calls that bypass our dispatchers (a dispatcher of the
// function's own used through npm undici's API), and trace headers for calls
// of ours whose request undici makes later, from undici's diagnostics channels.
import diagnostics from 'node:diagnostics_channel';
import { isTracingSuppressed } from '@opentelemetry/core';
import { descriptorOf, type FaultHook, type OutgoingCall, type UndiciDispatchOptions, type UndiciHandler } from '../../seam.js';
import {
  CHANNEL_CREATE,
  CHANNEL_ERROR,
  CHANNEL_HEADERS,
  CHANNEL_TRAILERS,
  handlerKeyOf,
  type CreateMessage,
  type ErrorMessage,
  type HeadersMessage,
  type TrailersMessage,
  type UndiciRequestLike,
} from '../../undiciInternals.js';
import { frames, runOutsideInvocations, type InvocationState } from '../../invocationState.js';
import { traceparentOf } from '../../telemetry/propagation/traceparent.js';
import { awsCallOf } from '../awsCall.js';
import { endClientSpan, recordError, recordResponse, startClientSpan, type ClientSpan } from '../clientSpan.js';
import { injectTraceHeaders, writesDirectly } from '../traceHeaders.js';
import { ensureGlobalWrapped } from './dispatcherProxy.js';
import { observingHandler } from './observers.js';
import { bodyText, headerSetter, madeRequestHeaders, rawHeadersToBag } from './headers.js';
import { parseOrigin } from './origin.js';
import type { PendingHeaders, UndiciState } from './state.js';

/** Whether `traceparent` names a span still open in `invocation` (the current one): one of our client spans. */
function isOpenSpanOfInvocation(traceparent: string, invocation: InvocationState | undefined): boolean {
  if (invocation === undefined || invocation.openSpans.size === 0) return false;
  const spanId = traceparent.slice(36, 52);
  for (const span of invocation.openSpans) if (span.spanContext().spanId === spanId) return true;
  return false;
}

/**
 * Spans and faults for requests that bypass our dispatchers (a custom Agent
 * used through npm undici's own API), from undici's diagnostics channels:
 * the request is seen once made, before it is written. Only
 * `request:create` is listened to until
 * such a request is seen: undici builds a message for each channel that has
 * subscribers, on every request, our own included.
 */
export function subscribeChannels(state: UndiciState): () => void {
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
   * and goes through the setter, measurably slower per fetch (docs/benchmarks.md).
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
    const { request } = message as CreateMessage;
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
    const { request, response } = message as HeadersMessage;
    const cs = spans.get(request);
    if (cs !== undefined) recordResponse(cs, response.statusCode, rawHeadersToBag(response.headers), (cs as { isAws?: boolean }).isAws === true);
  };
  const onTrailers = (message: unknown) => {
    const cs = spans.get((message as TrailersMessage).request);
    if (cs !== undefined) endClientSpan(cs);
  };
  const onError = (message: unknown) => {
    const { request, error } = message as ErrorMessage;
    const cs = spans.get(request);
    if (cs !== undefined) {
      recordError(cs, error);
      endClientSpan(cs);
    }
  };
  const outcome: [string, (m: unknown) => void][] = [
    [CHANNEL_HEADERS, onHeaders],
    [CHANNEL_TRAILERS, onTrailers],
    [CHANNEL_ERROR, onError],
  ];
  diagnostics.subscribe(CHANNEL_CREATE, onCreate);
  return () => {
    diagnostics.unsubscribe(CHANNEL_CREATE, onCreate);
    if (outcomeSubscribed) for (const [name, fn] of outcome) diagnostics.unsubscribe(name, fn);
    outcomeSubscribed = false;
  };
}
