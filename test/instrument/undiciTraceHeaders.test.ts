// How traceparent reaches undici's requests when the agent's own W3C
// propagator is global (directW3c): added to the made request for undici's
// plain Agent (Node's fetch), in a copy of the options for any other
// dispatcher, for a caller that set trace headers itself, or with baggage.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent, getGlobalDispatcher, MockAgent, request, setGlobalDispatcher, type Dispatcher } from 'undici';
import { context, propagation, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { installOutgoingInstrumentation } from '../../src/instrument/index.js';
import { OpenSpans, runAsInvocation, type InvocationState } from '../../src/invocationState.js';
import { isPlainUndiciAgent } from '../../src/undiciInternals.js';
import { setupOtel, type TestOtel } from './otel.js';
import { closeServer, listen } from '../helpers/targetServer.js';

type Dispatch = Dispatcher['dispatch'];

// Subscribed before the agent's own subscriber (installed in `before`), so it sees each request as undici made it.
const traceparentWhenMade = new Map<string, boolean>();
diagnostics.subscribe('undici:request:create', (message) => {
  const request = (message as { request: { path: string; headers: unknown } }).request;
  traceparentWhenMade.set(request.path, Array.isArray(request.headers) && request.headers.includes('traceparent'));
});

describe('trace headers on undici requests', () => {
  let server: Server;
  let origin = '';
  const seen: IncomingHttpHeaders[] = [];
  let otel: TestOtel;
  let uninstall: () => void;

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    origin = `http://127.0.0.1:${await listen(server)}`;
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, directW3c: true });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await closeServer(server);
  });
  beforeEach(() => {
    seen.length = 0;
    otel.exporter.reset();
  });

  const traceparentOfSpan = (i = 0) => {
    const sc = otel.spans()[i]!.spanContext();
    return `00-${sc.traceId}-${sc.spanId}-01`;
  };

  test("Node's fetch: each request carries its span's traceparent, once", async () => {
    for (let i = 0; i < 3; i++) {
      otel.exporter.reset();
      await (await fetch(`${origin}/n${i}`)).text();
      assert.equal(seen.at(-1)?.traceparent, traceparentOfSpan());
    }
  });

  test("Node's fetch: the header is added to the request undici made, not to a copy of the call's options", async () => {
    await (await fetch(`${origin}/made`)).text();
    assert.equal(traceparentWhenMade.get('/made'), false, 'the options undici made the request from had no traceparent');
    assert.equal(seen[0]?.traceparent, traceparentOfSpan());
  });

  test("Node's fetch and npm undici: a parent's tracestate goes out with the traceparent, each once, on the made request", async () => {
    const parent = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      traceState: new TraceState('vendor=opaque,other=1'),
    });
    await context.with(parent, async () => (await fetch(`${origin}/state-fetch`)).text());
    await context.with(parent, async () => (await request(`${origin}/state-undici`)).body.text());
    assert.equal(seen.length, 2);
    for (const [i, path] of ['/state-fetch', '/state-undici'].entries()) {
      const sc = otel.spans()[i]!.spanContext();
      assert.equal(sc.traceId, '0af7651916cd43dd8448eb211c80319c', path);
      assert.equal(seen[i]?.traceparent, `00-${sc.traceId}-${sc.spanId}-01`, `${path}: one traceparent, the span's`);
      assert.equal(seen[i]?.tracestate, 'vendor=opaque,other=1', `${path}: one tracestate, the parent's`);
      assert.equal(traceparentWhenMade.get(path), false, `${path}: added to the request undici made`);
    }
  });

  test("fetch through an Agent at its connection limit: every call's request, queued or not, carries its own span's traceparent, once", async () => {
    // Two connections for six calls at once: the pool queues four, and undici makes their requests later.
    const limited = new Agent({ connections: 2 });
    try {
      await Promise.all([1, 2, 3, 4, 5, 6].map(async (i) => (await fetch(`${origin}/limited${i}`, { dispatcher: limited } as unknown as RequestInit)).text()));
      const spans = otel.spans();
      assert.equal(spans.length, 6, 'one span a call: the requests made later are known as ours');
      const sent = seen.map((h) => h.traceparent).sort();
      const expected = spans.map((sp) => `00-${sp.spanContext().traceId}-${sp.spanContext().spanId}-01`).sort();
      assert.deepEqual(sent, expected);
    } finally {
      await limited.close();
    }
  });

  test("a caller's own traceparent is replaced by the span's, not sent twice", async () => {
    await (await fetch(`${origin}/own`, { headers: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' } })).text();
    assert.equal(seen[0]?.traceparent, traceparentOfSpan());
  });

  test('baggage in the context goes out with the trace headers', async () => {
    const ctx = propagation.setBaggage(context.active(), propagation.createBaggage({ user: { value: 'alice' } }));
    await context.with(ctx, async () => (await fetch(`${origin}/baggage`)).text());
    assert.equal(seen[0]?.traceparent, traceparentOfSpan());
    assert.equal(seen[0]?.baggage, 'user=alice');
  });

  test('a composed Agent whose interceptor dispatches later: one span and one traceparent a call, from the first', async () => {
    const base = new Agent();
    const later = (dispatch: Dispatch): Dispatch => (opts, handler) => {
      setImmediate(() => dispatch(opts, handler));
      return true;
    };
    const composed = base.compose(later);
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(composed);
    try {
      for (let i = 0; i < 2; i++) {
        otel.exporter.reset();
        const state = { openSpans: new OpenSpans(), deadlineMs: Date.now() + 60_000 } as unknown as InvocationState;
        await runAsInvocation(state, async () => (await fetch(`${origin}/composed${i}`)).text());
        assert.equal(otel.spans().length, 1, `call ${i}: the request made later is not taken for one that bypassed us`);
        assert.equal(seen.at(-1)?.traceparent, traceparentOfSpan(), `call ${i}`);
      }
    } finally {
      setGlobalDispatcher(previous);
      await base.close();
    }
  });

  test('the global dispatcher behind our wrapper: its members bound to it, assignments reaching it, its calls still traced', async () => {
    const own = new Agent();
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(own);
    try {
      await (await fetch(`${origin}/wrap0`)).text(); // our fetch puts the wrapper in front of the new global dispatcher
      const wrapper = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as Agent & { isMockActive?: unknown };
      assert.notEqual(wrapper, own);
      assert.ok(wrapper instanceof Agent);
      assert.equal(wrapper.closed, false, 'getters read the dispatcher');
      assert.equal(wrapper.isMockActive, undefined);

      let ownCalls = 0;
      wrapper.dispatch = function (this: Agent, opts, handler) {
        ownCalls++;
        return Agent.prototype.dispatch.call(this, opts, handler);
      };
      assert.ok(Object.hasOwn(own, 'dispatch'), 'an assigned dispatch lands on the dispatcher');
      assert.notEqual(wrapper.dispatch, own.dispatch, 'and ours stays in front of it');
      otel.exporter.reset();
      await (await fetch(`${origin}/wrap1`)).text();
      assert.equal(ownCalls, 1);
      assert.equal(otel.spans().length, 1);
      assert.equal(seen.at(-1)?.traceparent, traceparentOfSpan());

      await wrapper.close(); // bound to the dispatcher
      assert.equal(own.closed, true);
    } finally {
      setGlobalDispatcher(previous);
      await own.close().catch(() => {});
    }
  });

  test('behind our wrapper a MockAgent still answers whether it is active', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock.get(origin).intercept({ path: '/mocked' }).reply(200, 'from the mock');
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(mock);
    try {
      assert.equal(await (await fetch(`${origin}/mocked`)).text(), 'from the mock');
      const wrapper = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] as { isMockActive?: unknown };
      assert.notEqual(wrapper, mock);
      assert.equal(wrapper.isMockActive, true);
      mock.deactivate();
      assert.equal(wrapper.isMockActive, false);
    } finally {
      setGlobalDispatcher(previous);
      await mock.close();
    }
  });

  test("isPlainUndiciAgent: undici's Agent, not a subclass, a composed one, a mock or a look-alike", async () => {
    const agent = new Agent();
    class MyAgent extends Agent {}
    const sub = new MyAgent();
    const mock = new MockAgent();
    class LookAlike {
      dispatch(): boolean {
        return true;
      }
    }
    Object.defineProperty(LookAlike, 'name', { value: 'Agent' });
    try {
      assert.equal(isPlainUndiciAgent(agent as never), true);
      assert.equal(isPlainUndiciAgent(sub as never), false);
      assert.equal(isPlainUndiciAgent(agent.compose((d) => d) as never), false);
      assert.equal(isPlainUndiciAgent(mock as never), false);
      assert.equal(isPlainUndiciAgent(new LookAlike() as never), false);
    } finally {
      await Promise.all([agent.close(), sub.close(), mock.close()]);
    }
  });

  test("npm undici's own Agent: a request that carries the caller's traceparent keeps it, alone; one carrying none gets the span's", async () => {
    const own = new Agent();
    const mine = '00-11111111111111111111111111111111-2222222222222222-01';
    try {
      await (await request(`${origin}/mine`, { dispatcher: own, headers: { traceparent: mine } })).body.text();
      assert.equal(seen[0]?.traceparent, mine);
      assert.equal(otel.spans().length, 1);
      otel.exporter.reset();
      await (await request(`${origin}/ours`, { dispatcher: own })).body.text();
      assert.equal(seen[1]?.traceparent, traceparentOfSpan());
    } finally {
      await own.close();
    }
  });

  test('with no active span the request still carries a traceparent (of a new root span)', async () => {
    await context.with(trace.deleteSpan(context.active()), async () => (await fetch(`${origin}/root`)).text());
    assert.equal(seen[0]?.traceparent, traceparentOfSpan());
  });
});
