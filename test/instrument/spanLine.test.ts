// The hand-written span line is exactly what JSON.stringify of the docs/telemetry.md
// record gives, redaction included, for the span shapes the agent
// writes: client spans, error spans with exception events, links, odd values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, type Link } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanLineFormatter, SpanLogExporter, spanToRecord } from '../../src/telemetry/tracing/spanLogExporter.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { AgentTracerProvider } from '../../src/telemetry/tracing/tracer.js';
import { spanLimitsFromEnv } from '../../src/config.js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Tracer } from '@opentelemetry/api';

/** The same spans from the SDK's provider and from the agent's own (src/telemetry/tracing/tracer.ts). */
function finishedSpans(make: (tracer: Tracer) => void, provider: 'sdk' | 'agent' = 'sdk'): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(memory);
  const tracer =
    provider === 'sdk'
      ? new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('t')
      : new AgentTracerProvider(processor, spanLimitsFromEnv({}), resourceFromAttributes({})).getTracer('t');
  make(tracer);
  return memory.getFinishedSpans();
}

const fixed = { function: 'orders "fn"', service: 'svc\n' };

for (const provider of ['sdk', 'agent'] as const) test(`the span line equals JSON.stringify of the span record, for every shape (${provider} spans)`, () => {
  const links: Link[] = [{ context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 } }];
  const spans = finishedSpans((tracer) => {
    const client = tracer.startSpan('GET', {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'GET', 'url.full': 'http://h/p?q="x"', 'server.address': 'h', 'server.port': 8080 },
    });
    client.setAttribute('http.response.status_code', 200);
    client.end();
    const failing = tracer.startSpan('DynamoDB.GetItem', { kind: SpanKind.CLIENT, links });
    failing.setAttributes({ 'rpc.system': 'aws-api', 'x-api-key': 'k', authorization: ['a', 'b'], 'a.bool': false, 'a.nums': [1, 2.5], 'a.nan': NaN, 'ünïcödé ✓': 'line\nbreak\u2028' });
    failing.recordException(new Error('boom "quoted"'));
    failing.addEvent('chaos.fault', { 'chaos.rule_id': 'r1', token: 'secret' });
    failing.addEvent('bare');
    failing.addEvent('empty', {});
    failing.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    failing.end();
    tracer.startSpan('internal').end();
  }, provider);
  assert.equal(spans.length, 3);
  for (const redactor of [createRedactor(['a.bool']), undefined]) {
    const formatter = new SpanLineFormatter(redactor, fixed);
    for (const span of spans) {
      for (const requestId of ['req-1', undefined]) {
        const expected = JSON.stringify(spanToRecord(span, redactor, { requestId, ...fixed }));
        // twice: the second line comes from the per-key cache
        assert.equal(formatter.format(span, requestId), expected);
        assert.equal(formatter.format(span, requestId), expected);
      }
    }
  }
  const line = JSON.parse(new SpanLineFormatter(createRedactor([]), fixed).format(spans[1]!, 'r')) as Record<string, any>;
  assert.equal(line.attributes['x-api-key'], '[REDACTED]');
  assert.equal(line.attributes.authorization, '[REDACTED]');
  assert.equal(line.events[1].attributes.token, '[REDACTED]');
});

test('spans outside an invocation are written at once, one line each', () => {
  const lines: string[] = [];
  const exporter = new SpanLogExporter({ write: (l) => lines.push(l) }, fixed, createRedactor([]));
  const spans = finishedSpans((tracer) => {
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
  });
  exporter.export([spans[0]!], () => {});
  assert.equal(lines.length, 1);
  exporter.export([spans[1]!], () => {});
  assert.equal(lines.length, 2);
  assert.deepEqual(lines.map((l) => (JSON.parse(l) as { name: string }).name), ['a', 'b']);
  assert.ok(lines.every((l) => l.endsWith('}\n')));
});
