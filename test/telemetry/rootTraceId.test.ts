// withRootTraceId: a span without a parent starts in the named trace; nothing else does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AgentTracer, withRootTraceId } from '../../src/telemetry/tracing/tracer.js';
import { spanLimitsFromEnv } from '../../src/config.js';

const noop: SpanProcessor = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
const tracer = new AgentTracer({ processor: noop, limits: spanLimitsFromEnv({}), resource: resourceFromAttributes({}), scope: { name: 't' } });
const TRACE = '6731ebfc08e1e656421db73c5d2eef31';

test('a span started in a root-trace-id context is the root of that trace; its children continue it', () => {
  const span = tracer.startSpan('invocation', {}, withRootTraceId(ROOT_CONTEXT, TRACE));
  assert.equal(span.spanContext().traceId, TRACE);
  const child = tracer.startSpan('call', {}, trace.setSpan(ROOT_CONTEXT, span));
  assert.equal(child.spanContext().traceId, TRACE);
});

test('a parent in the context wins over the root trace id; `root: true` and other contexts get a new trace', () => {
  const parent = tracer.startSpan('p', {}, ROOT_CONTEXT);
  const ctx = withRootTraceId(trace.setSpan(ROOT_CONTEXT, parent), TRACE);
  assert.equal(tracer.startSpan('c', {}, ctx).spanContext().traceId, parent.spanContext().traceId);
  assert.notEqual(tracer.startSpan('r', { root: true }, ctx).spanContext().traceId, TRACE);
  assert.notEqual(tracer.startSpan('x', {}, ROOT_CONTEXT).spanContext().traceId, TRACE);
});
