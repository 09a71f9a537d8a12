// Plain handlers (no layer) in emulated environments: a real Node.js process
// running aws-lambda-ric against our Runtime API, logs written as CloudWatch holds them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { startEnvironment, type ExecutionEnvironment, type FunctionSpec, type InvocationReport } from '../../cli/local/executionEnvironment.js';
import { fixture, isAlive, readLogFile, tempLogDir } from './support.js';

const logs = tempLogDir();
after(() => logs.remove());

const TRACE = 'Root=1-6923593b-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

/** Starts an environment, runs the events one after the other, closes it, returns the reports and the log. */
async function run(spec: Partial<FunctionSpec> & { codeDir: string }, events: unknown[], traceHeader?: string) {
  const env = await startEnvironment({ name: 'fn', handler: 'index.handler', timeoutSeconds: 30, ...spec }, { logDir: logs.dir });
  const reports: InvocationReport[] = [];
  try {
    for (const e of events) {
      if (env.state === 'dead') break;
      reports.push(await env.invoke(e, traceHeader === undefined ? {} : { traceHeader }));
    }
  } finally {
    await env.close();
  }
  const pid = env.pid!;
  return { env, reports, log: readLogFile(env.logFile).map((e) => e.message), pid };
}

function response(r: InvocationReport | undefined): Record<string, unknown> {
  assert.ok(r !== undefined);
  assert.equal(r.kind, 'response', `expected a response, got ${JSON.stringify(r)}`);
  return (r as { payload: Record<string, unknown> }).payload;
}

describe('handler formats through aws-lambda-ric', () => {
  test('CommonJS: response, Lambda context, the trace header as _X_AMZN_TRACE_ID', async () => {
    const { reports, env } = await run({ name: 'cjs-fn', codeDir: fixture('cjs') }, [{ a: 1 }], TRACE);
    const p = response(reports[0]);
    assert.equal(p.format, 'cjs');
    assert.deepEqual(p.echo, { a: 1 });
    assert.equal(p.requestId, reports[0]!.requestId);
    assert.equal(p.functionName, 'cjs-fn');
    assert.equal(p.invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:cjs-fn');
    assert.equal(p.traceEnv, TRACE);
    assert.ok(typeof p.remainingMs === 'number' && p.remainingMs > 0 && p.remainingMs <= 30_000);
    assert.equal(reports[0]!.logStreamName, env.logStreamName);
  });

  test('ES module .mjs', async () => {
    const { reports } = await run({ codeDir: fixture('esm') }, [{ b: 2 }]);
    assert.equal(response(reports[0]).format, 'esm-mjs');
  });

  test('ES module .js under "type": "module"', async () => {
    const { reports } = await run({ codeDir: fixture('esm-js') }, [{}]);
    const p = response(reports[0]);
    assert.equal(p.format, 'esm-js');
    assert.equal(p.isModule, true);
  });

  test('nested path src/api/index.handler', async () => {
    const { reports } = await run({ handler: 'src/api/index.handler', codeDir: fixture('nested') }, [{ c: 3 }]);
    assert.deepEqual(response(reports[0]).echo, { c: 3 });
  });
});

describe('the environment Lambda gives the runtime', () => {
  test('Lambda’s variables, the function’s own, nothing inherited from the emulator', async () => {
    process.env.FAULTLINE_TEST_LEAK = 'leaked';
    let env: ExecutionEnvironment;
    let r: InvocationReport;
    try {
      env = await startEnvironment(
        { name: 'env-fn', handler: 'index.handler', codeDir: fixture('env'), timeoutSeconds: 30, memorySizeMb: 512, environment: { TABLE: 'orders', AWS_REGION: 'xx-overridden-1' } },
        { logDir: logs.dir, region: 'eu-west-1' },
      );
      r = await env.invoke({});
      await env.close();
    } finally {
      delete process.env.FAULTLINE_TEST_LEAK;
    }
    const { env: vars, cwd } = response(r) as { env: Record<string, string>; cwd: string };
    assert.equal(cwd, fixture('env'));
    assert.equal(vars._HANDLER, 'index.handler');
    assert.equal(vars.LAMBDA_TASK_ROOT, fixture('env'));
    assert.equal(vars.AWS_LAMBDA_FUNCTION_NAME, 'env-fn');
    assert.equal(vars.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(vars.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '512');
    assert.equal(vars.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env-fn');
    assert.equal(vars.AWS_LAMBDA_LOG_STREAM_NAME, env!.logStreamName);
    assert.match(vars.AWS_LAMBDA_RUNTIME_API ?? '', /^127\.0\.0\.1:\d+$/);
    assert.equal(vars.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
    assert.match(vars.AWS_EXECUTION_ENV ?? '', /^AWS_Lambda_nodejs\d+\.x$/);
    assert.equal(vars.AWS_REGION, 'eu-west-1', 'reserved variables are Lambda’s, not the function’s');
    assert.equal(vars.AWS_DEFAULT_REGION, 'eu-west-1');
    assert.ok(vars.AWS_ACCESS_KEY_ID && vars.AWS_SECRET_ACCESS_KEY && vars.AWS_SESSION_TOKEN);
    assert.equal(vars.TZ, ':UTC');
    assert.equal(vars.TABLE, 'orders');
    assert.equal(vars.AWS_LAMBDA_EXEC_WRAPPER, undefined);
    assert.equal(vars.FAULTLINE_TEST_LEAK, undefined);
    assert.equal(vars.NODE_TEST_CONTEXT, undefined);
    assert.equal(vars.NODE_OPTIONS, undefined);
  });

  test('an environment started by provisioned concurrency: no cold start, no Init Duration', async () => {
    const env = await startEnvironment(
      { name: 'pc-fn', handler: 'index.handler', codeDir: fixture('env'), timeoutSeconds: 30 },
      { logDir: logs.dir, initializationType: 'provisioned-concurrency' },
    );
    let r: InvocationReport;
    try {
      r = await env.invoke({});
    } finally {
      await env.close();
    }
    assert.equal((response(r) as { env: Record<string, string> }).env.AWS_LAMBDA_INITIALIZATION_TYPE, 'provisioned-concurrency');
    assert.equal(r.coldStart, false);
    assert.equal(r.initDurationMs, undefined);
    const report = readLogFile(env.logFile).find((e) => e.message.startsWith('REPORT '));
    assert.doesNotMatch(report?.message ?? '', /Init Duration/);
  });
});

describe('failures', () => {
  test('a thrown error comes back with its errorType, errorMessage and trace; the environment stays warm', async () => {
    const { reports, log } = await run({ codeDir: fixture('throws') }, [{ card: '4242' }, { card: '1111' }]);
    assert.equal(reports.length, 2);
    const [first, second] = reports;
    assert.equal(first!.kind, 'error');
    if (first!.kind !== 'error') return;
    assert.equal(first!.errorType, 'PaymentDeclinedError');
    assert.equal(first!.errorMessage, 'card 4242 declined');
    assert.match(first!.trace[0] ?? '', /^PaymentDeclinedError: card 4242 declined/);
    assert.equal(first!.status, 'success', 'a handler error is not a runtime failure in REPORT');
    assert.equal(second!.environmentId, first!.environmentId);
    assert.equal(second!.coldStart, false);
    // The runtime logs the error in the invocation's lines, as on Lambda.
    assert.ok(first!.logLines.some((l) => l.includes('\tERROR\tInvoke Error') && l.includes('card 4242 declined')));
    assert.ok(log.some((l) => l.includes(first!.requestId) && l.includes('Invoke Error')));
  });

  test('a top-level throw fails the init: init-error to the caller, INIT_REPORT in the log', async () => {
    const { reports, log, pid } = await run({ codeDir: fixture('init-error') }, [{}]);
    const r = reports[0]!;
    assert.equal(r.kind, 'init-error');
    if (r.kind !== 'init-error') return;
    assert.equal(r.errorMessage, 'missing configuration: DATABASE_URL');
    assert.equal(r.status, 'error');
    const initReport = log.findIndex((l) => l.startsWith('INIT_REPORT Init Duration: '));
    assert.ok(initReport > 0);
    assert.match(log[initReport]!, /\tPhase: init\tStatus: error\tError Type: Error$/);
    // A missing line is -1, which is "before" anything: it must be there first.
    const initOutput = log.findIndex((l) => l.includes('loading a module that fails'));
    assert.ok(initOutput >= 0 && initOutput < initReport, 'init output comes before INIT_REPORT');
    assert.ok(log.indexOf(`START RequestId: ${r.requestId} Version: $LATEST`) > initReport);
    assert.match(log.find((l) => l.startsWith(`REPORT RequestId: ${r.requestId}`)) ?? '', /\tStatus: error\tError Type: Error\t$/);
    assert.equal(isAlive(pid), false);
  });

  test('a missing module and a missing export fail the init naming what was looked for', async () => {
    const missingModule = await run({ handler: 'nothere.handler', codeDir: fixture('cjs') }, [{}]);
    const m = missingModule.reports[0]!;
    assert.equal(m.kind, 'init-error');
    assert.equal(m.kind === 'init-error' && m.errorType, 'Runtime.ImportModuleError');
    assert.match(m.kind === 'init-error' ? m.errorMessage : '', /Cannot find module 'nothere'/);

    const missingExport = await run({ handler: 'index.nope', codeDir: fixture('cjs') }, [{}]);
    const e = missingExport.reports[0]!;
    assert.equal(e.kind === 'init-error' && e.errorType, 'Runtime.HandlerNotFound');
    assert.equal(e.kind === 'init-error' && e.errorMessage, 'index.nope is undefined or not exported');
  });

  test('a callback-style handler is refused by runtime client 4 at init (with the layer too: test/attach/runtimes.test.ts)', async () => {
    const { reports } = await run({ codeDir: fixture('callback') }, [{}]);
    const r = reports[0]!;
    assert.equal(r.kind === 'init-error' && r.errorType, 'Runtime.CallbackHandlerDeprecated');
  });

  test('a timeout: Lambda’s message to the caller and in the log, the process ended', async () => {
    const { reports, log, pid, env } = await run({ codeDir: fixture('timeout'), timeoutSeconds: 1 }, [{ waitMs: 600_000 }]);
    const r = reports[0]!;
    assert.equal(r.kind, 'error');
    if (r.kind !== 'error') return;
    assert.equal(r.errorType, 'Sandbox.Timedout');
    assert.match(r.errorMessage, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${r.requestId} Task timed out after 1\\.00 seconds$`));
    assert.equal(r.status, 'timeout');
    assert.equal(env.state, 'dead');
    assert.equal(isAlive(pid), false);
    // What the handler logged before the timeout, then the timeout line, END and REPORT with Status: timeout.
    const waiting = log.findIndex((l) => l.endsWith('\tINFO\twaiting 600000'));
    const timedOut = log.findIndex((l) => / Task timed out after 1\.00 seconds$/.test(l) && l.includes(r.requestId));
    const end = log.indexOf(`END RequestId: ${r.requestId}`);
    const report = log.findIndex((l) => l.startsWith(`REPORT RequestId: ${r.requestId}\t`));
    assert.ok(waiting >= 0 && waiting < timedOut && timedOut < end && end < report, JSON.stringify(log));
    assert.match(log[report]!, /\tStatus: timeout\t/);
  });

  test('an init that outlasts the init time limit: INIT_REPORT Status: timeout, init-error to the caller', async () => {
    const env = await startEnvironment(
      { name: 'slow-init', handler: 'index.handler', codeDir: fixture('slow-init'), timeoutSeconds: 30 },
      // Long enough for the runtime to start and print its first line on a loaded machine: the test needs that line.
      { logDir: logs.dir, initTimeoutMs: 5000 },
    );
    let r: InvocationReport;
    try {
      r = await env.invoke({});
    } finally {
      await env.close();
    }
    assert.equal(r.kind, 'init-error');
    assert.equal(r.kind === 'init-error' && r.errorType, 'Sandbox.Timedout');
    assert.equal(r.kind === 'init-error' && r.errorMessage, 'Init phase timed out after 5.00 seconds');
    const log = readLogFile(env.logFile).map((e) => e.message);
    const initReport = log.findIndex((l) => /^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: timeout$/.test(l));
    assert.ok(initReport > 0, JSON.stringify(log));
    const initOutput = log.findIndex((l) => l.endsWith('connecting to a database that never answers'));
    assert.ok(initOutput >= 0 && initOutput < initReport, JSON.stringify(log));
    assert.equal(isAlive(env.pid!), false);
  });

  test('an exec wrapper that cannot run fails the init with Runtime.ExitError, its message in the log', async () => {
    const { reports, log } = await run({ codeDir: fixture('cjs'), environment: { AWS_LAMBDA_EXEC_WRAPPER: fixture('no-such-wrapper') } }, [{}]);
    const r = reports[0]!;
    assert.equal(r.kind, 'init-error');
    assert.equal(r.kind === 'init-error' && r.errorType, 'Runtime.ExitError');
    assert.equal(r.kind === 'init-error' && r.errorMessage, 'Runtime exited with error: exit status 127');
    assert.ok(log.some((l) => l.includes('no-such-wrapper')), JSON.stringify(log));
    assert.ok(log.some((l) => l.startsWith('INIT_REPORT ') && l.endsWith('Error Type: Runtime.ExitError')));
  });

  test('a runtime that exits mid-invocation: Runtime.ExitError, as Lambda words it', async () => {
    const { reports } = await run({ codeDir: fixture('crash') }, [{ code: 3 }]);
    const r = reports[0]!;
    assert.equal(r.kind, 'error');
    if (r.kind !== 'error') return;
    assert.equal(r.errorType, 'Runtime.ExitError');
    assert.equal(r.errorMessage, `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 3`);
    assert.ok(r.logLines.some((l) => l.endsWith('\tINFO\tabout to exit')));
  });
});

describe('log stream', () => {
  let result: Awaited<ReturnType<typeof run>>;
  before(async () => {
    result = await run({ name: 'logger', codeDir: fixture('logs'), memorySizeMb: 256, tracing: 'Active' }, [{ n: 1 }, { n: 2 }], TRACE);
  });

  test('lives at <dir>/<function>/<stream>.log with one {timestamp, message} per line', () => {
    const { env } = result;
    assert.ok(env.logFile.startsWith(`${logs.dir}/logger/`));
    assert.match(env.logStreamName, /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    for (const e of readLogFile(env.logFile)) {
      assert.deepEqual(Object.keys(e), ['timestamp', 'message']);
      assert.equal(typeof e.timestamp, 'number');
    }
  });

  test('INIT_START, init output, then START / function lines / END / REPORT per invocation, Init Duration only on the cold one', () => {
    const { log, reports } = result;
    const [one, two] = reports;
    assert.match(log[0]!, /^INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    assert.ok(log[1]!.endsWith('\tINFO\tinit: module loaded'));
    const expectedOrder = (id: string, n: number) => [
      `START RequestId: ${id} Version: $LATEST`,
      `\t${id}\tINFO\tlog line ${n}`,
      `\t${id}\tINFO\tinfo line {"n":${n}}`,
      `\t${id}\tWARN\twarn line`,
      `\t${id}\tERROR\terror line`,
      `\t${id}\tINFO\tmulti\rline`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\t`,
    ];
    let at = 1;
    for (const [r, n] of [[one!, 1], [two!, 2]] as const) {
      for (const piece of expectedOrder(r.requestId, n)) {
        const found = log.findIndex((l, i) => i > at && l.includes(piece));
        assert.ok(found > at, `"${piece}" after line ${at} in ${JSON.stringify(log, null, 1)}`);
        at = found;
      }
    }
    const reportsInLog = log.filter((l) => l.startsWith('REPORT '));
    assert.equal(reportsInLog.length, 2);
    assert.match(reportsInLog[0]!, /^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\nXRAY TraceId: 1-6923593b-0123456789abcdef01234567\tSegmentId: 53995c3f42cd8ad8\tSampled: true\t$/);
    assert.doesNotMatch(reportsInLog[1]!, /Init Duration/);
    assert.equal(one!.coldStart, true);
    assert.ok(one!.initDurationMs !== undefined && one!.initDurationMs > 0);
    assert.equal(two!.coldStart, false);
    assert.equal(two!.initDurationMs, undefined);
  });

  test('each invocation’s report carries exactly its own lines', () => {
    const [one, two] = result.reports;
    // Both counted: `every` over no lines at all would pass.
    assert.equal(one!.logLines.length, 5);
    assert.equal(two!.logLines.length, 5);
    assert.ok(one!.logLines.every((l) => l.includes(one!.requestId)));
    assert.ok(two!.logLines.every((l) => l.includes(two!.requestId)));
    assert.ok(one!.maxMemoryUsedMb !== undefined && one!.maxMemoryUsedMb > 0);
  });
});

describe('JSON log format', () => {
  test('platform records as JSON, function lines as JSON with requestId, initDurationMs on the cold start only', async () => {
    const { log, reports } = await run(
      { name: 'json-fn', codeDir: fixture('logs'), environment: { AWS_LAMBDA_LOG_FORMAT: 'JSON' } },
      [{ n: 1 }, { n: 2 }],
    );
    const records = log.map((l) => JSON.parse(l) as Record<string, any>);
    const platform = records.filter((r) => typeof r.type === 'string' && r.type.startsWith('platform.'));
    assert.deepEqual(
      platform.map((r) => r.type),
      ['platform.initStart', 'platform.start', 'platform.report', 'platform.start', 'platform.report'],
    );
    assert.equal(platform[0]!.record.initializationType, 'on-demand');
    const [r1, r2] = reports;
    assert.equal(platform[1]!.record.requestId, r1!.requestId);
    assert.equal(typeof platform[2]!.record.metrics.durationMs, 'number');
    assert.equal(typeof platform[2]!.record.metrics.initDurationMs, 'number');
    assert.equal(platform[2]!.record.metrics.memorySizeMB, 128);
    assert.equal(platform[2]!.record.status, 'success');
    assert.equal('initDurationMs' in platform[4]!.record.metrics, false);
    const fnLines = records.filter((r) => r.requestId === r2!.requestId && typeof r.level === 'string');
    assert.deepEqual(
      fnLines.map((r) => [r.level, r.message]),
      [
        ['INFO', 'log line 2'],
        ['INFO', 'info line {"n":2}'],
        ['WARN', 'warn line'],
        ['ERROR', 'error line'],
        ['INFO', 'multi\nline'],
      ],
    );
    assert.equal(log.some((l) => l.startsWith('END ')), false);
  });
});

describe('lifecycle', () => {
  let env: ExecutionEnvironment;
  before(async () => {
    env = await startEnvironment({ name: 'life', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 30 }, { logDir: logs.dir });
  });

  test('one invocation at a time: a second concurrent invoke is refused', async () => {
    const first = env.invoke({ n: 1 });
    await assert.rejects(env.invoke({ n: 2 }), /is busy: one invocation at a time/);
    assert.equal((await first).kind, 'response');
    assert.equal(env.state, 'idle');
  });

  test('close() ends the process; a closed environment refuses work', async () => {
    const pid = env.pid!;
    assert.equal(isAlive(pid), true);
    await env.close();
    assert.equal(isAlive(pid), false);
    assert.equal(env.state, 'dead');
    await assert.rejects(env.invoke({}), /is no longer running/);
  });

  test('a bad spec is refused naming the field and the expected form', async () => {
    await assert.rejects(
      startEnvironment({ name: 'x', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 0 }, { logDir: logs.dir }),
      /timeoutSeconds 0: expected a number of seconds above 0 and at most 900/,
    );
    await assert.rejects(
      startEnvironment({ name: 'x', handler: 'index', codeDir: fixture('cjs') }, { logDir: logs.dir }),
      /handler "index": expected <file>\.<export>/,
    );
  });
});
