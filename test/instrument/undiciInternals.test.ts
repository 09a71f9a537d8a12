// Each undici internal faultline relies on (src/undiciInternals.ts), checked
// against Node's bundled undici (behind the global fetch) and the installed
// npm undici, on this Node and on the Lambda runtimes' Nodes: a failure names
// the internal and the undici version that changed it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { UndiciHandler } from '../../src/seam.js';
import {
  AGENT_CLASS,
  CHANNEL_CREATE,
  CHANNEL_ERROR,
  CHANNEL_HEADERS,
  CHANNEL_TRAILERS,
  CLIENTS_SYMBOL,
  DISPATCHER_BASE_CLASS,
  DISPATCHER_BASE_MODULE,
  dispatcherBaseOf,
  FETCH_READS,
  GLOBAL_DISPATCHER,
  GLOBAL_DISPATCHER_2,
  globalSlots,
  HANDLER_SYMBOL,
  handlerKeyOf,
  isControllerApi,
  isPlainUndiciAgent,
  REQUEST_STOPPED,
  type CreateMessage,
  type Dispatcher,
  type ErrorMessage,
  type HeadersMessage,
  type TrailersMessage,
} from '../../src/undiciInternals.js';
import { runtimeNode } from '../helpers/runtimeNodes.js';
import { closedPort, startTargetServer, type TargetServer } from '../helpers/targetServer.js';

const require = createRequire(import.meta.url);
const NPM = `npm undici ${(require('undici/package.json') as { version: string }).version}`;
const BUNDLED = `Node ${process.version}'s undici ${process.versions.undici}`;

let target: TargetServer;
before(async () => {
  target = await startTargetServer();
});
after(() => target.close());

/** What the four channels publish while `run` makes one call. */
async function published(run: () => Promise<unknown>): Promise<{ create: CreateMessage[]; headers: HeadersMessage[]; trailers: TrailersMessage[]; error: ErrorMessage[] }> {
  const seen = { create: [] as CreateMessage[], headers: [] as HeadersMessage[], trailers: [] as TrailersMessage[], error: [] as ErrorMessage[] };
  const subs: [string, (m: unknown) => void][] = [
    [CHANNEL_CREATE, (m) => seen.create.push(m as CreateMessage)],
    [CHANNEL_HEADERS, (m) => seen.headers.push(m as HeadersMessage)],
    [CHANNEL_TRAILERS, (m) => seen.trailers.push(m as TrailersMessage)],
    [CHANNEL_ERROR, (m) => seen.error.push(m as ErrorMessage)],
  ];
  for (const [name, fn] of subs) diagnostics.subscribe(name, fn);
  try {
    await run().catch(() => undefined);
  } finally {
    for (const [name, fn] of subs) diagnostics.unsubscribe(name, fn);
  }
  return seen;
}

function checkMadeRequest(who: string, m: CreateMessage | undefined): void {
  assert.ok(m !== undefined, `${who}: channel ${CHANNEL_CREATE} published nothing for a call`);
  const r = m.request;
  assert.equal(typeof r.origin, 'string', `${who}: ${CHANNEL_CREATE} message.request.origin is no longer a string`);
  assert.equal(typeof r.path, 'string', `${who}: ${CHANNEL_CREATE} message.request.path is no longer a string`);
  assert.equal(typeof r.method, 'string', `${who}: ${CHANNEL_CREATE} message.request.method is no longer a string`);
  assert.ok(Array.isArray(r.headers), `${who}: a made request's headers are no longer a flat name/value array`);
  assert.equal(typeof r.addHeader, 'function', `${who}: a made request has no addHeader`);
  const key = handlerKeyOf(r);
  assert.ok(key !== undefined, `${who}: a made request keeps no handler under Symbol('${HANDLER_SYMBOL}')`);
  const handler = (r as unknown as Record<symbol, UndiciHandler | undefined>)[key];
  assert.ok(
    handler !== undefined &&
      typeof handler.onConnect === 'function' && typeof handler.onHeaders === 'function' && !isControllerApi(handler),
    `${who}: the handler a made request carries is no longer of the legacy API (onConnect … onComplete): the request gate needs it`,
  );
}

function checkOutcome(who: string, seen: Awaited<ReturnType<typeof published>>): void {
  const request = seen.create[0]!.request;
  const h = seen.headers.find((m) => m.request === request);
  assert.ok(h !== undefined, `${who}: channel ${CHANNEL_HEADERS} published nothing for the request ${CHANNEL_CREATE} gave`);
  assert.equal(h.response.statusCode, 200, `${who}: ${CHANNEL_HEADERS} message.response.statusCode changed`);
  assert.ok(Array.isArray(h.response.headers), `${who}: ${CHANNEL_HEADERS} message.response.headers is no longer a flat raw-header array`);
  assert.ok(
    seen.trailers.some((m) => m.request === request),
    `${who}: channel ${CHANNEL_TRAILERS} published nothing for the request ${CHANNEL_CREATE} gave`,
  );
}

async function checkError(who: string, call: (origin: string) => Promise<unknown>): Promise<void> {
  const origin = `http://127.0.0.1:${await closedPort()}`;
  const seen = await published(() => call(origin));
  const request = seen.create[0]?.request;
  const e = seen.error.find((m) => m.request === request);
  assert.ok(e !== undefined && e.error instanceof Error, `${who}: channel ${CHANNEL_ERROR} published no { request, error } for a refused connection`);
}

// Node's bundled undici first: npm undici, once loaded, sets no global dispatcher when one is there, but must not be the one tested.
test(`${BUNDLED}: global dispatcher slot, plain Agent, DispatcherBase`, async () => {
  const res = await fetch(`${target.origin}/warm`);
  await res.arrayBuffer();
  const d = globalSlots[GLOBAL_DISPATCHER];
  assert.ok(d !== undefined, `${BUNDLED}: fetch set no global dispatcher at Symbol.for('${GLOBAL_DISPATCHER.description}')`);
  const slot2 = globalSlots[GLOBAL_DISPATCHER_2];
  assert.ok(slot2 === undefined || slot2 === d, `${BUNDLED}: Symbol.for('${GLOBAL_DISPATCHER_2.description}') holds another dispatcher than the first slot`);
  assert.ok(
    isPlainUndiciAgent(d),
    `${BUNDLED}: the global dispatcher is no longer a plain ${AGENT_CLASS} with a Symbol('${CLIENTS_SYMBOL}') (trace headers would go by copy, slower)`,
  );
  assert.ok(dispatcherBaseOf(Object.getPrototypeOf(d) as object) !== undefined, `${BUNDLED}: no ${DISPATCHER_BASE_CLASS} owning dispatch in the global Agent's prototype chain`);
});

test(`${BUNDLED}: fetch's channel messages and what it reads of its dispatcher`, async () => {
  const seen = await published(async () => (await fetch(`${target.origin}/channels`)).arrayBuffer());
  checkMadeRequest(BUNDLED, seen.create[0]);
  checkOutcome(BUNDLED, seen);
  await checkError(BUNDLED, (origin) => fetch(origin));

  const read = new Set<string | symbol>();
  const inner = globalSlots[GLOBAL_DISPATCHER]!;
  const spy = new Proxy(inner, {
    get(t, prop) {
      read.add(prop);
      const v: unknown = Reflect.get(t, prop, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  await (await fetch(`${target.origin}/reads`, { dispatcher: spy } as RequestInit)).arrayBuffer();
  assert.ok(read.has('dispatch') && read.has(FETCH_READS), `${BUNDLED}: fetch no longer reads dispatch and ${FETCH_READS} of its dispatcher (read: ${[...read].map(String).join(', ')})`);
});

test(`${NPM}: Agent, compose, DispatcherBase module, channels, handler API`, async () => {
  const undici = (await import('undici')) as typeof import('undici');
  const agent = new undici.Agent();
  try {
    assert.ok(isPlainUndiciAgent(agent as unknown as Dispatcher), `${NPM}: new Agent() is no longer a plain ${AGENT_CLASS} with a Symbol('${CLIENTS_SYMBOL}')`);
    const composed = agent.compose((dispatch) => dispatch);
    assert.ok(!isPlainUndiciAgent(composed as unknown as Dispatcher), `${NPM}: a composed Agent is taken for a plain one`);
    assert.ok(dispatcherBaseOf(Object.getPrototypeOf(agent) as object) !== undefined, `${NPM}: no ${DISPATCHER_BASE_CLASS} owning dispatch in Agent's prototype chain`);
    const file = join(dirname(require.resolve('undici/package.json')), 'lib', 'dispatcher', `${DISPATCHER_BASE_MODULE}.js`);
    assert.ok(existsSync(file), `${NPM}: lib/dispatcher/${DISPATCHER_BASE_MODULE}.js is gone (queued calls would lose their invocation)`);
    assert.equal((require(file) as { name?: string }).name, DISPATCHER_BASE_CLASS, `${NPM}: lib/dispatcher/${DISPATCHER_BASE_MODULE}.js no longer exports ${DISPATCHER_BASE_CLASS}`);

    const seen = await published(async () => (await undici.request(`${target.origin}/npm`, { dispatcher: agent })).body.text());
    checkMadeRequest(NPM, seen.create[0]);
    checkOutcome(NPM, seen);
    await checkError(NPM, (origin) => undici.request(origin, { dispatcher: agent }));

    // A controller-API handler (undici 7) is unwrapped to a legacy one before the request is made.
    const viaController = await published(
      () =>
        new Promise<void>((resolve, reject) => {
          const controllerHandler = {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData() {},
            onResponseEnd: () => resolve(),
            onResponseError: (_c: unknown, err: Error) => reject(err),
          };
          agent.dispatch({ origin: target.origin, path: '/controller', method: 'GET' }, controllerHandler as never);
        }),
    );
    checkMadeRequest(`${NPM} (controller-API handler)`, viaController.create[0]);

    // A handler put in place of a made request's, throwing from onConnect, drops the request unwritten.
    const before = target.seen.length;
    const stop = (m: unknown) => {
      const request = (m as CreateMessage).request;
      const key = handlerKeyOf(request)!;
      const slots = request as unknown as Record<symbol, UndiciHandler>;
      const own = slots[key]!;
      slots[key] = { ...own, onConnect: () => { throw REQUEST_STOPPED; }, onError: () => own.onError?.(new Error('stopped')) };
    };
    diagnostics.subscribe(CHANNEL_CREATE, stop);
    try {
      await assert.rejects(undici.request(`${target.origin}/stopped`, { dispatcher: agent }), `${NPM}: a request whose handler throws from onConnect still completed`);
    } finally {
      diagnostics.unsubscribe(CHANNEL_CREATE, stop);
    }
    await (await undici.request(`${target.origin}/after`, { dispatcher: agent })).body.text();
    assert.deepEqual(target.seen.slice(before).map((s) => s.url), ['/after'], `${NPM}: a request whose handler throws from onConnect was written (the fault gate relies on it being dropped)`);
  } finally {
    await agent.close();
  }
});

test('the same checks on the Lambda runtimes\' Nodes (their bundled undici differ)', { skip: process.env.FAULTLINE_INTERNALS_CHILD === '1' }, () => {
  const self = fileURLToPath(import.meta.url);
  for (const runtime of ['nodejs22.x', 'nodejs24.x'] as const) {
    const node = runtimeNode(runtime);
    if (node.version === process.version) continue;
    const r = spawnSync(node.path, ['--import', 'tsx', '--test', self], { encoding: 'utf8', env: { ...process.env, FAULTLINE_INTERNALS_CHILD: '1' }, timeout: 120_000 });
    assert.equal(r.status, 0, `undici internals on ${runtime} (Node ${node.version}):\n${r.stdout}\n${r.stderr}`);
  }
});
