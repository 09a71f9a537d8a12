// `traceparent` (and `tracestate`, `baggage`) on an outgoing request. When the
// global propagator is the agent's own W3C trace-context + baggage one, the
// common case (no baggage) writes the header directly: no context copy to
// carry the client span, no propagator walk, once per outgoing call.
import { propagation, trace, type Context, type Span, type TextMapSetter } from '@opentelemetry/api';
import { traceparentOf } from '../telemetry/propagation/traceparent.js';

/** Whether injectTraceHeaders writes only `traceparent` (and `tracestate`) itself, rather than through the propagator. */
export function writesDirectly(ctx: Context, direct: boolean): boolean {
  return direct && propagation.getBaggage(ctx) === undefined;
}

/**
 * Writes the trace headers of `span` (a child of `ctx`) with `setter`.
 * `direct`: the global propagator is known to be W3C trace context + baggage.
 */
export function injectTraceHeaders<C>(ctx: Context, span: Span, carrier: C, setter: TextMapSetter<C>, direct: boolean): void {
  if (!writesDirectly(ctx, direct)) {
    propagation.inject(trace.setSpan(ctx, span), carrier, setter);
    return;
  }
  const sc = span.spanContext();
  setter.set(carrier, 'traceparent', traceparentOf(sc.traceId, sc.spanId, sc.traceFlags));
  if (sc.traceState !== undefined) setter.set(carrier, 'tracestate', sc.traceState.serialize());
}
