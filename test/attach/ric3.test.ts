// On nodejs22.x, whose runtime client (aws-lambda-ric 3.x) still takes callback
// handlers, a function answers, fails and waits with the layer exactly as
// without it: AWS's runtime client 3.x (the devDependency aws-lambda-ric-3) on
// Node 22 in real execution environments, each handler shape reached bare,
// through the exec wrapper and through the handler redirect. Compared: the
// response or error (type and message) and whether the response waited for a
// timer the handler left pending (callbackWaitsForEmptyEventLoop). Needs
// `npm run build:layer`; skipped without Node 22 in the cache or without ric 3.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createFunctionPool, type FunctionPool, type InvocationReport } from '../../cli/local/functionPool.js';
import { cachedNodePath, describeRuntimeNode, findRuntimeNode } from '../../cli/local/runtimeNode.js';
import { ATTACH, attachSpec, unpackLayer } from '../helpers/attachModes.js';
import { fixture } from '../local/support.js';

const node = findRuntimeNode('nodejs22.x');
const skip = !node.matches
  ? `no Node 22 at ${cachedNodePath(22)} (npm run runtimes fetches it)`
  : node.client.fallback !== undefined
    ? `${node.client.fallback} (npm install in faultline's repository installs it)`
    : false;

/** Longer than any response that does not wait takes to post, so it fires only before a response that waits. */
const PENDING_MS = 800;
const TIMER_LINE = 'pending timer fired';

interface Row {
  readonly handler: string;
  readonly pending: boolean;
  /** What ric 3 does with the handler bare: the behaviour the layer must keep. */
  readonly bare: { kind: 'response'; payload: unknown; waited: boolean } | { kind: 'error'; errorType: string; errorMessage: string; waited: boolean };
}

const answer = (shape: string, event: object) => ({ ok: true, shape, echo: event });
const ev = (pending: boolean) => (pending ? { pendingMs: PENDING_MS } : {});

const ROWS: readonly Row[] = [
  { handler: 'cbOk', pending: false, bare: { kind: 'response', payload: answer('cbOk', ev(false)), waited: false } },
  { handler: 'cbError', pending: false, bare: { kind: 'error', errorType: 'TypeError', errorMessage: 'callback failure', waited: false } },
  { handler: 'cbWait', pending: true, bare: { kind: 'response', payload: answer('cbWait', ev(true)), waited: true } },
  { handler: 'cbNoWait', pending: true, bare: { kind: 'response', payload: answer('cbNoWait', ev(true)), waited: false } },
  { handler: 'asyncOk', pending: true, bare: { kind: 'response', payload: answer('asyncOk', ev(true)), waited: false } },
  { handler: 'asyncThrow', pending: true, bare: { kind: 'error', errorType: 'RangeError', errorMessage: 'async failure', waited: false } },
  // The first of callback and returned promise wins: the callback's response, which waits for the empty event loop.
  { handler: 'asyncCallback', pending: true, bare: { kind: 'response', payload: answer('asyncCallback', ev(true)), waited: true } },
  { handler: 'promiseOk', pending: true, bare: { kind: 'response', payload: answer('promiseOk', ev(true)), waited: false } },
  // ric 3 ignores a plain return value: the invocation ends when the event loop empties, with a null response.
  { handler: 'plainValue', pending: true, bare: { kind: 'response', payload: null, waited: true } },
  { handler: 'syncThrow', pending: true, bare: { kind: 'error', errorType: 'SyntaxError', errorMessage: 'sync failure', waited: false } },
  { handler: 'contextSucceed', pending: true, bare: { kind: 'response', payload: answer('contextSucceed', ev(true)), waited: false } },
];

/** What the caller sees, and whether the response came after the pending timer. */
function outcome(r: InvocationReport): unknown {
  const waited = r.logLines.some((l) => l.includes(TIMER_LINE));
  if (r.kind === 'response') return { kind: r.kind, payload: r.payload, waited };
  return { kind: r.kind, errorType: r.errorType, errorMessage: r.errorMessage, waited };
}

describe('nodejs22.x (aws-lambda-ric 3.x): the same outcome with the layer as without it, for every handler shape', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'faultline-ric3-'));
  const layer = join(work, 'opt');
  let pool: FunctionPool;
  const results = new Map<string, InvocationReport>();

  before(async () => {
    unpackLayer(layer);
    const functions = ROWS.flatMap((row) => ATTACH.map((a) => attachSpec(a, layer, `${row.handler}-${a}`, fixture('callback-shapes'), `index.${row.handler}`)));
    pool = createFunctionPool({ logDir: join(work, 'logs'), runtime: node, functions, initTimeoutMs: 60_000 });
    for (const row of ROWS) {
      for (const a of ATTACH) results.set(`${row.handler}-${a}`, await pool.invoke(`${row.handler}-${a}`, ev(row.pending)));
    }
  });
  after(async () => {
    await pool?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the environments run aws-lambda-ric 3.x on Node 22', () => {
    assert.match(describeRuntimeNode(node), /^runtime nodejs22\.x on Node v22\.\S+ \(.*\) with aws-lambda-ric 3\.\d+\.\d+$/);
  });

  for (const row of ROWS) {
    test(`${row.handler}: ${JSON.stringify(row.bare)} bare, through the exec wrapper and through the handler redirect`, () => {
      assert.deepEqual(outcome(results.get(`${row.handler}-bare`)!), row.bare, `${row.handler} bare`);
      for (const a of ATTACH) {
        assert.deepEqual(outcome(results.get(`${row.handler}-${a}`)!), row.bare, `${row.handler} through the ${a}`);
      }
    });
  }
});
