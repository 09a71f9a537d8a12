// The wrapped handler looks and completes to the runtime exactly as the handler
// itself does:
// - its shape, which runtime clients read at init: parameter count (nodejs24.x's
//   client refuses three or more with Runtime.CallbackHandlerDeprecated; the
//   real refusal is in test/attach/runtimes.test.ts) and async-ness (nodejs22.x's
//   client treats `AsyncFunction`s apart);
// - called as nodejs22.x's runtime client calls it, with its own callback and a
//   context carrying succeed/fail/done and callbackWaitsForEmptyEventLoop, it
//   posts the same outcome through the same channel (a callback's outcome waits
//   for the empty event loop unless the flag is off; a promise's does not; a
//   plain return value posts nothing), for random handlers (fast-check); the
//   same with the real client 3.x on Node 22 is test/attach/ric3.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { wrap } from '../../src/wrap.js';
import { lambdaContext } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';

const isAsync = (fn: Function) => fn.constructor.name === 'AsyncFunction';

/* eslint-disable @typescript-eslint/no-unused-vars */
const SHAPES: ReadonlyArray<readonly [string, Function]> = [
  ['function of 0', function () {}],
  ['function of 1', function (_e: unknown) {}],
  ['function of 2', function (_e: unknown, _c: unknown) {}],
  ['function of 3', function (_e: unknown, _c: unknown, _cb: unknown) {}],
  ['function of 4', function (_e: unknown, _c: unknown, _cb: unknown, _x: unknown) {}],
  ['arrow of 2', (_e: unknown, _c: unknown) => undefined],
  ['arrow of 3', (_e: unknown, _c: unknown, _cb: unknown) => undefined],
  ['async function of 1', async function (_e: unknown) {}],
  ['async function of 2', async function (_e: unknown, _c: unknown) {}],
  ['async function of 3', async function (_e: unknown, _c: unknown, _cb: unknown) {}],
  ['async arrow of 0', async () => undefined],
  ['async arrow of 3', async (_e: unknown, _c: unknown, _cb: unknown) => undefined],
  ['default parameter (length 1)', function (_e: unknown, _c: unknown = {}, _cb: unknown = null) {}],
  ['rest parameters (length 0)', (..._args: unknown[]) => undefined],
];

test('wrap() keeps the handler’s parameter count and async-ness, which the runtime clients read at init', (t) => {
  installTestAgent(t);
  for (const [name, fn] of SHAPES) {
    const wrapped = wrap(fn as any);
    assert.equal(wrapped.length, fn.length, `${name}: length`);
    assert.equal(isAsync(wrapped), isAsync(fn), `${name}: async`);
  }
});

test('a response-streaming handler goes to the runtime untouched, marked as the runtime client reads it, with a warning', (t) => {
  const { sink } = installTestAgent(t);
  const streaming = Object.assign(async (_event: unknown, _responseStream: unknown, _context: unknown) => undefined, {
    [Symbol.for('aws.lambda.runtime.handler.streaming')]: 'response',
  });
  const wrapped = wrap(streaming as any);
  assert.equal(wrapped, streaming);
  assert.equal((wrapped as any)[Symbol.for('aws.lambda.runtime.handler.streaming')], 'response');
  assert.ok(sink.logs().some((l) => l.level === 'WARN' && /response-streaming handler/.test(l.message)), JSON.stringify(sink.logs()));
});

/** What the runtime posts for one invocation, and whether it waited for the empty event loop first. */
type Posted = { ok: boolean; value: unknown; waited: boolean } | 'nothing';

/**
 * Reference model of nodejs22.x's runtime client (aws-lambda-ric 3.x, Runtime.js
 * and CallbackContext.js), written apart from the agent: the handler gets the
 * event, a context with succeed/fail/done and the flag, and a callback; only the
 * first of callback/succeed/fail/done counts; a returned promise settles through
 * succeed/fail; a synchronous throw goes to the callback; a callback's success
 * waits for the empty event loop while the flag is on (read when it is called).
 */
function nodejs22Invoke(handler: Function, event: unknown, base: object): Promise<Posted> {
  return new Promise((resolvePosted) => {
    let finished = false;
    let waitForEmptyEventLoop = true;
    const once =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (finished) return;
        finished = true;
        fn(...a);
      };
    const done = (err: unknown, result: unknown) =>
      resolvePosted(err !== undefined && err !== null ? { ok: false, value: err, waited: false } : { ok: true, value: result, waited: false });
    const callback = once((err: unknown, result: unknown) =>
      resolvePosted(err !== undefined && err !== null ? { ok: false, value: err, waited: false } : { ok: true, value: result, waited: waitForEmptyEventLoop }),
    );
    const ctx = Object.assign(Object.create(null), base, {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(v: boolean) {
        waitForEmptyEventLoop = v;
      },
      succeed: once((r: unknown) => done(null, r)),
      fail: once((e: unknown) => done(e === undefined || e === null ? 'handled' : e, null)),
      done: once(done),
    });
    // Nothing posted once every behaviour below has run its course (each takes at most one setImmediate; the agent only microtasks).
    setImmediate(() => setImmediate(() => setImmediate(() => setImmediate(() => resolvePosted('nothing')))));
    try {
      const result = handler(event, ctx, callback);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(ctx.succeed, ctx.fail).catch(ctx.fail);
      }
    } catch (err) {
      callback(err, undefined);
    }
  });
}

type Make = (value: unknown, error: unknown, later: boolean) => Function;
const later = (yes: boolean, fn: () => void) => (yes ? setImmediate(fn) : fn());

/* eslint-disable @typescript-eslint/no-explicit-any */
const BEHAVIOURS: ReadonlyArray<readonly [string, Make]> = [
  ['async return', (v, _e, l) => async (_ev: unknown, _c: unknown) => { if (l) await new Promise((r) => setImmediate(r)); return v; }],
  ['async throw', (_v, e, l) => async (_ev: unknown, _c: unknown) => { if (l) await new Promise((r) => setImmediate(r)); throw e; }],
  ['promise resolve (not async)', (v) => (_ev: unknown, _c: unknown) => Promise.resolve(v)],
  ['promise reject (not async)', (_v, e) => (_ev: unknown, _c: unknown) => Promise.reject(e)],
  ['sync return (posts nothing)', (v) => (_ev: unknown, _c: unknown) => v],
  ['sync throw', (_v, e) => (_ev: unknown, _c: unknown) => { throw e; }],
  ['callback success', (v, _e, l) => (_ev: unknown, _c: unknown, cb: any) => later(l, () => cb(null, v))],
  ['callback error', (_v, e, l) => (_ev: unknown, _c: unknown, cb: any) => later(l, () => cb(e))],
  ['callback without waiting for the event loop', (v, _e, l) => (_ev: unknown, c: any, cb: any) => { c.callbackWaitsForEmptyEventLoop = false; later(l, () => cb(null, v)); }],
  ['callback twice', (v) => (_ev: unknown, _c: unknown, cb: any) => { cb(null, v); cb(new Error('second')); }],
  ['callback then throw', (v) => (_ev: unknown, _c: unknown, cb: any) => { cb(null, v); throw new Error('after callback'); }],
  ['callback and promise race', (v, _e, l) => (_ev: unknown, _c: unknown, cb: any) => { later(l, () => cb(null, 'from callback')); return Promise.resolve(v); }],
  ['async with callback param, returns', (v) => async (_ev: unknown, _c: unknown, _cb: any) => v],
  ['async calls its callback', (v) => async (_ev: unknown, _c: unknown, cb: any) => { cb(null, v); }],
  ['two parameters, calls the callback it was given anyway', (v) => function (this: unknown, _ev: unknown, _c: unknown) { (arguments as any)[2](null, v); }],
  ['context.succeed', (v, _e, l) => (_ev: unknown, c: any) => later(l, () => c.succeed(v))],
  ['context.fail', (_v, e, l) => (_ev: unknown, c: any) => later(l, () => c.fail(e))],
];

const values = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 20 }), fc.record({ statusCode: fc.constantFrom(200, 500), body: fc.string({ maxLength: 8 }) }));
const errors = fc.oneof(
  fc.string({ maxLength: 12 }).map((m) => new Error(m)),
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(0),
  fc.string({ maxLength: 12 }),
);

test('called as nodejs22.x’s runtime client calls it, the wrapped handler posts what the handler posts, the same way', async (t) => {
  const { sink } = installTestAgent(t);
  const seen = new Set<string>();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat(BEHAVIOURS.length - 1), values, errors, fc.boolean(), async (which, value, error, deferred) => {
      const [name, make] = BEHAVIOURS[which]!;
      seen.add(name);
      n++;
      const bare = await nodejs22Invoke(make(value, error, deferred), { n }, lambdaContext(`bare-${n}`));
      const wrapped = await nodejs22Invoke(wrap(make(value, error, deferred) as any), { n }, lambdaContext(`wrapped-${n}`));
      assert.deepEqual(wrapped, bare, `${name} (value ${fc.stringify(value)}, error ${fc.stringify(error)}, deferred ${deferred})`);
      if (n % 200 === 0) sink.clear();
    }),
    { numRuns: 1500, seed: Number(process.env.FAULTLINE_SHAPE_SEED ?? 20261203) },
  );
  assert.equal(seen.size, BEHAVIOURS.length, 'every behaviour ran');
});
