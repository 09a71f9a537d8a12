// Client spans and traceparent for http, Node's fetch, npm undici (global and
// custom dispatchers) and a real AWS SDK client, against real local servers.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent, request as undiciRequest } from 'undici';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { installOutgoingInstrumentation } from '../../src/instrument/index.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { OpenSpans, runAsInvocation, type InvocationState } from '../../src/invocationState.js';
import { FakeEngine, setupOtel, type TestOtel } from './otel.js';
import { createWireFaultHook } from '../../src/chaos/wire/index.js';
import { startDynalite } from '../helpers/ruleTable.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

const originalRequest = http.request;

/** Runs `call` with an npm undici Agent of the function's own, closed afterwards. */
async function withOwnAgent(call: (dispatcher: Agent) => Promise<unknown>): Promise<void> {
  const agent = new Agent();
  try {
    await call(agent);
  } finally {
    await agent.close();
  }
}

describe('client spans', () => {
  let server: Server;
  let origin = '';
  let port = 0;
  const seen: IncomingHttpHeaders[] = [];
  let otel: TestOtel;
  let uninstall: () => void;
  const engine = new FakeEngine();

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      const status = req.url?.startsWith('/fail') ? 503 : 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    port = await listen(server);
    origin = `http://127.0.0.1:${port}`;
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, redactor: createRedactor([]), faultHook: () => createWireFaultHook(engine) });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await closeServer(server);
  });
  beforeEach(() => {
    seen.length = 0;
    otel.exporter.reset();
    engine.reset();
  });

  const get = (url: string, opts: http.RequestOptions = {}) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, opts, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });

  /** Runs `fn` inside an active parent span, as the invocation span is during a handler. */
  async function underParent<T>(fn: () => Promise<T>) {
    const parent = otel.tracer.startSpan('invocation');
    const out = await context.with(trace.setSpan(context.active(), parent), fn);
    parent.end();
    return { parent, out };
  }

  test('http.get: CLIENT span, child of the active span, with the HTTP attributes; traceparent reaches the server', async () => {
    const { parent } = await underParent(() => get(`${origin}/a/b?x=1&token=secret`));
    const span = otel.spans().find((s) => s.kind === SpanKind.CLIENT);
    assert.ok(span);
    assert.equal(span.name, 'GET');
    assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(span.spanContext().traceId, parent.spanContext().traceId);
    assert.deepEqual(span.attributes, {
      'http.request.method': 'GET',
      'url.full': `${origin}/a/b?x=1&token=REDACTED`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
    });
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.equal(seen[0]?.traceparent, `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  test('credentials in the URL never reach url.full', async () => {
    await get(`http://user:pw@127.0.0.1:${port}/c`);
    const span = otel.spans()[0];
    assert.equal(span?.attributes['url.full'], `${origin}/c`);
  });

  test('5xx: status ERROR', async () => {
    await get(`${origin}/fail`);
    const span = otel.spans()[0];
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.attributes['http.response.status_code'], 503);
  });

  test('connection refused: status ERROR and the exception recorded', async () => {
    const deadPort = await closedPort();
    await assert.rejects(get(`http://127.0.0.1:${deadPort}/`), { code: 'ECONNREFUSED' });
    const span = otel.spans()[0];
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.events[0]?.name, 'exception');
    assert.equal(span?.attributes['error.type'], 'ECONNREFUSED');
  });

  test('calls under suppressTracing (the agent’s own) get no span, no traceparent and no fault decision', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 500 } }));
    const status = await context.with(suppressTracing(context.active()), () => get(`${origin}/own`));
    assert.equal(status, 200);
    assert.equal(otel.spans().length, 0);
    assert.equal(seen[0]?.traceparent, undefined);
    assert.equal(engine.calls.length, 0);
    const res = await context.with(suppressTracing(context.active()), () => fetch(`${origin}/own`));
    assert.equal(res.status, 200);
    assert.equal(otel.spans().length, 0);
  });

  test("the span is in the invocation's open spans while the call runs, and removed when it ends", async () => {
    const state = { openSpans: new OpenSpans(), deadlineMs: Date.now() + 60_000 } as unknown as InvocationState;
    let during = -1;
    await runAsInvocation(state, async () => {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(`${origin}/o`, (res) => {
          during = state.openSpans.size;
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
      });
    });
    assert.equal(during, 1);
    assert.equal(state.openSpans.size, 0);
  });

  test("Node's fetch: span and traceparent", async () => {
    const { parent } = await underParent(async () => (await fetch(`${origin}/f`, { method: 'POST', body: 'x' })).text());
    const span = otel.spans().find((s) => s.kind === SpanKind.CLIENT);
    assert.equal(span?.name, 'POST');
    assert.equal(span?.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(span?.attributes['http.response.status_code'], 200);
    assert.equal(span?.attributes['url.full'], `${origin}/f`);
    assert.equal(seen[0]?.traceparent, `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
  });

  test('npm undici request through the global dispatcher', async () => {
    const res = await undiciRequest(`${origin}/u`);
    await res.body.text();
    const span = otel.spans()[0];
    assert.equal(span?.attributes['http.response.status_code'], 200);
    assert.ok(seen[0]?.traceparent?.includes(span?.spanContext().spanId ?? 'x'));
  });

  test('npm undici with a custom Agent: span and traceparent from the diagnostics channels', async () => {
    await withOwnAgent(async (dispatcher) => (await undiciRequest(`${origin}/custom`, { dispatcher })).body.text());
    const spans = otel.spans();
    assert.equal(spans.length, 1, 'exactly one span, not one per layer');
    assert.equal(spans[0]?.attributes['http.response.status_code'], 200);
    assert.ok(seen[0]?.traceparent?.includes(spans[0]?.spanContext().spanId ?? 'x'));
  });

  test('AWS SDK call to a local endpoint (dynalite): rpc attributes, AWS span name and request id', async () => {
    const dynamo = await startDynalite();
    const ddb = dynamo.client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
    try {
      const out = await ddb.send(new ListTablesCommand({}));
      const span = otel.spans()[0];
      assert.equal(span?.name, 'DynamoDB.ListTables');
      assert.equal(span?.kind, SpanKind.CLIENT);
      assert.equal(span?.attributes['rpc.system.name'], 'aws-api');
      assert.equal(span?.attributes['rpc.method'], 'DynamoDB/ListTables');
      // The names the semantic-convention registry deprecated are not emitted.
      assert.equal(span?.attributes['rpc.system'], undefined);
      assert.equal(span?.attributes['rpc.service'], undefined);
      assert.equal(span?.attributes['aws.request_id'], out.$metadata.requestId);
      assert.equal(span?.attributes['http.response.status_code'], 200);
    } finally {
      ddb.destroy();
      await dynamo.close();
    }
  });

  test('installing twice keeps one set of patches (no double spans)', async () => {
    const again = installOutgoingInstrumentation({ tracer: otel.tracer, faultHook: () => createWireFaultHook(engine) });
    assert.equal(again, uninstall);
    await get(`${origin}/twice`);
    assert.equal(otel.spans().length, 1);
  });
});

// Run with a fresh install: until a request bypasses the global dispatcher, only
// undici's request:create channel is listened to, so the first such request
// must bring in the outcome channels in time for its own outcome.
describe('custom undici dispatcher, first request of the install', () => {
  let otel: TestOtel;
  let uninstall: () => void;
  let server: Server;
  let origin = '';
  before(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(503);
      res.end('busy');
    });
    origin = `http://127.0.0.1:${await listen(server)}`;
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, redactor: createRedactor([]) });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await closeServer(server);
  });

  test('a refused connection: the span records the error and ends', async () => {
    const port = await closedPort();
    await withOwnAgent((dispatcher) => assert.rejects(undiciRequest(`http://127.0.0.1:${port}/refused`, { dispatcher })));
    const spans = otel.spans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]?.status.code, SpanStatusCode.ERROR);
    assert.equal(spans[0]?.attributes['server.port'], port);
    assert.ok(spans[0]?.ended);
  });

  test('then a 503: status code and error status from the headers channel', async () => {
    otel.exporter.reset();
    await withOwnAgent(async (dispatcher) => (await undiciRequest(`${origin}/busy`, { dispatcher })).body.text());
    const spans = otel.spans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0]?.attributes['http.response.status_code'], 503);
    assert.equal(spans[0]?.status.code, SpanStatusCode.ERROR);
  });
});

test('uninstall restores http.request', () => {
  assert.equal(http.request, originalRequest);
});
