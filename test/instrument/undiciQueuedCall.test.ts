// A call that waits for a connection another invocation holds: undici makes
// its request at once (queued inside a Client) or, when a pool queues the
// call, later, in the async context of the call that freed the connection.
// Each kind of npm undici dispatcher the function owns (Agent, Pool, Client)
// × call API (request(), fetch()): the waiting call's span, its traceparent
// and the fault rules' decision must all be its own invocation's, not the
// freeing one's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server, type ServerResponse } from 'node:http';
import { Agent, Client, fetch as undiciFetch, Pool, request, type Dispatcher } from 'undici';
import { context, trace, type Span } from '@opentelemetry/api';
import { installOutgoingInstrumentation, type FaultHook } from '../../src/instrument/index.js';
import { currentInvocation, invocationOfSpan, OpenSpans, runAsInvocation, type InvocationState } from '../../src/invocationState.js';
import { setupOtel, type TestOtel } from './otel.js';
import { closeServer, listen } from '../helpers/targetServer.js';

const DISPATCHERS: readonly { name: string; make(origin: string): Dispatcher }[] = [
  { name: 'Agent with one connection', make: () => new Agent({ connections: 1 }) },
  { name: 'Pool with one connection', make: (origin) => new Pool(origin, { connections: 1 }) },
  { name: 'Client', make: (origin) => new Client(origin) },
];

const APIS: readonly { name: string; call(url: string, dispatcher: Dispatcher): Promise<string> }[] = [
  { name: 'request()', call: async (url, dispatcher) => (await request(url, { dispatcher })).body.text() },
  { name: 'fetch()', call: async (url, dispatcher) => (await undiciFetch(url, { dispatcher })).text() },
];

function invocation(requestId: string): InvocationState {
  return { requestId, openSpans: new OpenSpans(), deadlineMs: Date.now() + 60_000 } as unknown as InvocationState;
}

describe("a queued call through the function's own npm undici dispatcher belongs to its own invocation", () => {
  let server: Server;
  let origin = '';
  let otel: TestOtel;
  let uninstall: () => void;
  /** Requests held until released, by path. */
  const held = new Map<string, ServerResponse>();
  const arrived: ((path: string) => void)[] = [];
  const seenTraceparent = new Map<string, string | undefined>();
  /** The invocation the rules were asked for, by path. */
  const decidedFor = new Map<string, string | undefined>();

  const hook: FaultHook = {
    decide(call) {
      decidedFor.set(call.path ?? '', currentInvocation()?.requestId);
      return undefined;
    },
    planHttp: () => {
      throw new Error('no rule hits');
    },
    dispatchUndici: () => {
      throw new Error('no rule hits');
    },
    faultUndiciRequest: () => {
      throw new Error('no rule hits');
    },
    requestHttp2: () => {
      throw new Error('no rule hits');
    },
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '';
      seenTraceparent.set(path, req.headers.traceparent as string | undefined);
      req.resume();
      if (path.endsWith('/first')) held.set(path, res);
      else res.end('second');
      for (const a of arrived.splice(0)) a(path);
    });
    origin = `http://127.0.0.1:${await listen(server)}`;
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, faultHook: hook, directW3c: true });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    for (const res of held.values()) res.destroy();
    await closeServer(server);
  });

  for (const d of DISPATCHERS) {
    for (const api of APIS) {
      test(`${d.name}, ${api.name}`, async () => {
        const dispatcher = d.make(origin);
        const base = `/${d.name.split(' ')[0]}-${api.name.slice(0, -2)}`;
        try {
          const parents = { a: otel.tracer.startSpan('invocation a'), b: otel.tracer.startSpan('invocation b') };
          const run = (who: 'a' | 'b', path: string) =>
            runAsInvocation(invocation(who), () => context.with(trace.setSpan(context.active(), parents[who]), () => api.call(`${origin}${path}`, dispatcher)));
          // a's call takes the only connection and is held there; b's call waits for it.
          const firstArrived = new Promise<void>((resolve) => arrived.push(() => resolve()));
          const first = run('a', `${base}/first`);
          await firstArrived;
          const second = run('b', `${base}/second`);
          // b's call is queued by now; answering a's frees the connection, and undici makes b's request in a's context.
          await new Promise((r) => setImmediate(r));
          held.get(`${base}/first`)!.end('first');
          assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
          await new Promise((r) => setImmediate(r));

          const spanOf = (path: string) => otel.spans().filter((s) => s.attributes['url.full'] === `${origin}${path}`);
          for (const [who, path] of [['a', `${base}/first`], ['b', `${base}/second`]] as const) {
            const spans = spanOf(path);
            assert.equal(spans.length, 1, `one span for ${who}'s call, got ${spans.length}`);
            const span = spans[0]!;
            assert.equal(span.spanContext().traceId, parents[who].spanContext().traceId, `${who}'s span is in ${who}'s trace`);
            assert.equal(invocationOfSpan(span as unknown as Span)?.requestId, who, `${who}'s span belongs to invocation ${who}`);
            assert.equal(seenTraceparent.get(path), `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`, `${who}'s request carried its own traceparent`);
            assert.equal(decidedFor.get(path), who, `the rules decided ${who}'s call as invocation ${who}`);
          }
          parents.a.end();
          parents.b.end();
        } finally {
          await dispatcher.destroy();
        }
      });
    }
  }
});
