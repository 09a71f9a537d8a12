// Faults on the npm undici 7 package's request/fetch (same global dispatcher
// as Node's fetch), against a real local server.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { installOutgoingInstrumentation } from '../../../src/instrument/index.js';
import { createWireFaultHook } from '../../../src/chaos/wire/index.js';
import { FakeEngine, setupOtel, type TestOtel } from '../../instrument/otel.js';
import { JSON_BODY, startTargetServer, type TargetServer } from '../../helpers/targetServer.js';

describe('npm undici faults at the wire', () => {
  let target: TargetServer;
  let otel: TestOtel;
  let uninstall: () => void;
  const engine = new FakeEngine();

  before(async () => {
    target = await startTargetServer();
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, faultHook: createWireFaultHook(engine) });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await target.close();
  });
  beforeEach(() => {
    engine.reset();
    otel.exporter.reset();
    target.seen.length = 0;
    target.connections = 0;
  });

  test('request: HTTP status error, the server sees nothing', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 502 } }));
    const res = await request(`${target.origin}/x`);
    assert.equal(res.statusCode, 502);
    assert.deepEqual(await res.body.json(), { message: 'Bad Gateway' });
    assert.equal(target.seen.length, 0);
    assert.equal(engine.injectedFaults.length, 1);
    assert.equal(otel.spans()[0]?.events[0]?.name, 'chaos.fault');
  });

  test('request: ECONNRESET rejects with the network error', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
    await assert.rejects(request(`${target.origin}/x`), { code: 'ECONNRESET' });
    assert.equal(target.seen.length, 0);
  });

  test('request: latency, then the real response', async () => {
    engine.reset(() => ({ type: 'latency', latencyMs: 100, jitterMs: 0 }));
    const t0 = Date.now();
    const res = await request(`${target.origin}/x`);
    assert.deepEqual(await res.body.json(), JSON_BODY);
    assert.ok(Date.now() - t0 >= 90);
    assert.equal(target.seen.length, 1);
  });

  test("request: timeout ends at the client's headersTimeout", async () => {
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    await assert.rejects(request(`${target.origin}/x`, { headersTimeout: 100 }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    assert.equal(target.seen.length, 0);
  });

  test('request: an AbortSignal ends a hung call', async () => {
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    await assert.rejects(request(`${target.origin}/x`, { signal: AbortSignal.timeout(100) }), (e: Error) => /abort|timeout/i.test(e.name));
  });

  test('request: corrupt truncate, content-length fixed up', async () => {
    engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
    const full = JSON.stringify(JSON_BODY);
    const res = await request(`${target.origin}/x`);
    assert.equal(res.headers['content-length'], String(Math.floor(full.length / 2)));
    assert.equal(await res.body.text(), full.slice(0, Math.floor(full.length / 2)));
  });

  test('request: recorded response', async () => {
    engine.reset(() => ({ type: 'respond', status: 201, headers: { 'x-placebo': '1' }, body: 'made' }));
    const res = await request(`${target.origin}/x`, { method: 'POST', body: 'x' });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['x-placebo'], '1');
    assert.equal(await res.body.text(), 'made');
    assert.equal(target.seen.length, 0);
  });

  test('fetch (npm undici): status error and corrupt json', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 429 } }));
    assert.equal((await undiciFetch(`${target.origin}/x`)).status, 429);
    engine.reset(() => ({ type: 'corrupt', corruption: 'json' }));
    assert.deepEqual(await (await undiciFetch(`${target.origin}/x`)).json(), { name: 5, n: '1', ok: 'true', tags: [1] });
  });

  test('keep-alive: the pooled connection keeps serving after faults', async () => {
    await (await request(`${target.origin}/1`)).body.text();
    engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
    await assert.rejects(request(`${target.origin}/2`));
    engine.reset();
    await (await request(`${target.origin}/3`)).body.text();
    assert.deepEqual(
      target.seen.map((s) => s.url),
      ['/1', '/3'],
    );
    assert.equal(target.connections, 1);
  });

  test("fetch with a dispatcher of the function's own: faults apply, one span, the caller's init untouched", async () => {
    const agent = new Agent();
    try {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const init = { dispatcher: agent };
      const failed = await fetch(`${target.origin}/own`, init as unknown as RequestInit);
      assert.equal(failed.status, 503);
      await failed.text();
      assert.equal(target.seen.length, 0, 'the fault answered; the server saw nothing');
      assert.equal(init.dispatcher, agent);
      assert.equal(otel.spans().length, 1, 'one span: the diagnostics channel leaves it to the wrapper');
      assert.equal(otel.spans()[0]?.events[0]?.name, 'chaos.fault');

      engine.reset();
      otel.exporter.reset();
      // Members the init inherits are read as before: the wrapped copy inherits from it.
      const inherited = Object.assign(Object.create({ method: 'POST', body: 'x', headers: { 'x-mine': '1' } }) as object, { dispatcher: agent });
      const ok = await fetch(`${target.origin}/own`, inherited as unknown as RequestInit);
      assert.equal(ok.status, 200);
      await ok.text();
      assert.equal(target.seen.length, 1);
      assert.equal(target.seen[0]?.method, 'POST');
      assert.equal(target.seen[0]?.headers['x-mine'], '1');
      assert.equal(target.seen[0]?.headers['content-length'], '1');
      const spans = otel.spans();
      assert.equal(spans.length, 1);
      assert.equal(target.seen[0]?.headers.traceparent, `00-${spans[0]?.spanContext().traceId}-${spans[0]?.spanContext().spanId}-01`);
    } finally {
      await agent.close();
    }
  });
});
