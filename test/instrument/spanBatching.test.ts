// Client span lines of a running invocation are written together with its
// invocation span (one stdout write per invocation instead of one per call),
// so still before the response is returned; a call that outlives its
// invocation is written when it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wrap } from '../../src/wrap.js';
import { lambdaContext } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

test('client spans are written with their invocation span, before the response', async (t) => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/hold') held.push(res);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const { sink } = installTestAgent(t);
    let linesDuringInvocation = -1;
    let background: Promise<Response> | undefined;
    const handler = wrap(async () => {
      assert.equal(await get(port, '/a'), 200);
      const res = await fetch(`http://127.0.0.1:${port}/b`);
      await res.text();
      linesDuringInvocation = sink.spans().length;
      background = fetch(`http://127.0.0.1:${port}/hold`); // outlives the invocation
      background.catch(() => {});
      return 'done';
    });
    assert.equal(await handler({}, lambdaContext('req-batch') as any), 'done');
    assert.equal(linesDuringInvocation, 0, 'the two finished client spans wait for the invocation span');

    const records = sink.records();
    const kinds = records.map((r) => (r.type === 'span' ? `${r.kind} ${r.attributes['url.full'] ?? ''}`.trim() : r._aws !== undefined ? 'EMF' : 'log'));
    assert.deepEqual(kinds, [`CLIENT http://127.0.0.1:${port}/a`, `CLIENT http://127.0.0.1:${port}/b`, 'SERVER', 'EMF']);
    assert.ok(records.slice(0, 3).every((r) => r.requestId === 'req-batch'));

    // The held call ends after the invocation: its line goes out as soon as it ends.
    while (held.length === 0) await new Promise((r) => setImmediate(r));
    held[0]!.end('late');
    await (await background!).text();
    while (sink.spans().length < 4) await new Promise((r) => setImmediate(r));
    const late = sink.spans()[3]!;
    assert.equal(late.kind, 'CLIENT');
    assert.equal(late.attributes['url.full'], `http://127.0.0.1:${port}/hold`);
    assert.equal(late.requestId, 'req-batch');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('a long invocation writes its client spans in bounded batches; a span that cannot be written is dropped alone', async () => {
  const { SpanLogExporter } = await import('../../src/telemetry/tracing/spanLogExporter.js');
  const { AgentTracerProvider } = await import('../../src/telemetry/tracing/tracer.js');
  const { spanLimitsFromEnv } = await import('../../src/config.js');
  const { bindSpanToInvocation } = await import('../../src/invocationState.js');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const writes: string[] = [];
  const exporter = new SpanLogExporter({ write: (l) => void writes.push(l) }, { function: 'f', service: 's' });
  const ended: import('@opentelemetry/sdk-trace-base').ReadableSpan[] = [];
  const provider = new AgentTracerProvider(
    { onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} },
    spanLimitsFromEnv({}),
    resourceFromAttributes({}),
  );
  const tracer = provider.getTracer('t');
  const invocation = { requestId: 'req-long', finished: false } as import('../../src/invocationState.js').InvocationState;
  for (let i = 0; i < 300; i++) {
    const span = tracer.startSpan(`GET ${i}`);
    bindSpanToInvocation(span, invocation);
    span.end();
  }
  for (const span of ended.splice(0)) exporter.exportOne(span);
  assert.equal(writes.length, 2, 'two full batches written while the invocation runs');
  assert.equal(writes.join('').split('\n').filter(Boolean).length, 256);

  // One broken span among the rest: its name getter throws when the line is built.
  const broken = tracer.startSpan('broken');
  bindSpanToInvocation(broken, invocation);
  broken.end();
  Object.defineProperty(ended.pop()!, 'name', { get: () => { throw new Error('no name'); } });
  exporter.exportOne(broken as unknown as import('@opentelemetry/sdk-trace-base').ReadableSpan);
  invocation.finished = true;
  const last = tracer.startSpan('GET last');
  bindSpanToInvocation(last, invocation);
  last.end();
  exporter.exportOne(ended.pop()!);
  const lines = writes.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; requestId: string });
  assert.equal(lines.length, 300 + 1, 'every span but the broken one');
  assert.deepEqual(lines.slice(-2).map((l) => l.name), ['GET 299', 'GET last']);
  assert.ok(lines.every((l) => l.requestId === 'req-long'));
});
