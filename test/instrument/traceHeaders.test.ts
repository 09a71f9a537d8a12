// The direct traceparent path writes what OpenTelemetry's W3C propagators write.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTraceState, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { injectTraceHeaders } from '../../src/instrument/traceHeaders.js';
import { traceparentOf } from '../../src/telemetry/propagation/traceparent.js';
import { setupOtel } from './otel.js';

const otel = setupOtel();
after(() => otel.shutdown());

const setter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};

function both(ctx: Parameters<typeof injectTraceHeaders>[0], span: Parameters<typeof injectTraceHeaders>[1]) {
  const direct: Record<string, string> = {};
  const viaPropagator: Record<string, string> = {};
  injectTraceHeaders(ctx, span, direct, setter, true);
  injectTraceHeaders(ctx, span, viaPropagator, setter, false);
  return { direct, viaPropagator };
}

test('traceparentOf formats version 00 with two hex digits of flags', () => {
  assert.equal(traceparentOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 1), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  assert.equal(traceparentOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 0), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
  assert.equal(traceparentOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 0xab), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ab');
});

test('direct injection equals the W3C propagators: plain span, with tracestate, with baggage', () => {
  const span = otel.tracer.startSpan('call', {}, ROOT_CONTEXT);
  const plain = both(ROOT_CONTEXT, span);
  assert.deepEqual(plain.direct, plain.viaPropagator);
  assert.match(plain.direct.traceparent!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.equal(plain.direct.traceparent!.split('-')[2], span.spanContext().spanId, 'the client span is the parent the callee sees');

  const withState = trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState('vendor=a,other=b'),
  });
  const ts = both(ROOT_CONTEXT, withState);
  assert.deepEqual(ts.direct, ts.viaPropagator);
  assert.equal(ts.direct.tracestate, 'vendor=a,other=b');

  const bagCtx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ user: { value: 'u-1' } }));
  const bag = both(bagCtx, span);
  assert.deepEqual(bag.direct, bag.viaPropagator);
  assert.equal(bag.direct.baggage, 'user=u-1');
  span.end();
});
