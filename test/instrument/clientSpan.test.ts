// The parts of a client span the agent builds itself (src/instrument/clientSpan.ts):
// url.full and the response's attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { fullUrl, recordResponse, startClientSpan, type UrlRedactor } from '../../src/instrument/clientSpan.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { AgentSpan } from '../../src/telemetry/tracing/span.js';
import { AgentTracerProvider } from '../../src/telemetry/tracing/tracer.js';
import { spanLimitsFromEnv } from '../../src/config.js';

const NO_PROCESSOR = { onStart() {}, onEnd() {}, forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };

test('fullUrl: default ports left out, IPv6 bracketed, signed and sensitive query values replaced, whatever was asked before', () => {
  const secret: UrlRedactor = createRedactor(['ssn']);
  const cases: [Parameters<typeof fullUrl>, string][] = [
    [['https:', 'dynamodb.us-east-1.amazonaws.com', 443, '/', undefined], 'https://dynamodb.us-east-1.amazonaws.com/'],
    [['http:', '127.0.0.1', 8080, '/a?b=1', undefined], 'http://127.0.0.1:8080/a?b=1'],
    [['http:', '::1', 80, '/x', undefined], 'http://[::1]/x'],
    [['https:', 'bucket.s3.amazonaws.com', 443, '/k?X-Amz-Signature=abc&x=1', undefined], 'https://bucket.s3.amazonaws.com/k?X-Amz-Signature=REDACTED&x=1'],
    [['http:', '127.0.0.1', 8080, '/a?ssn=t&b=1', secret], 'http://127.0.0.1:8080/a?ssn=REDACTED&b=1'],
    // the same target with another redactor, port or protocol is built again, not taken from the last one
    [['http:', '127.0.0.1', 8080, '/a?ssn=t&b=1', undefined], 'http://127.0.0.1:8080/a?ssn=t&b=1'],
    [['http:', '127.0.0.1', 8081, '/a?ssn=t&b=1', undefined], 'http://127.0.0.1:8081/a?ssn=t&b=1'],
    [['https:', '127.0.0.1', 8081, '/a?ssn=t&b=1&token=t', undefined], 'https://127.0.0.1:8081/a?ssn=t&b=1&token=REDACTED'],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [args, want] of cases) {
      assert.equal(fullUrl(...args), want, JSON.stringify(args));
      assert.equal(fullUrl(...args), want, `${JSON.stringify(args)} asked twice in a row`);
    }
  }
});

test('recordResponse: the status code, an error type from 400 on, within the span\'s limits, nothing after it ended', () => {
  const start = (attributeCountLimit: number) => {
    const provider = new AgentTracerProvider(NO_PROCESSOR, { ...spanLimitsFromEnv({}), attributeCountLimit }, resourceFromAttributes({}));
    const tracer = provider.getTracer('t');
    return startClientSpan(tracer, ROOT_CONTEXT, { protocol: 'http:', host: 'h', port: 80, method: 'GET', path: '/' }, undefined, undefined, undefined);
  };
  const cs = start(128);
  assert.ok(cs.span instanceof AgentSpan);
  recordResponse(cs, 503, {}, false);
  const span = cs.span as AgentSpan;
  assert.equal(span.attributes['http.response.status_code'], 503);
  assert.equal(span.attributes['error.type'], '503');
  recordResponse({ ...cs, ended: false }, 200, {}, false);
  assert.equal(span.attributes['http.response.status_code'], 200, 'set again, not counted again');
  assert.equal(span.droppedAttributesCount, 0);
  span.end();
  recordResponse({ ...cs, ended: false }, 404, {}, false);
  assert.equal(span.attributes['http.response.status_code'], 200, 'nothing changes once ended');

  const full = start(4); // the four request attributes fill it
  recordResponse(full, 200, {}, false);
  assert.equal('http.response.status_code' in (full.span as AgentSpan).attributes, false);
  assert.equal((full.span as AgentSpan).droppedAttributesCount, 1);
});
