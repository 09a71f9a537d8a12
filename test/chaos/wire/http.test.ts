// Faults on Node's http module and Node 20's built-in fetch against a real
// local server: canned responses never reach it, latency and corruption do.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { get as namedGet } from 'node:http';
import { createRequire } from 'node:module';
import { OpenSpans, runAsInvocation, type InvocationState } from '../../../src/invocationState.js';
import { JSON_BODY, startTargetServer } from '../../helpers/targetServer.js';
import { useWireFaults } from '../../helpers/wireFaults.js';

interface Got {
  res: IncomingMessage;
  body: string;
}

function getText(url: string, opts: http.RequestOptions = {}, get = http.get): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = get(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function invocation(deadlineMs: number): InvocationState {
  return {
    requestId: 'req-1',
    traceId: '0'.repeat(32),
    spanId: '0'.repeat(16),
    coldStart: false,
    deadlineMs,
    span: undefined as never,
    logKeys: undefined,
    baggage: undefined,
    event: {},
    faultsInjected: 0,
    openSpans: new OpenSpans(),
    finished: false,
  };
}

describe('http/https and fetch faults at the wire', () => {
  const wire = useWireFaults(startTargetServer, { reset: (t) => t.reset() });
  const { engine } = wire;

  describe('http.get', () => {
    test('HTTP status error: a genuine response with that status; the server sees nothing', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const { res, body } = await getText(`${wire.server.origin}/x`);
      assert.equal(res.statusCode, 503);
      assert.deepEqual(JSON.parse(body), { message: 'Service Unavailable' });
      assert.equal(wire.server.seen.length, 0);
      assert.equal(engine.injectedFaults.length, 1);
      const [span] = wire.otel.spans();
      assert.equal(span?.attributes['http.response.status_code'], 503);
      assert.equal(span?.events[0]?.name, 'chaos.fault');
    });

    test('the rule engine sees host and path without the query', async () => {
      await getText(`${wire.server.origin}/v1/users?id=7`);
      assert.deepEqual(engine.calls, [{ kind: 'http', host: '127.0.0.1', path: '/v1/users' }]);
    });

    test('ES module named import (syncBuiltinESMExports) is covered too', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 418 } }));
      const { res } = await getText(`${wire.server.origin}/x`, {}, namedGet);
      assert.equal(res.statusCode, 418);
      assert.equal(wire.server.seen.length, 0);
    });

    test('CommonJS require of http is covered too', async () => {
      const cjsHttp = createRequire(import.meta.url)('node:http') as typeof http;
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 418 } }));
      const { res } = await getText(`${wire.server.origin}/x`, {}, cjsHttp.get);
      assert.equal(res.statusCode, 418);
      const viaRequest = await new Promise<number>((resolve, reject) => {
        const req = cjsHttp.request(`${wire.server.origin}/y`, { method: 'POST' }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('body');
      });
      assert.equal(viaRequest, 418);
      assert.equal(wire.server.seen.length, 0);
    });

    test('ECONNRESET fails the request with a Node-style error', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
      const err = (await getText(`${wire.server.origin}/x`).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      assert.ok(err instanceof Error);
      assert.equal(err.code, 'ECONNRESET');
      assert.equal(err.syscall, 'read');
      assert.equal(wire.server.seen.length, 0);
      assert.equal(wire.otel.spans()[0]?.attributes['error.type'], 'ECONNRESET');
    });

    test('ECONNREFUSED names the address', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNREFUSED' } }));
      const err = (await getText(`${wire.server.origin}/x`).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.message, `connect ECONNREFUSED 127.0.0.1:${wire.server.port}`);
    });

    test('latency: the request reaches the server after the delay', async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 120, jitterMs: 0 }));
      const t0 = Date.now();
      const { res, body } = await getText(`${wire.server.origin}/x`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(JSON.parse(body), JSON_BODY);
      assert.ok(Date.now() - t0 >= 110);
      assert.equal(wire.server.seen.length, 1);
    });

    test("timeout: the client's own socket timeout fires", async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const outcome = await new Promise<string>((resolve) => {
        const req = http.get(`${wire.server.origin}/x`, { timeout: 100 }, () => resolve('response'));
        req.on('timeout', () => {
          req.destroy();
          resolve('timeout');
        });
        req.on('error', () => undefined);
      });
      assert.equal(outcome, 'timeout');
      assert.equal(wire.server.seen.length, 0);
    });

    test("timeout: bounded by the invocation's remaining time, then ETIMEDOUT", async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const err = (await runAsInvocation(invocation(Date.now() + 250), () => getText(`${wire.server.origin}/x`))
        .catch((e: unknown) => e)) as NodeJS.ErrnoException;
      assert.equal(err.code, 'ETIMEDOUT');
    });

    test('corrupt json: the real body with values of the wrong types', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'json' }));
      const { res, body } = await getText(`${wire.server.origin}/x`);
      assert.equal(wire.server.seen.length, 1);
      assert.equal(res.headers['content-length'], undefined);
      assert.deepEqual(JSON.parse(body), { name: 5, n: '1', ok: 'true', tags: [1] });
    });

    test('corrupt truncate: half the body, content-length fixed up', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
      const full = JSON.stringify(JSON_BODY);
      const { res, body } = await getText(`${wire.server.origin}/x`);
      assert.equal(body, full.slice(0, Math.floor(full.length / 2)));
      assert.equal(res.headers['content-length'], String(Math.floor(full.length / 2)));
    });

    test('corrupt empty', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'empty' }));
      const { body } = await getText(`${wire.server.origin}/x`);
      assert.equal(body, '');
    });

    test('recorded response replaces the call', async () => {
      engine.reset(() => ({ type: 'respond', status: 202, headers: { 'x-placebo': 'yes' }, body: '{"queued":true}' }));
      const { res, body } = await getText(`${wire.server.origin}/x`);
      assert.equal(res.statusCode, 202);
      assert.equal(res.headers['x-placebo'], 'yes');
      assert.equal(body, '{"queued":true}');
      assert.equal(wire.server.seen.length, 0);
    });

    test('keep-alive agent: the pooled connection keeps serving after a fault', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        await getText(`${wire.server.origin}/1`, { agent });
        engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 500 } }));
        assert.equal((await getText(`${wire.server.origin}/2`, { agent })).res.statusCode, 500);
        engine.reset();
        const third = await getText(`${wire.server.origin}/3`, { agent });
        assert.equal(third.res.statusCode, 200);
        assert.equal(wire.server.connections, 1, 'one connection, reused');
        assert.deepEqual(
          wire.server.seen.map((s) => s.url),
          ['/1', '/3'],
        );
      } finally {
        agent.destroy();
      }
    });
  });

  describe('https (no network needed: the fault answers before any TLS)', () => {
    test('https.get to a remote host gets the canned status', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const { res } = await getText('https://api.example.invalid/v1/x', {}, https.get as typeof http.get);
      assert.equal(res.statusCode, 503);
      assert.deepEqual(engine.calls[0], { kind: 'http', host: 'api.example.invalid', path: '/v1/x' });
      assert.equal(wire.otel.spans()[0]?.attributes['url.full'], 'https://api.example.invalid/v1/x');
    });

    test("the AWS SDK against the real DynamoDB endpoint (https, keep-alive agent) raises the injected exception", async () => {
      engine.reset((c) => (c.service === 'dynamodb' ? { type: 'error', error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' } } : { type: 'error', error: { kind: 'network', code: 'ECONNREFUSED' } }));
      const ddb = new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
      const err = await ddb.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e);
      ddb.destroy();
      assert.ok(err instanceof ProvisionedThroughputExceededException, String(err));
      assert.deepEqual(engine.calls[0], { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.us-east-1.amazonaws.com', path: '/' });
      const span = wire.otel.spans()[0];
      assert.equal(span?.name, 'DynamoDB.GetItem');
      assert.equal(span?.attributes['server.port'], 443);
    });
  });

  describe("Node 20's built-in fetch", () => {
    test('HTTP status error; the server sees nothing', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const res = await fetch(`${wire.server.origin}/x`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { message: 'Service Unavailable' });
      assert.equal(wire.server.seen.length, 0);
      assert.equal(wire.otel.spans()[0]?.attributes['http.response.status_code'], 503);
    });

    test('ECONNRESET rejects fetch with the network error as cause', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
      const err = (await fetch(`${wire.server.origin}/x`).catch((e: unknown) => e)) as TypeError & { cause?: NodeJS.ErrnoException };
      assert.ok(err instanceof TypeError);
      assert.equal(err.cause?.code, 'ECONNRESET');
      assert.equal(wire.server.seen.length, 0);
    });

    test('latency, then the real response', async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 100, jitterMs: 0 }));
      const t0 = Date.now();
      const res = await fetch(`${wire.server.origin}/x`);
      assert.deepEqual(await res.json(), JSON_BODY);
      assert.ok(Date.now() - t0 >= 90);
      assert.equal(wire.server.seen.length, 1);
      assert.equal(wire.otel.spans().length, 1, 'one span: the diagnostics channel leaves calls through our dispatcher alone');
      assert.ok(wire.server.seen[0]?.headers.traceparent?.includes(wire.otel.spans()[0]?.spanContext().spanId ?? 'x'));
    });

    test("timeout: the caller's AbortSignal ends the hung call", async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const err = (await fetch(`${wire.server.origin}/x`, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e)) as Error;
      assert.equal(err.name, 'TimeoutError');
      assert.equal(wire.server.seen.length, 0);
    });

    test('timeout: timeoutMs fails it as a headers timeout', async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: 80 }));
      const err = (await fetch(`${wire.server.origin}/x`).catch((e: unknown) => e)) as TypeError & { cause?: { code?: string } };
      assert.equal(err.cause?.code, 'UND_ERR_HEADERS_TIMEOUT');
    });

    test("timeout: bounded by the invocation's remaining time", async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const err = (await runAsInvocation(invocation(Date.now() + 250), () => fetch(`${wire.server.origin}/x`))
        .catch((e: unknown) => e)) as TypeError & { cause?: { code?: string } };
      assert.equal(err.cause?.code, 'UND_ERR_HEADERS_TIMEOUT');
      assert.equal(wire.server.seen.length, 0);
    });

    test('corrupt json', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'json' }));
      const res = await fetch(`${wire.server.origin}/x`);
      assert.deepEqual(await res.json(), { name: 5, n: '1', ok: 'true', tags: [1] });
    });

    test('corrupt garble makes the JSON unreadable', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'garble' }));
      const res = await fetch(`${wire.server.origin}/x`);
      await assert.rejects(res.json(), SyntaxError);
    });

    test('recorded response', async () => {
      engine.reset(() => ({ type: 'respond', status: 200, headers: { 'content-type': 'text/plain' }, body: 'placebo' }));
      const res = await fetch(`${wire.server.origin}/x`);
      assert.equal(await res.text(), 'placebo');
      assert.equal(res.headers.get('content-type'), 'text/plain');
      assert.equal(wire.server.seen.length, 0);
    });
  });
});
