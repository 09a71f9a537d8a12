// Faults on the npm undici 7 package's request/fetch (same global dispatcher
// as Node's fetch), against a real local server.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import { Agent, fetch as undiciFetch, Request as UndiciRequest, request } from 'undici';
import { installOutgoingInstrumentation } from '../../../src/instrument/index.js';
import { createWireFaultHook } from '../../../src/chaos/wire/index.js';
import { closedPort, JSON_BODY, startTargetServer } from '../../helpers/targetServer.js';
import { useWireFaults } from '../../helpers/wireFaults.js';

describe('npm undici faults at the wire', () => {
  const wire = useWireFaults(startTargetServer, { reset: (t) => t.reset() });
  const { engine } = wire;

  test('request: HTTP status error, the server sees nothing', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 502 } }));
    const res = await request(`${wire.server.origin}/x`);
    assert.equal(res.statusCode, 502);
    assert.deepEqual(await res.body.json(), { message: 'Bad Gateway' });
    assert.equal(wire.server.seen.length, 0);
    assert.equal(engine.injectedFaults.length, 1);
    assert.equal(wire.otel.spans()[0]?.events[0]?.name, 'chaos.fault');
  });

  test('request: ECONNRESET rejects with the network error', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
    await assert.rejects(request(`${wire.server.origin}/x`), { code: 'ECONNRESET' });
    assert.equal(wire.server.seen.length, 0);
  });

  test('request: latency, then the real response', async () => {
    engine.reset(() => ({ type: 'latency', latencyMs: 100, jitterMs: 0 }));
    const t0 = Date.now();
    const res = await request(`${wire.server.origin}/x`);
    assert.deepEqual(await res.body.json(), JSON_BODY);
    assert.ok(Date.now() - t0 >= 90);
    assert.equal(wire.server.seen.length, 1);
  });

  test("request: timeout ends at the client's headersTimeout", async () => {
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    await assert.rejects(request(`${wire.server.origin}/x`, { headersTimeout: 100 }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    assert.equal(wire.server.seen.length, 0);
  });

  test('request: an AbortSignal ends a hung call', async () => {
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    await assert.rejects(request(`${wire.server.origin}/x`, { signal: AbortSignal.timeout(100) }), (e: Error) => /abort|timeout/i.test(e.name));
  });

  test('request: corrupt truncate, content-length fixed up', async () => {
    engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
    const full = JSON.stringify(JSON_BODY);
    const res = await request(`${wire.server.origin}/x`);
    assert.equal(res.headers['content-length'], String(Math.floor(full.length / 2)));
    assert.equal(await res.body.text(), full.slice(0, Math.floor(full.length / 2)));
  });

  test('request: recorded response', async () => {
    engine.reset(() => ({ type: 'respond', status: 201, headers: { 'x-placebo': '1' }, body: 'made' }));
    const res = await request(`${wire.server.origin}/x`, { method: 'POST', body: 'x' });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['x-placebo'], '1');
    assert.equal(await res.body.text(), 'made');
    assert.equal(wire.server.seen.length, 0);
  });

  test('fetch (npm undici): status error and corrupt json', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 429 } }));
    assert.equal((await undiciFetch(`${wire.server.origin}/x`)).status, 429);
    engine.reset(() => ({ type: 'corrupt', corruption: 'json' }));
    assert.deepEqual(await (await undiciFetch(`${wire.server.origin}/x`)).json(), { name: 5, n: '1', ok: 'true', tags: [1] });
  });

  test('keep-alive: the pooled connection keeps serving after faults', async () => {
    await (await request(`${wire.server.origin}/1`)).body.text();
    engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
    await assert.rejects(request(`${wire.server.origin}/2`));
    engine.reset();
    await (await request(`${wire.server.origin}/3`)).body.text();
    assert.deepEqual(
      wire.server.seen.map((s) => s.url),
      ['/1', '/3'],
    );
    assert.equal(wire.server.connections, 1);
  });

  test("fetch with a dispatcher of the function's own: faults apply, one span, the caller's init untouched", async () => {
    const agent = new Agent();
    try {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const init = { dispatcher: agent };
      const failed = await fetch(`${wire.server.origin}/own`, init as unknown as RequestInit);
      assert.equal(failed.status, 503);
      await failed.text();
      assert.equal(wire.server.seen.length, 0, 'the fault answered; the server saw nothing');
      assert.equal(init.dispatcher, agent);
      assert.equal(wire.otel.spans().length, 1, 'one span: the diagnostics channel leaves it to the wrapper');
      assert.equal(wire.otel.spans()[0]?.events[0]?.name, 'chaos.fault');

      engine.reset();
      wire.otel.exporter.reset();
      // Members the init inherits are read as before: the wrapped copy inherits from it.
      const inherited = Object.assign(Object.create({ method: 'POST', body: 'x', headers: { 'x-mine': '1' } }) as object, { dispatcher: agent });
      const ok = await fetch(`${wire.server.origin}/own`, inherited as unknown as RequestInit);
      assert.equal(ok.status, 200);
      await ok.text();
      assert.equal(wire.server.seen.length, 1);
      assert.equal(wire.server.seen[0]?.method, 'POST');
      assert.equal(wire.server.seen[0]?.headers['x-mine'], '1');
      assert.equal(wire.server.seen[0]?.headers['content-length'], '1');
      const spans = wire.otel.spans();
      assert.equal(spans.length, 1);
      assert.equal(wire.server.seen[0]?.headers.traceparent, `00-${spans[0]?.spanContext().traceId}-${spans[0]?.spanContext().spanId}-01`);
    } finally {
      await agent.close();
    }
  });

  describe("npm undici's own API with a dispatcher of the function's own", () => {
    let own: Agent;
    beforeEach(() => {
      own = new Agent();
    });
    afterEach(async () => {
      await own.close();
    });

    test('request(url, { dispatcher }): HTTP status error, the server sees nothing, one span with the outcome, the connection kept', async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 502 } }));
      const res = await request(`${wire.server.origin}/own`, { dispatcher: own });
      assert.equal(res.statusCode, 502);
      assert.deepEqual(await res.body.json(), { message: 'Bad Gateway' });
      assert.equal(wire.server.seen.length, 0);
      assert.equal(engine.injectedFaults.length, 1);
      const [span] = wire.otel.spans();
      assert.equal(wire.otel.spans().length, 1);
      assert.equal(span?.events[0]?.name, 'chaos.fault');
      assert.equal(span?.attributes['http.response.status_code'], 502);
      assert.equal(span?.status.code, SpanStatusCode.ERROR);

      engine.reset();
      const ok = await request(`${wire.server.origin}/own`, { dispatcher: own });
      assert.equal(ok.statusCode, 200);
      await ok.body.text();
      assert.equal(wire.server.seen.length, 1);
      assert.ok(wire.server.connections <= 1, `the stopped request left its connection open for the next call (${wire.server.connections} connections)`);
    });

    test("an Agent's own request(): a network error rejects with its code", async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
      await assert.rejects(own.request({ origin: wire.server.origin, path: '/own', method: 'GET' }), { code: 'ECONNRESET' });
      assert.equal(wire.server.seen.length, 0);
      const [span] = wire.otel.spans();
      assert.equal(span?.attributes['error.type'], 'ECONNRESET');
    });

    test('latency: the response is held, then the real one arrives', async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 150, jitterMs: 0 }));
      const t0 = performance.now();
      const res = await request(`${wire.server.origin}/own`, { dispatcher: own });
      assert.deepEqual(await res.body.json(), JSON_BODY);
      assert.ok(performance.now() - t0 >= 140, `held ${performance.now() - t0} ms`);
      assert.equal(wire.server.seen.length, 1);
      assert.equal(wire.otel.spans()[0]?.attributes['http.response.status_code'], 200);
    });

    test("latency: the caller's AbortSignal still ends the call, and the held response never reaches it", async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 200, jitterMs: 0 }));
      await assert.rejects(request(`${wire.server.origin}/own`, { dispatcher: own, signal: AbortSignal.timeout(50) }), (e: Error) => /abort|timeout/i.test(e.name));
      const [span] = wire.otel.spans();
      assert.equal(span?.attributes['http.response.status_code'], undefined);
      assert.equal(span?.status.code, SpanStatusCode.ERROR);
    });

    test('latency before a refused connection: the error arrives after the delay', async () => {
      const port = await closedPort();
      engine.reset(() => ({ type: 'latency', latencyMs: 120, jitterMs: 0 }));
      const t0 = performance.now();
      await assert.rejects(request(`http://127.0.0.1:${port}/own`, { dispatcher: own }), { code: 'ECONNREFUSED' });
      assert.ok(performance.now() - t0 >= 110);
    });

    test("timeout: ends at the client's headersTimeout, or at the caller's AbortSignal", async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      await assert.rejects(request(`${wire.server.origin}/own`, { dispatcher: own, headersTimeout: 100 }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      await assert.rejects(request(`${wire.server.origin}/own`, { dispatcher: own, signal: AbortSignal.timeout(100) }), (e: Error) => /abort|timeout/i.test(e.name));
      assert.equal(wire.server.seen.length, 0);
    });

    test('undici.fetch with a dispatcher: corrupt truncate', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
      const full = JSON.stringify(JSON_BODY);
      const res = await undiciFetch(`${wire.server.origin}/own`, { dispatcher: own });
      assert.equal(await res.text(), full.slice(0, Math.floor(full.length / 2)));
      assert.equal(wire.server.seen.length, 1);
    });

    test('an undici Request carrying a dispatcher: recorded response, request body kept from the server', async () => {
      engine.reset(() => ({ type: 'respond', status: 201, headers: { 'x-placebo': '1' }, body: 'made' }));
      const res = await undiciFetch(new UndiciRequest(`${wire.server.origin}/own`, { method: 'POST', body: 'x', dispatcher: own }));
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-placebo'), '1');
      assert.equal(await res.text(), 'made');
      assert.equal(wire.server.seen.length, 0);
    });

    test("Node's fetch given a Request that carries a dispatcher: status error", async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
      const res = await fetch(new Request(`${wire.server.origin}/own`, { dispatcher: own } as unknown as RequestInit));
      assert.equal(res.status, 503);
      await res.text();
      assert.equal(wire.server.seen.length, 0);
      assert.equal(wire.otel.spans().length, 1);
      assert.equal(wire.otel.spans()[0]?.events[0]?.name, 'chaos.fault');
    });

    test('with tracing off, faults still apply', async () => {
      installOutgoingInstrumentation({ tracer: undefined, faultHook: createWireFaultHook(engine) });
      try {
        engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 504 } }));
        const res = await request(`${wire.server.origin}/own`, { dispatcher: own });
        assert.equal(res.statusCode, 504);
        await res.body.text();
        assert.equal(wire.server.seen.length, 0);
        assert.equal(engine.injectedFaults.length, 1);
        assert.equal(engine.injectedFaults[0]?.span, undefined);
      } finally {
        installOutgoingInstrumentation({ tracer: wire.otel.tracer, faultHook: createWireFaultHook(engine) });
      }
    });

    test('no rule: the call goes out untouched, with traceparent', async () => {
      engine.reset();
      const res = await request(`${wire.server.origin}/own`, { dispatcher: own });
      assert.deepEqual(await res.body.json(), JSON_BODY);
      const [span] = wire.otel.spans();
      assert.equal(wire.server.seen[0]?.headers.traceparent, `00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`);
      assert.equal(engine.calls.length, 1);
    });
  });
});
