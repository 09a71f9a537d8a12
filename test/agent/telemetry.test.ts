// What every invocation emits (docs/telemetry.md), through wrap() in-process.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { wrap } from '../../src/wrap.js';
import { captureConsole } from '../../src/telemetry/logging/logger.js';
import { lambdaContext } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SyncSpanProcessor } from '../../src/telemetry/tracing/spanLogExporter.js';

function freshAgent(t: TestContext, env: Record<string, string> = {}) {
  return installTestAgent(t, { env });
}

const apiGatewayV2 = {
  version: '2.0',
  routeKey: 'POST /orders',
  rawPath: '/orders',
  rawQueryString: 'x=1',
  headers: {
    'content-type': 'application/json',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    authorization: 'Bearer abc',
    'user-agent': 'curl/8',
  },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.com',
    http: { method: 'POST', path: '/orders', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'curl/8' },
    requestId: 'r',
    routeKey: 'POST /orders',
    stage: '$default',
    time: '23/Nov/2026:19:00:00 +0000',
    timeEpoch: 1795460400000,
  },
  body: '{}',
  isBase64Encoded: false,
};

test('an HTTP-triggered invocation: SERVER span continuing the caller trace, logs, EMF, cold start once', async (t) => {
  const { sink } = freshAgent(t);
  const handler = wrap(async (_event: unknown) => {
    const { logger } = await import('../../src/index.js');
    logger.info('creating order', { orderId: 'o-1', password: 'hunter2' });
    return { statusCode: 201, body: '{}' };
  });
  await handler(apiGatewayV2, lambdaContext('req-1') as any);
  await handler(apiGatewayV2, lambdaContext('req-2') as any);

  const spans = sink.spans();
  assert.equal(spans.length, 2);
  const [first, second] = spans as [Record<string, any>, Record<string, any>];
  assert.equal(first.traceId, '0af7651916cd43dd8448eb211c80319c', 'the caller trace id is kept');
  assert.equal(first.parentSpanId, 'b7ad6b7169203331');
  assert.equal(first.kind, 'SERVER');
  assert.equal(first.name, 'POST /orders');
  const a = first.attributes;
  assert.equal(a['faas.trigger'], 'http');
  assert.equal(a['faas.invocation_id'], 'req-1');
  assert.equal(a['faas.coldstart'], true);
  assert.equal(a['faas.name'], 'orders');
  assert.equal(a['cloud.provider'], 'aws');
  assert.equal(a['cloud.region'], 'eu-west-1');
  assert.equal(a['cloud.account.id'], '123456789012');
  assert.equal(a['aws.lambda.invoked_arn'], 'arn:aws:lambda:eu-west-1:123456789012:function:orders');
  assert.equal(a['http.request.method'], 'POST');
  assert.equal(a['http.response.status_code'], 201);
  assert.equal(second.attributes['faas.coldstart'], false);

  const logs = sink.logs().filter((l) => l.message === 'creating order');
  assert.equal(logs.length, 2);
  const [l1, l2] = logs as [Record<string, any>, Record<string, any>];
  assert.match(l1.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(l1.level, 'INFO');
  assert.equal(l1.requestId, 'req-1');
  assert.equal(l1.traceId, first.traceId);
  assert.equal(l1.spanId, first.spanId);
  assert.equal(l1.function, 'orders');
  assert.equal(l1.service, 'orders');
  assert.equal(l1.coldStart, true);
  assert.equal(l1.orderId, 'o-1');
  assert.equal(l1.password, '[REDACTED]');
  assert.equal(l2.coldStart, undefined, 'coldStart only on the first invocation');
  assert.equal(second.attributes['http.request.header.authorization'], undefined);

  const metrics = sink.metrics();
  assert.equal(metrics.length, 2);
  const [m1, m2] = metrics as [Record<string, any>, Record<string, any>];
  assert.equal(m1._aws.CloudWatchMetrics[0].Namespace, 'Faultline');
  assert.deepEqual(m1._aws.CloudWatchMetrics[0].Dimensions[0], ['FunctionName', 'service']);
  assert.equal(m1.FunctionName, 'orders');
  assert.equal(m1.ColdStart, 1);
  assert.equal(typeof m1.InitDuration, 'number');
  assert.equal(m1.Error, 0);
  assert.equal(m1.FaultsInjected, 0);
  assert.equal(m2.ColdStart, 0);
  assert.equal(m2.InitDuration, undefined);
  const declared = m2._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name);
  for (const name of declared) assert.equal(typeof m2[name], 'number', `${name} declared and present`);
});

test('a thrown error: status ERROR, exception recorded, Error=1, rethrown unchanged', async (t) => {
  const { sink } = freshAgent(t);
  const boom = new RangeError('out of stock');
  await assert.rejects(wrap(async () => { throw boom; })({}, lambdaContext('req-e') as any), (e) => e === boom);
  const [span] = sink.spans() as [Record<string, any>];
  assert.equal(span.status.code, 'ERROR');
  assert.match(span.status.message, /RangeError: out of stock/);
  const ev = span.events.find((e: any) => e.name === 'exception');
  assert.equal(ev.attributes['exception.type'], 'RangeError');
  assert.equal(sink.metrics()[0]!.Error, 1);
});

test('console.* becomes structured lines with levels and the invocation fields; the level threshold applies', async (t) => {
  const { sink, agent } = installTestAgent(t, { env: { FAULTLINE_LOG_LEVEL: 'WARN' } });
  const fakeConsole = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } as unknown as Console;
  const restore = captureConsole(agent.logger, fakeConsole);
  try {
    await wrap(async () => {
      fakeConsole.log('hello %s', 'world');
      fakeConsole.warn('careful', 42);
      fakeConsole.error(new Error('bad thing'));
    })({}, lambdaContext('req-c') as any);
  } finally {
    restore();
  }
  const logs = sink.logs();
  assert.deepEqual(logs.map((l) => [l.level, l.message]), [
    ['WARN', 'careful 42'],
    ['ERROR', logs[1]!.message],
  ]);
  assert.match(logs[1]!.message, /Error: bad thing/);
  assert.equal(logs[1]!.error.message, 'bad thing');
  assert.equal(logs[0]!.requestId, 'req-c');
});

test('no value from one invocation appears in the next, also when invocations run concurrently', async (t) => {
  const { sink } = freshAgent(t);
  const { logger } = await import('../../src/index.js');
  const handler = wrap(async (event: { user: string; wait: number }) => {
    logger.appendKeys({ user: event.user });
    await new Promise((r) => setTimeout(r, event.wait));
    logger.info('done');
    return event.user;
  });
  const results = await Promise.all([
    handler({ user: 'alice', wait: 20 }, lambdaContext('req-a') as any),
    handler({ user: 'bob', wait: 5 }, lambdaContext('req-b') as any),
  ]);
  assert.deepEqual(results, ['alice', 'bob']);
  await wrap(async () => logger.info('later'))({}, lambdaContext('req-c') as any);
  const byMessage = sink.logs();
  const done = byMessage.filter((l) => l.message === 'done');
  const spans = sink.spans();
  for (const l of done) {
    const span = spans.find((s) => s.attributes['faas.invocation_id'] === l.requestId)!;
    assert.equal(l.traceId, span.traceId, 'each line carries its own invocation trace');
    assert.equal(l.user, l.requestId === 'req-a' ? 'alice' : 'bob');
  }
  const later = byMessage.find((l) => l.message === 'later')!;
  assert.equal(later.requestId, 'req-c');
  assert.equal(later.user, undefined, 'appended keys do not survive the invocation');
  assert.notEqual(later.traceId, done[0]!.traceId);
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 3, 'a fresh trace per untraced invocation');
});

test('a handler that makes a context of its own active (one per record) still logs and traces as its invocation', async (t) => {
  const { sink } = freshAgent(t);
  const { context, propagation, ROOT_CONTEXT, trace } = await import('@opentelemetry/api');
  const { logger } = await import('../../src/index.js');
  const recordTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  let userSpanTrace: string | undefined;
  const handler = wrap(async () => {
    const record = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${recordTrace}-00f067aa0ba902b7-01` });
    await context.with(record, async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info('in record');
      userSpanTrace = trace.getTracer('app').startActiveSpan('process record', (span) => {
        span.end();
        return span.spanContext().traceId;
      });
    });
    await context.with(ROOT_CONTEXT, async () => logger.info('in root'));
    return 'ok';
  });
  assert.equal(await handler({}, lambdaContext('req-own') as any), 'ok');
  for (const message of ['in record', 'in root']) {
    const line = sink.logs().find((l) => l.message === message);
    assert.equal(line?.requestId, 'req-own', message);
  }
  assert.equal(userSpanTrace, recordTrace, "the user's span continues the context the user made active");
});

test('an invocation about to time out: open spans ended and marked, metrics written, result still the handler\'s', async (t) => {
  const { sink, agent } = freshAgent(t);
  const handler = wrap(async () => {
    const open = agent.tracer.startSpan('slow call');
    const { currentInvocation } = await import('../../src/invocationState.js');
    currentInvocation()!.openSpans.add(open);
    await new Promise((r) => setTimeout(r, 250));
    return 'late';
  });
  const result = await handler({}, lambdaContext('req-t', 120) as any);
  assert.equal(result, 'late');
  const spans = sink.spans();
  const slow = spans.find((s) => s.name === 'slow call')!;
  assert.equal(slow.status.code, 'ERROR');
  assert.equal(slow.attributes['faultline.timeout'], true);
  const inv = spans.find((s) => s.attributes['faas.invocation_id'] === 'req-t')!;
  assert.equal(inv.attributes['faultline.timeout'], true);
  const metrics = sink.metrics();
  assert.equal(metrics.length, 1, 'written once, by the deadline guard');
  assert.equal(metrics[0]!.Error, 1);
  assert.equal(metrics[0]!.timedOut, true);
  assert.ok(sink.logs().some((l) => l.level === 'WARN' && /about to time out/.test(l.message)));
});

test('an exporter that throws does not reach the function', async (t) => {
  const throwing: SpanExporter = {
    export() {
      throw new Error('exporter exploded');
    },
    shutdown: async () => {},
  };
  const { sink } = installTestAgent(t, { spanProcessor: new SyncSpanProcessor(throwing) });
  assert.equal(await wrap(async () => 'fine')({}, lambdaContext('req-x') as any), 'fine');
  assert.equal(sink.metrics().length, 1);
});

test('SQS batch: CONSUMER span with a link per record carrying trace context', async (t) => {
  const { sink } = freshAgent(t);
  const record = (i: number) => ({
    messageId: `m${i}`,
    receiptHandle: 'h',
    body: '{}',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 's', ApproximateFirstReceiveTimestamp: '1' },
    messageAttributes: {
      traceparent: { stringValue: `00-${String(i).padStart(32, 'a')}-${'b'.repeat(16)}-01`, dataType: 'String', stringListValues: [], binaryListValues: [] },
    },
    md5OfBody: 'x',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders',
    awsRegion: 'eu-west-1',
  });
  await wrap(async () => 'ok')({ Records: [record(1), record(2), record(3)] }, lambdaContext('req-q') as any);
  const [span] = sink.spans() as [Record<string, any>];
  assert.equal(span.kind, 'CONSUMER');
  assert.equal(span.attributes['faas.trigger'], 'pubsub');
  assert.equal(span.links.length, 3);
  assert.deepEqual(span.links.map((l: any) => l.traceId), [1, 2, 3].map((i) => String(i).padStart(32, 'a')));
});

test('X-Ray header only: the invocation keeps the X-Ray trace id', async (t) => {
  const { sink } = freshAgent(t);
  const prev = process.env._X_AMZN_TRACE_ID;
  process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  try {
    await wrap(async () => 'ok')({}, lambdaContext('req-xr') as any);
  } finally {
    if (prev === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = prev;
  }
  const [span] = sink.spans() as [Record<string, any>];
  assert.equal(span.traceId, '5759e988bd862e3fe1be46a994272793');
  assert.equal(span.parentSpanId, '53995c3f42cd8ad8');
});

test('client spans of calls on a reused keep-alive connection belong to the invocation that made them', async (t) => {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as import('node:net').AddressInfo).port;
  try {
    const { sink } = freshAgent(t);
    const handler = wrap(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/x`);
      return res.text();
    });
    for (const id of ['req-k1', 'req-k2', 'req-k3']) assert.equal(await handler({}, lambdaContext(id) as any), 'ok');
    const clients = sink.spans().filter((s) => s.kind === 'CLIENT');
    assert.equal(clients.length, 3);
    assert.deepEqual(clients.map((s) => s.requestId), ['req-k1', 'req-k2', 'req-k3']);
    const servers = sink.spans().filter((s) => s.kind === 'SERVER');
    clients.forEach((c, i) => assert.equal(c.traceId, servers[i]!.traceId));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
