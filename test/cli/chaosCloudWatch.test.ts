// `chaos run --source cloudwatch`: the Logs Insights telemetry source against
// a local HTTP server standing in for CloudWatch Logs (test/helpers/fakeAws.ts).
// It answers like the service: StartQuery / GetQueryResults statuses, one
// stats row per query, throttling; what is tested is the query we send and
// how the answers become a scenario's figures.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../../cli/common.js';
import { openLogsApi, type LogsApi, type ResultField, type StartQueryInput } from '../../cli/logs/cloudWatchApi.js';
import { cli } from '../helpers/cli.js';
import { awsError, FakeAws, sequence } from '../helpers/fakeAws.js';
import { CloudWatchTelemetrySource, queryRange, sampleFromRows, TELEMETRY_QUERY } from '../../cli/chaos/cloudWatchTelemetry.js';
import { runScenarioToEnd, type Clock, type ScenarioEvent, type ScenarioRuleStore } from '../../cli/chaos/runScenario.js';
import { scenarioFromDocument } from '../../cli/chaos/scenario.js';
import { percentile } from '../../cli/chaos/telemetrySource.js';
import { RateBudget, type RetryPolicy } from '../../cli/logs/rateBudget.js';

let aws: FakeAws;
let logs: LogsApi;
before(async () => {
  aws = await FakeAws.start();
  logs = await openLogsApi({ region: 'eu-west-1', env: aws.env });
});
after(async () => {
  logs.destroy();
  await aws.close();
});
afterEach(() => aws.reset());

const client = () => logs;
const noBackoff: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep: async () => {} };
const noWait = { pollIntervalMs: 0, sleep: async () => {} };
/** A clock that only moves when slept on: the ingestion wait costs nothing. */
function fakeClock(startMs: number): Clock & { slept: number[] } {
  let now = startMs;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
}
const fields = (row: Record<string, string>): ResultField[] => Object.entries(row).map(([field, value]) => ({ field, value }));
const starts = () => aws.inputsOf('StartQuery') as StartQueryInput[];

function source(functions: string[], opts: { budget?: RateBudget; clock?: Clock; ingestionDelayMs?: number } = {}) {
  return new CloudWatchTelemetrySource({
    client: client(),
    budget: opts.budget ?? new RateBudget(1000, 1000),
    functions,
    retry: noBackoff,
    ingestionDelayMs: opts.ingestionDelayMs ?? 0,
    clock: opts.clock ?? fakeClock(2_000_000_000_000),
    insights: noWait,
  });
}

describe('the telemetry query', () => {
  test('covers REPORT lines in both formats, the agent EMF Error, and the p50/p99 of REPORT durations', () => {
    assert.match(TELEMETRY_QUERY, /^filter @type = "REPORT" or type = "platform\.report" or ispresent\(`_aws\.CloudWatchMetrics\.0\.Namespace`\)/);
    assert.match(TELEMETRY_QUERY, /coalesce\(@duration, `record\.metrics\.durationMs`\) as reportMs/);
    assert.match(TELEMETRY_QUERY, /\| stats count\(reportMs\) as invocations, sum\(Error\) as agentErrors/);
    assert.match(TELEMETRY_QUERY, /pct\(reportMs, 50\) as p50, pct\(reportMs, 99\) as p99/);
    // Exactly one stats: one row per query, whatever the traffic.
    assert.equal(TELEMETRY_QUERY.match(/\bstats\b/g)?.length, 1);
  });

  test('the failure regex matches the REPORT statuses the agent cannot report, and not the handler errors it does', () => {
    // The pattern Insights runs, read back from the query and tried on real line shapes.
    const body = /parse @message \/(.*)\/\n/.exec(TELEMETRY_QUERY)?.[1];
    assert.ok(body);
    const re = new RegExp(body);
    const groups = (line: string) => {
      const g = re.exec(line)?.groups;
      return g ? Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) : {};
    };
    const text = 'REPORT RequestId: r1\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tStatus: timeout';
    assert.deepEqual(groups(text), { textFailure: 'timeout' });
    assert.deepEqual(groups(text.replace('timeout', 'error') + '\tError Type: Runtime.ExitError'), { textFailure: 'error' });
    assert.deepEqual(groups('REPORT RequestId: r1\tDuration: 3.00 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB'), {});
    const json = (status: string) => JSON.stringify({ time: '2026-11-23T20:00:00.000Z', type: 'platform.report', record: { requestId: 'r1', metrics: { durationMs: 3 }, status } });
    assert.deepEqual(groups(json('timeout')), { jsonFailure: 'timeout' });
    assert.deepEqual(groups(json('failure')), { jsonFailure: 'failure' });
    assert.deepEqual(groups(json('success')), {});
    assert.deepEqual(groups(json('error')), {}, 'a handler error is counted from the agent EMF Error instead');
  });

  test('windows are cut on whole seconds so back-to-back samples do not overlap', () => {
    assert.deepEqual(queryRange(10_400, 15_400), { startMs: 10_000, endMs: 15_000 });
    assert.deepEqual(queryRange(15_400, 20_400), { startMs: 15_000, endMs: 20_000 });
    assert.deepEqual(queryRange(10_000, 10_200), { startMs: 10_000, endMs: 11_000 });
  });
});

describe('rows to figures', () => {
  test('one row: counts, errors from EMF and REPORT failures, percentiles', () => {
    assert.deepEqual(sampleFromRows([{ invocations: '200', agentErrors: '30', textFailures: '4', jsonFailures: '6', p50: '41.5', p99: '812.25' }]), {
      invocations: 200, errors: 40, errorRate: 0.2, p50Ms: 41.5, p99Ms: 812.25,
    });
  });

  test('no rows, or a row of zeros, is no data', () => {
    const empty = { invocations: 0, errors: 0, errorRate: undefined, p50Ms: undefined, p99Ms: undefined };
    assert.deepEqual(sampleFromRows([]), empty);
    assert.deepEqual(sampleFromRows([{ invocations: '0', agentErrors: '0', textFailures: '0', jsonFailures: '0' }]), empty);
  });

  test('EMF errors whose REPORT lines are outside the window never push the rate above 100%', () => {
    assert.deepEqual(sampleFromRows([{ invocations: '3', agentErrors: '5', textFailures: '0', jsonFailures: '0', p50: '10', p99: '20' }]), {
      invocations: 3, errors: 3, errorRate: 1, p50Ms: 10, p99Ms: 20,
    });
  });

  test('several batches: counts add up, percentiles are invocation-weighted (approximate)', () => {
    const s = sampleFromRows([
      { invocations: '300', agentErrors: '3', textFailures: '0', jsonFailures: '0', p50: '10', p99: '100' },
      { invocations: '100', agentErrors: '1', textFailures: '1', jsonFailures: '0', p50: '50', p99: '500' },
      { invocations: '0', agentErrors: '0', textFailures: '0', jsonFailures: '0' },
    ]);
    assert.deepEqual(s, { invocations: 400, errors: 5, errorRate: 5 / 400, p50Ms: 20, p99Ms: 200 });
  });
});

describe('CloudWatchTelemetrySource', () => {
  const row = { invocations: '120', agentErrors: '6', textFailures: '0', jsonFailures: '0', p50: '35', p99: '240' };

  test('one query over the functions\' log groups for the window, parsed into the figures', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', sequence({ status: 'Running' }, { status: 'Complete', results: [fields(row)] }));
    const s = await source(['orders', 'payments']).sample(1_700_000_010_000, 1_700_000_015_000, ['orders', 'payments']);
    assert.deepEqual(s, { invocations: 120, errors: 6, errorRate: 0.05, p50Ms: 35, p99Ms: 240 });
    assert.deepEqual(starts(), [
      { logGroupNames: ['/aws/lambda/orders', '/aws/lambda/payments'], startTime: 1_700_000_010, endTime: 1_700_000_015, queryString: TELEMETRY_QUERY },
    ]);
    assert.equal(aws.inputsOf('GetQueryResults').length, 2);
  });

  test('the runner passing no function list measures the functions the source was opened with', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [fields(row)] }));
    await source(['orders']).sample(0, 5000, undefined);
    assert.deepEqual(starts()[0]?.logGroupNames, ['/aws/lambda/orders']);
  });

  test('an empty result is a window with no data', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [] }));
    assert.deepEqual(await source(['orders']).sample(0, 5000, ['orders']), { invocations: 0, errors: 0, errorRate: undefined, p50Ms: undefined, p99Ms: undefined });
  });

  test('a failed query is a clear OperationError', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q-bad' }));
    aws.on('GetQueryResults', () => ({ status: 'Failed' }));
    await assert.rejects(
      source(['orders']).sample(0, 5000, ['orders']),
      (err: unknown) => err instanceof OperationError && /query q-bad over 1 log group\(s\) \(\/aws\/lambda\/orders…\) ended Failed; check the query syntax/.test(err.message),
    );
  });

  test('waits until the window is ingestionDelayMs old before querying it', async () => {
    const clock = fakeClock(1_700_000_015_000);
    let queriedAt: number | undefined;
    aws.on('StartQuery', () => ((queriedAt = clock.now()), { queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [fields(row)] }));
    await source(['orders'], { clock, ingestionDelayMs: 8000 }).sample(1_700_000_010_000, 1_700_000_015_000, ['orders']);
    assert.deepEqual(clock.slept, [8000]);
    assert.equal(queriedAt, 1_700_000_023_000);
    // A window already old enough is queried at once.
    await source(['orders'], { clock, ingestionDelayMs: 8000 }).sample(1_700_000_010_000, 1_700_000_015_000, ['orders']);
    assert.deepEqual(clock.slept, [8000]);
  });

  test('throttling, then success: backs off inside the one shared rate budget', async () => {
    // A budget of 1 call/s on a fake clock: every call after the first waits
    // for its token, so the recorded waits count the calls that went through it.
    let budgetNow = 0;
    const budgetWaits: number[] = [];
    const budget = new RateBudget(1, 1, () => budgetNow, async (ms) => void (budgetWaits.push(ms), (budgetNow += ms)));
    const throttle = () => awsError('ThrottlingException', 'Rate exceeded');
    aws.on('StartQuery', sequence(throttle(), { queryId: 'q1' }));
    aws.on('GetQueryResults', sequence(throttle(), { status: 'Complete', results: [fields(row)] }));
    const s = await source(['orders'], { budget }).sample(0, 5000, ['orders']);
    assert.equal(s.invocations, 120);
    assert.equal(aws.inputsOf('StartQuery').length, 2);
    assert.equal(aws.inputsOf('GetQueryResults').length, 2);
    // 4 calls, the first on the initial token: 3 waits of a second each.
    assert.deepEqual(budgetWaits, [1000, 1000, 1000]);
  });

  test('more than 50 functions: batched 50 per query and merged', async () => {
    const fns = Array.from({ length: 120 }, (_, i) => `fn-${String(i).padStart(3, '0')}`);
    let n = 0;
    aws.on('StartQuery', (input: StartQueryInput) => ({ queryId: `q${++n}-${input.logGroupNames.length}` }));
    aws.on('GetQueryResults', (input: { queryId: string }) => {
      const groups = Number(input.queryId.split('-')[1]);
      // 2 invocations per function; the batch of 20 is the slow one.
      return { status: 'Complete', results: [fields({ invocations: String(groups * 2), agentErrors: String(groups === 20 ? 10 : 0), textFailures: '0', jsonFailures: '0', p50: groups === 20 ? '100' : '10', p99: groups === 20 ? '1000' : '100' })] };
    });
    const s = await source(fns).sample(0, 5000, fns);
    // The batches run concurrently: their order on the wire is not fixed.
    assert.deepEqual(starts().map((q) => q.logGroupNames.length).sort((a, b) => b - a), [50, 50, 20]);
    assert.deepEqual(new Set(starts().flatMap((q) => q.logGroupNames)), new Set(fns.map((f) => `/aws/lambda/${f}`)));
    assert.equal(s.invocations, 240);
    assert.equal(s.errors, 10);
    // Weighted by invocations: (200 × 10 + 40 × 100) / 240 and (200 × 100 + 40 × 1000) / 240.
    assert.equal(s.p50Ms, 25);
    assert.equal(s.p99Ms, 250);
  });
});

/**
 * CloudWatch as the mock plays it for a scenario: `orders` serves 10
 * invocations a second (20 ms, no error); while the rule stands, and LAG_MS
 * after it is cleared, each one fails in 300 ms. A second of logs is
 * queryable VISIBLE_AFTER_MS after it ends; StartQuery answers what is
 * queryable at the clock's time, computed like Insights' stats would.
 */
const LAG_MS = 2000;
const VISIBLE_AFTER_MS = 3000;
function simulatedCloudWatch(clock: Clock, fault: { from: number; until: number }) {
  const results = new Map<string, ResultField[][]>();
  let n = 0;
  aws.on('StartQuery', (input: StartQueryInput) => {
    const durations: number[] = [];
    let errors = 0;
    for (let s = input.startTime; s < input.endTime; s++) {
      if ((s + 1) * 1000 + VISIBLE_AFTER_MS > clock.now()) continue;
      for (let k = 0; k < 10; k++) {
        const at = s * 1000 + k * 100;
        const faulted = at >= fault.from && at < fault.until + LAG_MS;
        durations.push(faulted ? 300 : 20);
        if (faulted) errors++;
      }
    }
    durations.sort((a, b) => a - b);
    const queryId = `q${++n}`;
    results.set(queryId, durations.length === 0 ? [] : [fields({
      invocations: String(durations.length), agentErrors: String(errors), textFailures: '0', jsonFailures: '0',
      p50: String(percentile(durations, 50)), p99: String(percentile(durations, 99)),
    })]);
    return { queryId };
  });
  aws.on('GetQueryResults', (input: { queryId: string }) => ({ status: 'Complete', results: results.get(input.queryId) }));
}

describe('runScenario with the CloudWatch source on a fake clock', () => {
  test('the baseline, step figures and recovery time come from the Insights answers', async () => {
    const start = 1_800_000_000_000;
    const clock = fakeClock(start);
    const fault = { from: Infinity, until: Infinity };
    simulatedCloudWatch(clock, fault);
    // The rule table is not under test here: a store that records when the fault stands.
    const rules: ScenarioRuleStore = {
      set: async (spec, nowMs) => ((fault.from = nowMs), { scope: spec.scope, id: spec.id ?? 'r' }),
      clear: async () => void (fault.until = clock.now()),
    };
    const scenario = scenarioFromDocument({
      name: 'throttle orders',
      baseline: '10s',
      sampleEvery: '2s',
      abort: { p99LatencyMs: 5000 },
      recovery: { timeout: '30s', confirmSamples: 2 },
      steps: [{ name: 'throttle', set: [{ scope: 'orders', id: 'thr', target: 'aws:dynamodb', fault: 'error', error: 'ThrottlingException' }], hold: '6s', clear: 'all' }],
    }, start);
    const events: ScenarioEvent[] = [];
    const result = await runScenarioToEnd(
      scenario,
      { source: source(['orders'], { clock, ingestionDelayMs: VISIBLE_AFTER_MS }), rules, clock },
      (e) => events.push(e),
    );
    assert.deepEqual(result.functions, ['orders']);
    assert.deepEqual(result.baseline, { invocations: 100, errors: 0, errorRate: 0, p50Ms: 20, p99Ms: 20 });
    // The baseline waited for ingestion: the step started VISIBLE_AFTER_MS after the run did.
    assert.equal(fault.from, start + VISIBLE_AFTER_MS);
    assert.equal(result.aborted, undefined);
    const step = result.steps[0];
    assert.equal(step?.startedAtMs, fault.from);
    assert.deepEqual(step?.sample, { invocations: (step!.endedAtMs - step!.startedAtMs) / 100, errors: (step!.endedAtMs - step!.startedAtMs) / 100, errorRate: 1, p50Ms: 300, p99Ms: 300 });
    const samples = events.filter((e): e is Extract<ScenarioEvent, { type: 'sample' }> => e.type === 'sample');
    assert.ok(samples.length > 0);
    for (const e of samples) assert.equal(e.sample.errorRate, 1, `sample at ${e.atMs - start} ms`);
    assert.equal(result.recovery.recovered, true);
    assert.equal(result.recovery.clearedAtMs, fault.until);
    // Faulty for LAG_MS after the clear: the first 2 s recovery window is the
    // unhealthy one, the next two confirm.
    assert.equal(result.recovery.recoveryMs, LAG_MS);
    const recovery = events.filter((e): e is Extract<ScenarioEvent, { type: 'recovery-sample' }> => e.type === 'recovery-sample');
    assert.deepEqual(recovery.map((e) => [e.healthy, e.sample.errorRate]), [[false, 1], [true, 0], [true, 0]]);
    // Every query named the one log group.
    assert.deepEqual(new Set(starts().flatMap((q) => q.logGroupNames)), new Set(['/aws/lambda/orders']));
  });
});

describe('faultline chaos run --source cloudwatch', () => {
  let tmp: string;
  const saved = { ...process.env };
  // The CLI runs in this process: it finds the fake server through the environment.
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-cwrun-'));
    Object.assign(process.env, aws.env);
  });
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
    for (const k of Object.keys(aws.env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
  });

  const scenarioFile = (name: string, yaml: string) => {
    const path = join(tmp, name);
    writeFileSync(path, yaml);
    return path;
  };
  const step = 'steps:\n  - name: s\n    set:\n      - { scope: "SCOPE", id: x, target: "aws:dynamodb", fault: error, error: ThrottlingException }\n    hold: 2s\n    clear: all\n';

  test('a scenario that measures every function is a usage error naming the fix', async () => {
    const file = scenarioFile('star.yaml', 'name: everything\n' + step.replace('SCOPE', '*'));
    const r = await cli('chaos', 'run', file, '--region', 'eu-west-1', '--table', 't');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /scenario "everything" measures every function .* with --source cloudwatch, name them, e\.g\. functions: \[/);
    assert.equal(aws.calls.length, 0);
  });

  test('a function without a log group is an error naming it', async () => {
    aws.on('DescribeLogGroups', () => ({ logGroups: [{ logGroupName: '/aws/lambda/orders-api-v2' }] }));
    const file = scenarioFile('unknown.yaml', 'name: orders\n' + step.replace('SCOPE', 'orders-api'));
    const r = await cli('chaos', 'run', file, '--source', 'cloudwatch', '--region', 'eu-west-1', '--table', 't');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /function orders-api: unknown; no log group \/aws\/lambda\/orders-api in this account and region/);
    assert.equal(aws.inputsOf('StartQuery').length, 0);
    assert.deepEqual(aws.inputsOf('DescribeLogGroups'), [{ logGroupNamePrefix: '/aws/lambda/orders-api' }]);
  });

  test('a bad --ingestion-delay is a usage error', async () => {
    const file = scenarioFile('delay.yaml', 'name: orders\n' + step.replace('SCOPE', 'orders-api'));
    const r = await cli('chaos', 'run', file, '--ingestion-delay', 'soon', '--region', 'eu-west-1', '--table', 't');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--ingestion-delay soon: expected a duration such as 10s/);
  });
});
