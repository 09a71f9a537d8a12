// Two rules of wrap():
// 1. console.* is captured only while an invocation runs (its start until its
//    handler's outcome): at init, between invocations and in timers that fire
//    after the handler returned, a call reaches the console method faultline
//    replaced, with the same arguments, and faultline writes nothing.
// 2. An invocation's names (function, version, memory, log group/stream, and the
//    service when it defaults to the function name) come from its context when
//    the context carries them, else from the environment, else the defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAgent, installAgent } from '../../src/agent.js';
import { wrap } from '../../src/wrap.js';
import { captureConsole } from '../../src/telemetry/logging/logger.js';
import { MemorySink, lambdaContext } from '../helpers/memorySink.js';

type Call = [method: string, args: unknown[]];

/** A console whose methods record what reaches them (what the process would have printed). */
function recordingConsole(): { con: Console; calls: Call[] } {
  const calls: Call[] = [];
  const con = {} as Record<string, unknown>;
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) con[m] = (...args: unknown[]) => void calls.push([m, args]);
  return { con: con as unknown as Console, calls };
}

function setUp(env: Record<string, string>) {
  const sink = new MemorySink();
  const agent = createAgent({ env: { AWS_REGION: 'eu-west-1', FAULTLINE_LOG_LEVEL: 'DEBUG', ...env }, sink, captureConsole: false });
  installAgent(agent);
  const { con, calls } = recordingConsole();
  const restore = captureConsole(agent.logger, con);
  return { sink, con, calls, restore };
}

test('console outside invocations reaches the original console untouched; inside, it is captured', async () => {
  const { sink, con, calls, restore } = setUp({ AWS_LAMBDA_FUNCTION_NAME: 'orders' });
  try {
    const err = new Error('at init');
    con.log('init %s', 'done', { password: 'hunter2' });
    con.error(err);
    let timerFired!: () => void;
    const fired = new Promise<void>((r) => (timerFired = r));
    const handler = wrap(async (event: { n: number }) => {
      con.info('inside', event.n);
      setTimeout(() => {
        con.warn('after return', event.n);
        timerFired();
      }, 0);
      return event.n;
    });
    assert.equal(await handler({ n: 1 }, lambdaContext('req-1')), 1);
    await fired;
    con.debug('between invocations');
    // Exactly what was passed, to the method it was passed to, nothing more.
    assert.deepEqual(calls, [
      ['log', ['init %s', 'done', { password: 'hunter2' }]],
      ['error', [err]],
      ['warn', ['after return', 1]],
      ['debug', ['between invocations']],
    ]);
    const logs = sink.logs();
    assert.deepEqual(logs.map((l) => [l.level, l.message, l.requestId]), [['INFO', 'inside 1', 'req-1']]);
  } finally {
    restore();
  }
});

test('concurrent invocations: each captured line carries its own invocation and names; none leaks out', async () => {
  const { sink, con, calls, restore } = setUp({});
  try {
    const gates = [0, 1, 2].map(() => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const handler = wrap(async (event: { i: number }) => {
      con.log('start', event.i);
      await gates[event.i]!.promise;
      con.log('end', event.i);
      return event.i;
    });
    const fns = ['orders', 'payments', 'shipping'];
    const runs = fns.map((fn, i) => handler({ i }, lambdaContext(`req-${i}`, 30_000, fn)));
    con.log('while they run, outside any');
    // Finish in reverse order, so the lines interleave.
    for (const i of [2, 0, 1]) gates[i]!.resolve();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
    assert.deepEqual(calls, [['log', ['while they run, outside any']]]);
    const lines = sink.logs().map((l) => [l.message, l.requestId, l.function, l.service]);
    assert.equal(lines.length, 6);
    for (const [i, fn] of fns.entries()) {
      assert.deepEqual(
        lines.filter((l) => l[1] === `req-${i}`),
        [
          [`start ${i}`, `req-${i}`, fn, fn],
          [`end ${i}`, `req-${i}`, fn, fn],
        ],
      );
    }
  } finally {
    restore();
  }
});

interface NamesCase {
  name: string;
  env: Record<string, string>;
  context: Record<string, unknown>;
  expect: { function: string; version: string; service: string; memoryBytes?: number; logStream?: string };
}

const FULL = lambdaContext('req-n', 30_000, 'payments');
const NAMES: NamesCase[] = [
  {
    name: 'no environment (wrap() off Lambda): all from the context',
    env: {},
    context: { ...FULL, functionVersion: '7', memoryLimitInMB: '512' },
    expect: { function: 'payments', version: '7', service: 'payments', memoryBytes: 512 * 1024 * 1024, logStream: FULL.logStreamName },
  },
  {
    name: 'environment and context agree (Lambda): the same names',
    env: { AWS_LAMBDA_FUNCTION_NAME: 'payments', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128' },
    context: FULL,
    expect: { function: 'payments', version: '$LATEST', service: 'payments' },
  },
  {
    name: 'environment and context disagree: the context wins',
    env: { AWS_LAMBDA_FUNCTION_NAME: 'orders', AWS_LAMBDA_FUNCTION_VERSION: '3' },
    context: FULL,
    expect: { function: 'payments', version: '$LATEST', service: 'payments' },
  },
  {
    name: 'an explicit service stays; the function follows the context',
    env: { FAULTLINE_SERVICE: 'shop' },
    context: FULL,
    expect: { function: 'payments', version: '$LATEST', service: 'shop' },
  },
  {
    name: 'a context without names (empty, or wrong types): the environment',
    env: { AWS_LAMBDA_FUNCTION_NAME: 'orders', AWS_LAMBDA_FUNCTION_VERSION: '3' },
    context: { ...FULL, functionName: '', functionVersion: 42, memoryLimitInMB: 'lots' },
    expect: { function: 'orders', version: '3', service: 'orders' },
  },
  {
    name: 'neither: the defaults',
    env: {},
    context: { awsRequestId: 'req-n', getRemainingTimeInMillis: () => 30_000 },
    expect: { function: 'local', version: '$LATEST', service: 'local' },
  },
];

for (const c of NAMES) {
  test(`names: ${c.name}`, async () => {
    const { sink, con, restore } = setUp(c.env);
    try {
      await wrap(async () => con.log('hello'))({}, c.context);
    } finally {
      restore();
    }
    const [log] = sink.logs();
    assert.equal(log?.function, c.expect.function);
    assert.equal(log?.service, c.expect.service);
    const [metrics] = sink.metrics();
    assert.equal(metrics?.FunctionName, c.expect.function);
    assert.equal(metrics?.service, c.expect.service);
    const [span] = sink.spans();
    assert.equal(span?.attributes['faas.name'], c.expect.function);
    assert.equal(span?.attributes['faas.version'], c.expect.version);
    if (c.expect.memoryBytes !== undefined) assert.equal(span?.attributes['faas.max_memory'], c.expect.memoryBytes);
    if (c.expect.logStream !== undefined) assert.equal(span?.attributes['faas.instance'], c.expect.logStream);
  });
}
