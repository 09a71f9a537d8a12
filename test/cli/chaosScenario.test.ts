// Scenario files and the scenario runner: parsing, a simulated game day on a
// fake clock (real rule table on dynalite, real log files read back), and
// `faultline chaos run` end to end in real time on a short scenario.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshallItem } from '../../src/chaos/dynamoJson.js';
import { cli } from '../helpers/cli.js';
import { parseScenario, ScenarioError, scenarioFromDocument } from '../../cli/chaos/scenario.js';
import { runScenarioToEnd, type Clock, type ScenarioEvent } from '../../cli/chaos/runScenario.js';
import { LogDirTelemetrySource, parseOutcome } from '../../cli/chaos/logDirTelemetry.js';
import { createTableContext, type TableContext } from '../../cli/chaos/tableContext.js';
import { tableRuleStore } from '../../cli/chaos/tableRuleStore.js';
import { startDynalite, type LocalDynamo } from '../helpers/ruleTable.js';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'scenarios');
const TABLE = 'faultline-scenario-test';

let dynamo: LocalDynamo;
let client: DynamoDBClient;
let ctx: TableContext;
let tmp: string;
const savedEnv = { ...process.env };

async function ruleItems(): Promise<Record<string, unknown>[]> {
  const page = await client.send(new ScanCommand({ TableName: TABLE }));
  return (page.Items ?? []).map((i) => unmarshallItem(i as Parameters<typeof unmarshallItem>[0]));
}

/** One invocation as Lambda and the agent log it: the EMF document, then REPORT. */
function writeInvocation(dir: string, fn: string, atMs: number, requestId: string, durationMs: number, failed: boolean): void {
  mkdirSync(join(dir, fn), { recursive: true });
  const emf = JSON.stringify({
    _aws: { Timestamp: atMs, CloudWatchMetrics: [{ Namespace: 'Faultline', Dimensions: [['FunctionName', 'service']], Metrics: [{ Name: 'Duration', Unit: 'Milliseconds' }] }] },
    FunctionName: fn, service: fn, ColdStart: 0, Duration: durationMs - 1, Error: failed ? 1 : 0, FaultsInjected: failed ? 1 : 0, requestId,
  });
  const report = `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB`;
  appendFileSync(
    join(dir, fn, '2026-stream-1.log'),
    JSON.stringify({ timestamp: atMs, message: 'START RequestId: ' + requestId + ' Version: $LATEST' }) + '\n' +
      JSON.stringify({ timestamp: atMs, message: emf }) + '\n' +
      JSON.stringify({ timestamp: atMs, message: report }) + '\n',
  );
}

before(async () => {
  dynamo = await startDynalite();
  tmp = mkdtempSync(join(tmpdir(), 'faultline-scenario-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    // Nothing listens here: createdBy falls back to $USER at once.
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:9`,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
    USER: 'scenario-tester',
  });
  delete process.env.FAULTLINE_CHAOS_TABLE;
  client = dynamo.client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' } });
  ctx = await createTableContext({ table: TABLE });
  const init = await cli('chaos', 'init', '--table', TABLE);
  assert.equal(init.code, 0, init.stderr);
});

after(async () => {
  client.destroy();
  ctx.client.destroy();
  await dynamo.close();
  rmSync(tmp, { recursive: true, force: true });
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('scenario files', () => {
  test('the JSON fixture parses with defaults filled in', () => {
    const s = parseScenario(readFileSync(join(FIXTURES, 'gameday.json'), 'utf8'));
    assert.equal(s.name, 'payments slow then failing');
    assert.deepEqual(s.functions, ['payments', 'orders']);
    assert.equal(s.baselineMs, 60_000);
    assert.equal(s.sampleEveryMs, 5_000);
    assert.deepEqual(s.abort, { errorRate: 0.5, p99LatencyMs: 3000, minInvocations: 5 });
    assert.equal(s.recovery.timeoutMs, 300_000);
    assert.equal(s.steps.length, 2);
    assert.equal(s.steps[0]?.holdMs, 120_000);
    assert.equal(s.steps[0]?.clear, undefined);
    assert.equal(s.steps[1]?.clear, 'all');
    assert.equal(s.steps[0]?.set[0]?.latency, 800);
  });

  test('every problem is reported at once, with where it is', () => {
    assert.throws(
      () => parseScenario(readFileSync(join(FIXTURES, 'invalid.yaml'), 'utf8')),
      (err: unknown) => {
        assert.ok(err instanceof ScenarioError);
        assert.match(err.message, /steps\[0\]\.set\[0\]\.rate 2: expected a number between 0 and 1/);
        assert.match(err.message, /steps\[0\]\.hold="10x": expected a duration/);
        assert.match(err.message, /steps\[0\]\.clear: nobody is not the id of a rule set by this or an earlier step/);
        return true;
      },
    );
  });

  const bad: [string, unknown, RegExp][] = [
    ['no steps', { name: 'x' }, /steps: expected a list/],
    ['unknown key', { steps: [{ hold: '1s' }], stpes: [] }, /unknown key stpes/],
    ['abort rate', { abort: { errorRate: 5 }, steps: [{ hold: '1s' }] }, /abort\.errorRate=5: expected a number above 0 and at most 1/],
    ['rule without scope', { steps: [{ set: [{ target: 'aws:s3', fault: 'latency', latency: 5 }] }] }, /steps\[0\]\.set\[0\]\.scope: required/],
    ['unknown rule key', { steps: [{ set: [{ scope: 'a', target: 'aws:s3', fault: 'latency', latencyMs: 5 }] }] }, /unknown key latencyMs/],
  ];
  for (const [name, doc, message] of bad) {
    test(`invalid: ${name}`, () => assert.throws(() => scenarioFromDocument(doc), message));
  }

  test('outcome lines: text REPORT, JSON platform.report, EMF; others ignored', () => {
    assert.deepEqual(parseOutcome('REPORT RequestId: r1\tDuration: 12.50 ms\tBilled Duration: 13 ms'), { requestId: 'r1', durationMs: 12.5, error: false });
    assert.deepEqual(parseOutcome('REPORT RequestId: r2\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tStatus: timeout'), { requestId: 'r2', durationMs: 3000, error: true });
    assert.deepEqual(
      parseOutcome(JSON.stringify({ time: 'x', type: 'platform.report', record: { requestId: 'r3', status: 'error', metrics: { durationMs: 7 } } })),
      { requestId: 'r3', durationMs: 7, error: true },
    );
    assert.deepEqual(parseOutcome(JSON.stringify({ _aws: {}, requestId: 'r4', Duration: 5, Error: 1 })), { requestId: 'r4', durationMs: 5, error: true });
    assert.equal(parseOutcome('START RequestId: r5 Version: $LATEST'), undefined);
    assert.equal(parseOutcome('{"level":"INFO","message":"hello _aws"}'), undefined);
    assert.equal(parseOutcome('{"_aws": broken'), undefined);
  });
});

/**
 * A simulated function behind a fake clock: an invocation every 100 ms, and
 * while a rule for `orders` stands in the table (checked at each tick) every
 * invocation fails in 300 ms instead of succeeding in 20 ms. Like the agent,
 * it notices a cleared rule only LAG_MS later.
 */
const LAG_MS = 2000;
function simulatedGameDay(dir: string, startMs: number): Clock {
  let now = startMs;
  let faultUntil = -Infinity;
  let n = 0;
  for (let at = startMs - 30_000; at < startMs; at += 100) writeInvocation(dir, 'orders', at, `base-${n++}`, 20, false);
  return {
    now: () => now,
    async sleep(ms) {
      const from = now;
      const to = now + ms;
      const active = (await ruleItems()).some((i) => i.scope === 'orders');
      if (active) faultUntil = to + LAG_MS;
      for (let at = Math.floor(from / 100) * 100 + 100; at <= to; at += 100) {
        const faulted = at < faultUntil;
        writeInvocation(dir, 'orders', at, `req-${n++}`, faulted ? 300 : 20, faulted);
      }
      now = to;
    },
  };
}

describe('runScenario on a fake clock', () => {
  test('a step, its clear, and the recovery time read from the logs', async () => {
    const dir = mkdtempSync(join(tmp, 'logs-'));
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const scenario = scenarioFromDocument({
      name: 'throttle orders',
      baseline: '10s',
      sampleEvery: '1s',
      abort: { p99LatencyMs: 5000 },
      recovery: { timeout: '20s', confirmSamples: 2 },
      steps: [{ name: 'throttle', set: [{ scope: 'orders', id: 'thr', target: 'aws:dynamodb', fault: 'error', error: 'ThrottlingException' }], hold: '5s', clear: 'all' }],
    }, start);
    const events: ScenarioEvent[] = [];
    const result = await runScenarioToEnd(
      scenario,
      { source: new LogDirTelemetrySource(dir), rules: tableRuleStore(ctx, { createdBy: 'test' }), clock: simulatedGameDay(dir, start) },
      (e) => events.push(e),
    );
    assert.deepEqual(result.functions, ['orders']);
    assert.deepEqual(result.baseline, { invocations: 100, errors: 0, errorRate: 0, p50Ms: 20, p99Ms: 20 });
    assert.equal(result.aborted, undefined);
    assert.equal(result.steps.length, 1);
    assert.deepEqual(result.steps[0]?.rules, [{ scope: 'orders', id: 'thr' }]);
    assert.deepEqual(result.steps[0]?.sample, { invocations: 49, errors: 49, errorRate: 1, p50Ms: 300, p99Ms: 300 });
    assert.equal(result.recovery.recovered, true);
    assert.equal(result.recovery.clearedAtMs, start + 5000);
    assert.equal(result.recovery.recoveryMs, LAG_MS);
    assert.deepEqual(await ruleItems(), []);
    assert.deepEqual(
      events.map((e) => e.type),
      ['baseline', 'step-start', 'sample', 'sample', 'sample', 'sample', 'sample', 'cleared', 'step-end',
        'recovery-sample', 'recovery-sample', 'recovery-sample', 'recovery-sample', 'done'],
    );
    const recovery = events.filter((e): e is Extract<ScenarioEvent, { type: 'recovery-sample' }> => e.type === 'recovery-sample');
    assert.deepEqual(recovery.map((e) => e.healthy), [false, false, true, true]);
  });

  test('an abort condition stops the run, clears every rule, and recovery is still measured', async () => {
    const dir = mkdtempSync(join(tmp, 'logs-'));
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const scenario = scenarioFromDocument({
      baseline: '10s',
      sampleEvery: '1s',
      abort: { errorRate: 0.5, minInvocations: 3 },
      recovery: { timeout: '20s', confirmSamples: 1 },
      steps: [
        { name: 'one', set: [{ scope: 'orders', id: 'a', target: 'aws:s3', fault: 'latency', latency: 100 }, { scope: 'orders', id: 'b', target: 'aws:sqs', fault: 'error', error: 'ThrottlingException' }], hold: '10s' },
        { name: 'two', set: [{ scope: 'orders', id: 'c', target: 'aws:sns', fault: 'error', error: 'ThrottlingException' }], hold: '10s', clear: 'all' },
      ],
    }, start);
    const result = await runScenarioToEnd(scenario, {
      source: new LogDirTelemetrySource(dir),
      rules: tableRuleStore(ctx, { createdBy: 'test' }),
      clock: simulatedGameDay(dir, start),
    });
    assert.equal(result.aborted?.step, 'one');
    assert.match(result.aborted?.reason ?? '', /error rate 100\.0% reached the abort threshold 50\.0% \(9\/9 invocations\)/);
    assert.equal(result.steps.length, 1);
    assert.equal(result.recovery.clearedAtMs, start + 1000);
    assert.equal(result.recovery.recoveryMs, LAG_MS);
    assert.deepEqual(await ruleItems(), []);
  });

  test('a failing rule store still leaves no rule behind', async () => {
    const dir = mkdtempSync(join(tmp, 'logs-'));
    const start = Math.ceil(Date.now() / 1000) * 1000;
    const scenario = scenarioFromDocument({
      steps: [{ name: 'one', set: [{ scope: 'orders', id: 'x', target: 'aws:s3', fault: 'latency', latency: 100 }], hold: '2s' }],
    }, start);
    const real = tableRuleStore(ctx, { createdBy: 'test' });
    const source = new LogDirTelemetrySource(dir);
    let samples = 0;
    await assert.rejects(
      runScenarioToEnd(scenario, {
        rules: real,
        clock: simulatedGameDay(dir, start),
        source: {
          sample: async (a, b, f) => {
            if (++samples === 2) throw new Error('log source went away');
            return source.sample(a, b, f);
          },
        },
      }),
      /log source went away/,
    );
    assert.deepEqual(await ruleItems(), []);
  });
});

describe('faultline chaos run', () => {
  test('--dry-run checks the file and writes nothing', async () => {
    const r = await cli('chaos', 'run', join(FIXTURES, 'gameday.json'), '--dry-run', '--table', TABLE);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /scenario "payments slow then failing" is valid: 2 steps, measuring payments, orders/);
    assert.deepEqual(await ruleItems(), []);
  });

  test('an invalid scenario exits 2 before anything is written', async () => {
    const r = await cli('chaos', 'run', join(FIXTURES, 'invalid.yaml'), '--source', tmp, '--table', TABLE);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid\.yaml: .*steps\[0\]\.set\[0\]\.rate 2/);
    assert.deepEqual(await ruleItems(), []);
  });

  test('without --source it reads CloudWatch Logs (nothing listens here: exit 1, nothing written)', async () => {
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = 'http://127.0.0.1:9';
    try {
      const r = await cli('chaos', 'run', join(FIXTURES, 'short.yaml'), '--table', TABLE);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ECONNREFUSED 127\.0\.0\.1:9/);
      assert.deepEqual(await ruleItems(), []);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
    }
  });

  test('a missing file exits 2 naming it', async () => {
    const r = await cli('chaos', 'run', join(tmp, 'nope.yaml'), '--table', TABLE);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope\.yaml: cannot read the scenario file \(ENOENT\)/);
  });

  test('runs a short scenario in real time against a log directory', async () => {
    const dir = mkdtempSync(join(tmp, 'live-'));
    // Healthy traffic around now, so the baseline, the step and recovery all have data.
    const now = Date.now();
    let n = 0;
    for (let at = now - 10_000; at <= now + 30_000; at += 50) writeInvocation(dir, 'orders', at, `live-${n++}`, 15, false);
    const r = await cli('chaos', 'run', join(FIXTURES, 'short.yaml'), '--source', dir, '--table', TABLE, '--json');
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ScenarioEvent);
    const started = events.find((e) => e.type === 'step-start');
    assert.deepEqual(started?.type === 'step-start' && started.rules, [{ scope: 'orders', id: 'short-throttle' }]);
    assert.ok(events.some((e) => e.type === 'cleared'));
    const done = events.at(-1);
    assert.equal(done?.type, 'done');
    if (done?.type !== 'done') return;
    assert.equal(done.result.aborted, undefined);
    assert.equal(done.result.recovery.recovered, true);
    assert.ok(done.result.baseline.invocations > 0);
    assert.equal(done.result.steps[0]?.sample.errors, 0);
    assert.deepEqual(await ruleItems(), []);
  });

  /** Healthy traffic of `orders` from 10 s ago to 30 s ahead, so baseline, step and recovery all have data. */
  function liveTraffic(name: string): string {
    const dir = mkdtempSync(join(tmp, `${name}-`));
    const now = Date.now();
    let n = 0;
    for (let at = now - 10_000; at <= now + 30_000; at += 50) writeInvocation(dir, 'orders', at, `${name}-${n++}`, 15, false);
    return dir;
  }

  test("--report writes the run's report, each rule drawn as set and cleared", async () => {
    const dir = liveTraffic('report');
    const file = join(tmp, 'out', 'gameday.html');
    const r = await cli('chaos', 'run', join(FIXTURES, 'short.yaml'), '--source', dir, '--table', TABLE, '--json', '--report', file);
    assert.equal(r.code, 0, r.stderr);
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; path?: string });
    const written = records.find((e) => e.type === 'report-written');
    assert.equal(written?.path, file);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /orders short throttle/);
    assert.match(html, /short-throttle/);
    assert.ok(records.some((e) => e.type === 'done'), 'the run ends with its verdict');
    assert.deepEqual(await ruleItems(), []);
  });

  test('a report that cannot be written costs a warning, not the run', async () => {
    const dir = liveTraffic('noreport');
    const r = await cli('chaos', 'run', join(FIXTURES, 'short.yaml'), '--source', dir, '--table', TABLE, '--report', '/proc/faultline-no/report.html');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: no report written/);
    assert.deepEqual(await ruleItems(), []);
  });
});
