// A function fails or answers with the layer exactly as without it, on each
// Lambda Node.js runtime: AWS's runtime client (aws-lambda-ric) in a real
// execution environment on that runtime's Node (24 for nodejs24.x, 22 for
// nodejs22.x, from the cache scripts/node-runtimes.mjs fills), the function's
// handler reached bare, through the exec wrapper and through the handler
// redirect. The runtime client here is 4.x on both: nodejs24.x's, and
// nodejs22.x's on Lambda Managed Instances (standard nodejs22.x runs 3.x:
// test/attach/ric3.test.ts). 4.x refuses a handler of three parameters at init
// (Runtime.CallbackHandlerDeprecated); the layer must not make such a function
// "work" (removing the layer would then break it). Needs `npm run build:layer`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createFunctionPool, type FunctionPool, type InvocationReport } from '../../cli/local/functionPool.js';
import { awsLambdaRic4, LAMBDA_NODE_RUNTIMES, type LambdaNodeRuntime } from '../../cli/local/runtimeNode.js';
import { ATTACH, attachSpec, unpackLayer, type Attach } from '../helpers/attachModes.js';
import { runtimeNode } from '../helpers/runtimeNodes.js';
import { fixture } from '../local/support.js';

const work = mkdtempSync(join(tmpdir(), 'faultline-runtimes-'));
const layer = join(work, 'opt');
after(() => rmSync(work, { recursive: true, force: true }));

before(() => unpackLayer(layer));

/** Handlers of every shape the runtime client tells apart: parameter count and async-ness. */
const HANDLERS = [
  { key: 'callback', dir: 'callback', params: 3 },
  { key: 'callback-async', dir: 'callback-async', params: 3 },
  { key: 'async', dir: 'cjs', params: 2 },
] as const;

const spec = (attach: Attach, name: string, dir: string) => attachSpec(attach, layer, name, fixture(dir));

/** What the caller sees, without what differs per environment (request ids, pids, timings, stack traces). */
function outcome(r: InvocationReport): unknown {
  if (r.kind === 'response') {
    const { ok, format, echo, callbackType } = r.payload as Record<string, unknown>;
    return { kind: r.kind, payload: { ok, format, echo, callbackType } };
  }
  return { kind: r.kind, errorType: r.errorType, errorMessage: r.errorMessage };
}

const CALLBACK_REFUSAL: Record<LambdaNodeRuntime, RegExp> = {
  'nodejs24.x': /^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./,
  // The runtime client's Node 22 wording is Managed Instances' (the runtime client 4.x runs nodejs22.x there).
  'nodejs22.x': /^ERROR: AWS Lambda does not support callback-based function handlers when using Node\.js 22 with Managed Instances\./,
};

for (const runtime of LAMBDA_NODE_RUNTIMES) {
  describe(`${runtime} with aws-lambda-ric 4.x: the same outcome with the layer as without it`, () => {
    let pool: FunctionPool;
    const results = new Map<string, InvocationReport>();

    before(async () => {
      const node = { ...runtimeNode(runtime), client: awsLambdaRic4() };
      const functions = [
        spec('bare', 'runtime-info', 'runtime-info'),
        ...HANDLERS.flatMap((h) => ATTACH.map((a) => spec(a, `${h.key}-${a}`, h.dir))),
      ];
      pool = createFunctionPool({ logDir: join(work, runtime), runtime: node, functions, initTimeoutMs: 60_000 });
      // One at a time: each is a fresh environment (cold start, init phase included).
      for (const f of functions) results.set(f.name, await pool.invoke(f.name, { hello: f.name.split('-')[0] }));
    });
    after(() => pool?.close());

    test(`the environments run on Node ${runtime.slice(6, 8)} with AWS_EXECUTION_ENV=AWS_Lambda_${runtime}`, () => {
      const r = results.get('runtime-info')!;
      assert.equal(r.kind, 'response', JSON.stringify(r));
      const info = (r as { payload: { version: string; executionEnv: string } }).payload;
      assert.equal(info.version.split('.')[0], `v${runtime.slice(6, 8)}`);
      assert.equal(info.executionEnv, `AWS_Lambda_${runtime}`);
    });

    for (const h of HANDLERS) {
      test(`a handler of ${h.params} parameters (${h.key})${h.params === 3 ? ' is refused at init by the runtime client' : ' answers'}, with or without the layer`, () => {
        const bare = results.get(`${h.key}-bare`)!;
        if (h.params === 3) {
          assert.equal(bare.kind, 'init-error', JSON.stringify(bare));
          assert.ok(bare.kind === 'init-error');
          assert.equal(bare.errorType, 'Runtime.CallbackHandlerDeprecated');
          assert.match(bare.errorMessage, CALLBACK_REFUSAL[runtime]);
        } else {
          assert.equal(bare.kind, 'response', JSON.stringify(bare));
        }
        for (const attach of ['wrapper', 'redirect'] as const) {
          assert.deepEqual(outcome(results.get(`${h.key}-${attach}`)!), outcome(bare), `${h.key} through the ${attach}`);
        }
      });
    }
  });
}
