// The CloudWatch paths against a local HTTP server standing in for CloudWatch
// Logs and CloudFormation (test/helpers/fakeAws.ts): it answers like the
// services do (pages, statuses, throttling, XML for CloudFormation); what is
// tested is our requests and our handling of those answers, over real HTTP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLOUDFORMATION, CLOUDWATCH_LOGS, resolveAwsEndpoint } from '../../src/awsEndpoint.js';
import { OperationError } from '../../cli/common.js';
import { openCloudFormationApi, type CloudFormationApi } from '../../cli/logs/cloudFormationApi.js';
import { openLogsApi, type FilteredLogEvent, type LogsApi, type ResultField } from '../../cli/logs/cloudWatchApi.js';
import { cloudWatchSource } from '../../cli/logs/cloudWatchSource.js';
import { openLogs } from '../../cli/logs/openSource.js';
import { coldStartsFromInsights, coldStartsFromCloudWatch } from '../../cli/logs/coldStartsInsights.js';
import { findCorrelation } from '../../cli/logs/findCorrelation.js';
import { runInsightsQuery } from '../../cli/logs/insights.js';
import { liveTailEndpoint } from '../../cli/logs/liveTailStream.js';
import { budgetedCall, RateBudget, type RetryPolicy } from '../../cli/logs/rateBudget.js';
import { functionsInStack, selectFromCloudWatch } from '../../cli/logs/selectFunctions.js';
import type { SourceEvent } from '../../cli/logs/records.js';
import { awsError, escapeXml, FakeAws, queryError, queryXml, sequence, useFakeAws } from '../helpers/fakeAws.js';
import { CHECKOUT_REQ, FUNCTIONS, PAYMENTS_REQ, RANGE, SHIPPING_REQ, SHOP_DIR, TRACE } from './fixtures.js';

let aws: FakeAws;
const fake = useFakeAws((started) => (aws = started));

/** A CloudWatch Logs client pointed at the fake server (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS). */
const client = async (): Promise<LogsApi> => fake.track(await openLogsApi({ region: 'eu-west-1', env: aws.env }));
const cloudFormation = async (): Promise<CloudFormationApi> => fake.track(await openCloudFormationApi({ region: 'eu-west-1', env: aws.env }));
const sleeps: number[] = [];
// Backoff waits are recorded instead of slept: the delays are what is under test.
const retry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) };
const budget = () => new RateBudget(1000, 1000);
const noWait = { pollIntervalMs: 0, sleep: async () => {} };

const throttle = () => awsError('ThrottlingException', 'Rate exceeded');

describe('FilterLogEvents', () => {
  test('follows every page, including empty pages that still carry a nextToken', async () => {
    const ev = (id: string, ts: number): FilteredLogEvent => ({ eventId: id, timestamp: ts, message: `START RequestId: ${id} Version: $LATEST`, logStreamName: 's1' });
    aws.on(
      'FilterLogEvents',
      sequence({ events: [], nextToken: 't1' }, { events: [], nextToken: 't2' }, { events: [ev('r1', 1)], nextToken: 't3' }, { events: [], nextToken: 't4' }, { events: [ev('r2', 2)] }),
    );
    const got: SourceEvent[] = [];
    const source = cloudWatchSource({ client: await client(), budget: budget(), retry });
    await source.fetchInvocations([{ function: 'orders', stream: 's1', requestIds: ['r1', 'r2'] }], { startMs: 0, endMs: 10 }, (e) => got.push(e));
    assert.deepEqual(got.map((e) => e.message), ['START RequestId: r1 Version: $LATEST', 'START RequestId: r2 Version: $LATEST']);
    const calls = aws.inputsOf('FilterLogEvents');
    assert.deepEqual(calls.map((c) => c.nextToken), [undefined, 't1', 't2', 't3', 't4']);
    assert.equal(calls[0]!.logGroupName, '/aws/lambda/orders');
    assert.deepEqual(calls[0]!.logStreamNames, ['s1']);
    assert.equal(calls[0]!.filterPattern, '?"r1" ?"r2"');
  });

  test('throttling, then success: backs off exponentially and gets the events', async () => {
    sleeps.length = 0;
    aws.on('FilterLogEvents', sequence(throttle(), awsError('LimitExceededException', 'limit'), throttle(), { events: [{ timestamp: 5, message: 'END RequestId: r1', logStreamName: 's' }] }));
    const got: SourceEvent[] = [];
    await cloudWatchSource({ client: await client(), budget: budget(), retry }).fetchInvocations(
      [{ function: 'orders', stream: 's', requestIds: ['r1'] }],
      { startMs: 0, endMs: 10 },
      (e) => got.push(e),
    );
    assert.equal(got.length, 1);
    assert.equal(aws.inputsOf('FilterLogEvents').length, 4);
    // Full jitter over 100, 200, 400 ms caps (random() = 0.5).
    assert.deepEqual(sleeps, [50, 100, 200]);
  });

  test('throttling that never ends gives up after maxAttempts with the AWS error', async () => {
    aws.on('FilterLogEvents', throttle);
    await assert.rejects(
      cloudWatchSource({ client: await client(), budget: budget(), retry }).fetchInvocations([{ function: 'f', stream: 's', requestIds: ['r'] }], { startMs: 0, endMs: 1 }, () => {}),
      { name: 'ThrottlingException' },
    );
    assert.equal(aws.inputsOf('FilterLogEvents').length, retry.maxAttempts);
  });

  test('other errors are not retried', async () => {
    aws.on('FilterLogEvents', () => awsError('ResourceNotFoundException', 'nope'));
    const logs = await client();
    await assert.rejects(budgetedCall(budget(), () => logs.filterLogEvents({ logGroupName: 'x' }), retry), { name: 'ResourceNotFoundException', message: 'nope' });
    assert.equal(aws.inputsOf('FilterLogEvents').length, 1);
  });
});

describe('Logs Insights', () => {
  const groups = Array.from({ length: 120 }, (_, i) => `/aws/lambda/fn-${String(i).padStart(3, '0')}`);
  const row = (msg: string): ResultField[] => [
    { field: '@message', value: msg },
    { field: '@ptr', value: 'x' },
  ];

  test('120 log groups run as 3 queries of at most 50 groups, results merged', async () => {
    let n = 0;
    aws.on('StartQuery', () => ({ queryId: `q${++n}` }));
    aws.on('GetQueryResults', (input: { queryId: string }) => ({ status: 'Complete', results: [row(`from ${input.queryId}`)] }));
    const rows = await runInsightsQuery({ logGroups: groups, range: { startMs: 0, endMs: 3_600_000 }, queryString: 'fields @message' }, { client: await client(), budget: budget(), retry, ...noWait });
    const starts = aws.inputsOf('StartQuery') as Array<{ logGroupNames: string[] }>;
    // The parts run concurrently: their order on the wire is not fixed.
    assert.deepEqual(starts.map((s) => s.logGroupNames.length).sort((a, b) => b - a), [50, 50, 20]);
    assert.deepEqual(new Set(starts.flatMap((s) => s.logGroupNames)), new Set(groups));
    assert.deepEqual(rows.map((r) => r['@message']).sort(), ['from q1', 'from q2', 'from q3']);
    assert.equal(rows[0]!['@ptr'], 'x');
  });

  test('polls until Complete and reports progress', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on(
      'GetQueryResults',
      sequence(
        { status: 'Scheduled' },
        { status: 'Running', statistics: { recordsMatched: 3, recordsScanned: 1000 } },
        { status: 'Complete', results: [row('m')], statistics: { recordsMatched: 5, recordsScanned: 2000 } },
      ),
    );
    const progress: string[] = [];
    const rows = await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait, progress: (m) => progress.push(m) });
    assert.equal(rows.length, 1);
    assert.deepEqual(progress, [
      'query 1/1: scheduled, no statistics yet',
      'query 1/1: running, 3 matched of 1000 scanned',
      'query 1/1: complete, 5 matched of 2000 scanned',
      '1/1 queries complete',
    ]);
  });

  test('a Failed query is an OperationError', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Failed' }));
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait }),
      (err: unknown) => err instanceof OperationError && /query q1 .* ended Failed/.test(err.message),
    );
  });

  test('a Cancelled query is an OperationError', async () => {
    aws.on('StartQuery', () => ({ queryId: 'q1' }));
    aws.on('GetQueryResults', () => ({ status: 'Cancelled' }));
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait }),
      /ended Cancelled/,
    );
  });

  test('a timed-out query is split in two halves of its time range and rerun', async () => {
    let n = 0;
    aws.on('StartQuery', () => ({ queryId: `q${++n}` }));
    aws.on('GetQueryResults', (input: { queryId: string }) => (input.queryId === 'q1' ? { status: 'Timeout' } : { status: 'Complete', results: [row(input.queryId)] }));
    const rows = await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 7_200_000 }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait });
    const ranges = aws.inputsOf('StartQuery').map((q: { startTime: number; endTime: number }) => [q.startTime, q.endTime]);
    assert.deepEqual(ranges, [[0, 7200], [0, 3600], [3600, 7200]]);
    assert.deepEqual(rows.map((r) => r['@message']), ['q2', 'q3']);
  });

  test('a query that keeps timing out ends in an OperationError', async () => {
    let n = 0;
    aws.on('StartQuery', () => ({ queryId: `q${++n}` }));
    aws.on('GetQueryResults', () => ({ status: 'Timeout' }));
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 3_600_000 }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait, maxSplits: 2 }),
      /timed out even on/,
    );
    // The whole range, its first half, and the first quarter: then it gives up.
    assert.equal(aws.inputsOf('StartQuery').length, 3);
  });

  test('long ranges run in windows', async () => {
    let n = 0;
    aws.on('StartQuery', () => ({ queryId: `q${++n}` }));
    aws.on('GetQueryResults', () => ({ status: 'Complete', results: [] }));
    const day = 86_400_000;
    await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 2.5 * day }, queryString: 'q' }, { client: await client(), budget: budget(), retry, ...noWait, maxWindowMs: day });
    const ranges = aws.inputsOf('StartQuery').map((q: { startTime: number; endTime: number }) => [q.startTime, q.endTime]).sort((a, b) => a[0]! - b[0]!);
    assert.deepEqual(ranges, [[0, 86400], [86400, 172800], [172800, 216000]]);
  });
});

/** The fixture's events per log group, served the way CloudWatch would. */
function fixtureEvents(): Map<string, FilteredLogEvent[]> {
  const byGroup = new Map<string, FilteredLogEvent[]>();
  for (const fn of FUNCTIONS) {
    const events: FilteredLogEvent[] = [];
    for (const file of readdirSync(join(SHOP_DIR, fn))) {
      for (const line of readFileSync(join(SHOP_DIR, fn, file), 'utf8').split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as { timestamp: number; message: string };
        events.push({ ...e, logStreamName: file.replace(/\.log$/, ''), eventId: String(events.length) });
      }
    }
    byGroup.set(`/aws/lambda/${fn}`, events);
  }
  return byGroup;
}

const termsOf = (pattern: string) => [...pattern.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);

describe('logs correlate over CloudWatch', () => {
  test('Insights finds the id, FilterLogEvents fetches the invocations: same answer as the log directory', async () => {
    const data = fixtureEvents();
    const queries: string[] = [];
    aws.on('StartQuery', (input: { queryString: string; logGroupNames: string[] }) => {
      queries.push(input.queryString);
      return { queryId: String(queries.length - 1) };
    });
    aws.on('GetQueryResults', (input: { queryId: string }) => {
      const q = queries[Number(input.queryId)]!;
      const terms = [...q.matchAll(/@message like "([^"]*)"/g)].map((m) => m[1]!);
      const results: ResultField[][] = [];
      for (const [group, events] of data) {
        for (const e of events) {
          if (!terms.some((t) => e.message!.includes(t))) continue;
          const ts = new Date(e.timestamp!).toISOString().replace('T', ' ').replace('Z', '');
          results.push([
            { field: '@timestamp', value: ts },
            { field: '@message', value: e.message! },
            { field: '@logStream', value: e.logStreamName! },
            { field: '@log', value: `123456789012:${group}` },
          ]);
        }
      }
      return { status: 'Complete', results };
    });
    aws.on('FilterLogEvents', (input: { logGroupName: string; logStreamNames?: string[]; filterPattern?: string; nextToken?: string }) => {
      const terms = termsOf(input.filterPattern ?? '');
      const events = (data.get(input.logGroupName) ?? []).filter(
        (e) => terms.some((t) => e.message!.includes(t)) && (!input.logStreamNames || input.logStreamNames.includes(e.logStreamName!)),
      );
      // Two pages, the first one empty with a token, as FilterLogEvents does while it searches.
      return input.nextToken ? { events } : { events: [], nextToken: 'more' };
    });
    const source = cloudWatchSource({ client: await client(), budget: budget(), retry, insights: noWait });
    const c = await findCorrelation({ source, functions: FUNCTIONS, id: CHECKOUT_REQ, range: RANGE });
    assert.deepEqual(c.traceIds, [TRACE]);
    assert.deepEqual(c.invocations.map((i) => i.requestId), [CHECKOUT_REQ, PAYMENTS_REQ, SHIPPING_REQ]);
    assert.equal(c.lines.filter((l) => l.type === 'platform' && l.record.kind === 'platform' && l.record.event === 'report').length, 3);
    assert.ok(c.lines.some((l) => l.message === 'carrier slow'));
    // Round 1 searched the request id, round 2 followed the trace.
    assert.equal(queries.length, 2);
    assert.match(queries[0]!, /@message like "c1a1b2c3-0000-4000-8000-000000000001"/);
    assert.match(queries[1]!, /@message like "0123456789abcdef01234567"/);
  });
});

describe('function selection on CloudWatch', () => {
  test('--prefix pages through DescribeLogGroups', async () => {
    aws.on(
      'DescribeLogGroups',
      sequence({ logGroups: [{ logGroupName: '/aws/lambda/shop-a' }], nextToken: 'n1' }, { logGroups: [], nextToken: 'n2' }, { logGroups: [{ logGroupName: '/aws/lambda/shop-b' }] }),
    );
    const fns = await selectFromCloudWatch({ by: 'prefix', prefix: 'shop-' }, { logs: await client(), budget: budget(), retry });
    assert.deepEqual(fns, ['shop-a', 'shop-b']);
    assert.equal(aws.inputsOf('DescribeLogGroups')[0]!.logGroupNamePrefix, '/aws/lambda/shop-');
    assert.deepEqual(aws.inputsOf('DescribeLogGroups').map((i: { nextToken?: string }) => i.nextToken), [undefined, 'n1', 'n2']);
  });
  test('an unknown function is an OperationError naming it', async () => {
    aws.on('DescribeLogGroups', () => ({ logGroups: [{ logGroupName: '/aws/lambda/orders-v2' }] }));
    await assert.rejects(
      selectFromCloudWatch({ by: 'names', names: ['orders'] }, { logs: await client(), budget: budget(), retry }),
      (err: unknown) => err instanceof OperationError && err.message.startsWith('function orders: unknown; no log group /aws/lambda/orders'),
    );
  });
});

describe('coldstarts on CloudWatch', () => {
  test('runs aggregation queries and reads their rows', async () => {
    const queries: string[] = [];
    aws.on('StartQuery', (input: { queryString: string }) => {
      queries.push(input.queryString);
      return { queryId: String(queries.length - 1) };
    });
    aws.on('GetQueryResults', (input: { queryId: string }) => {
      const q = queries[Number(input.queryId)]!;
      const f = (field: string, value: string) => ({ field, value });
      const results = q.includes('REPORT')
        ? [[f('@log', '1:/aws/lambda/a'), f('invocations', '200'), f('inits', '10'), f('initP50', '300'), f('initP95', '450'), f('initP99', '480'), f('initMax', '500'), f('restores', '0')]]
        : [[f('@log', '1:/aws/lambda/a'), f('inits', '4'), f('initP50', '900'), f('initP95', '1000'), f('initP99', '1000'), f('initMax', '1000')]];
      return { status: 'Complete', results };
    });
    const [a, b] = await coldStartsFromCloudWatch(['a', 'b'], { startMs: 0, endMs: 1000 }, { client: await client(), budget: budget(), retry, insights: noWait });
    assert.deepEqual(a, {
      function: 'a',
      invocations: 200,
      coldStarts: 10,
      share: 0.05,
      initDuration: { count: 10, p50: 300, p95: 450, p99: 480, max: 500 },
      byInitType: { 'on-demand': { count: 10, p50: 300, p95: 450, p99: 480, max: 500 }, 'provisioned-concurrency': { count: 4, p50: 900, p95: 1000, p99: 1000, max: 1000 } },
      approximate: false,
    });
    assert.equal(b!.invocations, 0);
    assert.equal(queries.length, 2);
  });
  test('rows of several windows add up; merged percentiles are flagged approximate', () => {
    const r = (inv: string, inits: string, p50: string, max: string) => ({ '@log': '1:/aws/lambda/a', invocations: inv, inits, initP50: p50, initP95: p50, initP99: p50, initMax: max });
    const [a] = coldStartsFromInsights(['a'], [r('100', '1', '100', '100'), r('100', '3', '200', '300')], []);
    assert.equal(a!.invocations, 200);
    assert.equal(a!.coldStarts, 4);
    assert.equal(a!.initDuration.max, 300);
    assert.equal(a!.initDuration.p50, 175);
    assert.equal(a!.approximate, true);
  });
});

describe('RateBudget', () => {
  test('a burst goes at once, then calls are spaced at the rate', async () => {
    let now = 0;
    const waits: number[] = [];
    const b = new RateBudget(5, 2, () => now, async (ms) => {
      waits.push(ms);
      now += ms;
    });
    for (let i = 0; i < 5; i++) await b.take();
    assert.deepEqual(waits, [200, 200, 200]);
    assert.equal(now, 600);
  });
  test('concurrent callers share one budget', async () => {
    let now = 0;
    const b = new RateBudget(10, 1, () => now, async (ms) => {
      now += ms;
    });
    await Promise.all([b.take(), b.take(), b.take(), b.take()]);
    assert.equal(now, 300);
  });
});

/** One ListStackResources page as CloudFormation writes it. */
function stackPage(members: Array<{ type: string; physical: string; logical: string }>, nextToken?: string): string {
  const member = (m: { type: string; physical: string; logical: string }) =>
    `<member><LogicalResourceId>${escapeXml(m.logical)}</LogicalResourceId><PhysicalResourceId>${escapeXml(m.physical)}</PhysicalResourceId>` +
    `<ResourceType>${m.type}</ResourceType><LastUpdatedTimestamp>2026-11-23T19:00:00.000Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus>` +
    `<DriftInformation><StackResourceDriftStatus>NOT_CHECKED</StackResourceDriftStatus></DriftInformation></member>`;
  return (
    `<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">\n  <ListStackResourcesResult>\n    <StackResourceSummaries>` +
    members.map(member).join('\n') +
    `</StackResourceSummaries>${nextToken === undefined ? '' : `<NextToken>${escapeXml(nextToken)}</NextToken>`}\n  </ListStackResourcesResult>` +
    `<ResponseMetadata><RequestId>b9b4b068-3a41-11e5-94eb-example</RequestId></ResponseMetadata></ListStackResourcesResponse>\n`
  );
}

describe('--stack', () => {
  test('lists the stack\'s Lambda functions over every page', async () => {
    aws.on(
      'ListStackResources',
      sequence(
        queryXml(
          stackPage(
            [
              { type: 'AWS::Lambda::Function', physical: 'shop-checkout', logical: 'A' },
              { type: 'AWS::SQS::Queue', physical: 'q', logical: 'Q' },
            ],
            'n/+&=',
          ),
        ),
        queryXml(stackPage([{ type: 'AWS::Lambda::Function', physical: 'shop-payments', logical: 'B' }])),
      ),
    );
    const names = await functionsInStack('shop', { cloudFormation: await cloudFormation(), budget: budget(), retry });
    assert.deepEqual(names, ['shop-checkout', 'shop-payments']);
    const calls = aws.calls.filter((c) => c.operation === 'ListStackResources');
    // The second page asks for the token the first one gave, decoded from XML and form-encoded.
    assert.deepEqual(calls.map((c) => c.input), [
      { Action: 'ListStackResources', Version: '2010-05-15', StackName: 'shop' },
      { Action: 'ListStackResources', Version: '2010-05-15', StackName: 'shop', NextToken: 'n/+&=' },
    ]);
    // A query-protocol form, signed for cloudformation in the client's region.
    assert.equal(calls[0]!.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
    assert.match(String(calls[0]!.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDFAKEAWS\/\d{8}\/eu-west-1\/cloudformation\/aws4_request, /);
  });

  test('a profile is resolved once for both services: its credential_process runs once, not per client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-once-'));
    const count = join(dir, 'count');
    const script = join(dir, 'process.mjs');
    writeFileSync(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(count)}, 'x');\nconsole.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROC', SecretAccessKey: 's' }));\n`);
    writeFileSync(join(dir, 'config'), `[profile proc]\nregion = eu-west-1\ncredential_process = "${process.execPath}" "${script}"\n`);
    aws.on('ListStackResources', () => queryXml(stackPage([{ type: 'AWS::Lambda::Function', physical: 'shop-checkout', logical: 'A' }])));
    aws.on('DescribeLogGroups', () => ({ logGroups: [{ logGroupName: '/aws/lambda/shop-checkout' }] }));
    const saved = { ...process.env };
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, AWS_REGION: _r, ...endpoints } = aws.env;
    Object.assign(process.env, endpoints, { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });
    try {
      const opened = await openLogs({ stack: 'shop', profile: 'proc' });
      assert.equal(opened.kind, 'cloudwatch');
      if (opened.kind === 'cloudwatch') fake.track(opened.client);
      assert.deepEqual(opened.functions, ['shop-checkout']);
      assert.match(String(aws.calls[0]?.headers.authorization), /Credential=AKIDPROC\//);
      assert.equal(readFileSync(count, 'utf8'), 'x', 'credential_process ran once');
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown stack is an OperationError naming it', async () => {
    aws.on('ListStackResources', () => queryError('ValidationError', 'Stack with id nope does not exist'));
    await assert.rejects(
      functionsInStack('nope', { cloudFormation: await cloudFormation(), budget: budget(), retry }),
      (err: unknown) => err instanceof OperationError && err.message === '--stack nope: no such CloudFormation stack in this account and region',
    );
  });

  test('CloudFormation throttling is retried inside the budget; access denied names the permission', async () => {
    sleeps.length = 0;
    aws.on('ListStackResources', sequence(queryError('Throttling', 'Rate exceeded'), queryXml(stackPage([{ type: 'AWS::Lambda::Function', physical: 'f', logical: 'F' }]))));
    assert.deepEqual(await functionsInStack('s', { cloudFormation: await cloudFormation(), budget: budget(), retry }), ['f']);
    assert.deepEqual(sleeps, [50]);
    aws.on('ListStackResources', () => queryError('AccessDenied', 'User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:ListStackResources', 403));
    await assert.rejects(
      functionsInStack('s', { cloudFormation: await cloudFormation(), budget: budget(), retry }),
      (err: unknown) =>
        err instanceof OperationError &&
        err.message === '--stack s: access denied by CloudFormation: User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:ListStackResources (--stack needs cloudformation:ListStackResources)',
    );
    aws.on('ListStackResources', () => queryError('InternalFailure', 'boom', 500));
    await assert.rejects(functionsInStack('s', { cloudFormation: await cloudFormation(), budget: budget(), retry }), { name: 'InternalFailure', message: 'boom' });
  });

  test('an answer that is not ListStackResources XML is a clear error, not an empty stack', async () => {
    aws.on('ListStackResources', () => queryXml('<html><body>502 Bad Gateway</html>'));
    await assert.rejects(
      functionsInStack('s', { cloudFormation: await cloudFormation(), budget: budget(), retry }),
      (err: unknown) =>
        err instanceof Error && err.name === 'BadResponse' && /CloudFormation ListStackResources at 127\.0\.0\.1:\d+: not an XML document: end tag <\/html> closes <body>/.test(err.message),
    );
  });
});

describe('the CloudWatch Logs requests', () => {
  test('are awsJson1_1 POSTs with the operation in X-Amz-Target, signed for logs in the region', async () => {
    aws.on('DescribeLogGroups', () => ({ logGroups: [{ logGroupName: '/aws/lambda/orders' }] }));
    await selectFromCloudWatch({ by: 'names', names: ['orders'] }, { logs: await client(), budget: budget(), retry });
    const [call] = aws.calls;
    assert.equal(call!.headers['x-amz-target'], 'Logs_20140328.DescribeLogGroups');
    assert.equal(call!.headers['content-type'], 'application/x-amz-json-1.1');
    assert.match(String(call!.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDFAKEAWS\/\d{8}\/eu-west-1\/logs\/aws4_request, /);
    assert.deepEqual(call!.input, { logGroupNamePrefix: '/aws/lambda/orders' });
  });

  test('a 5xx is retried (at most 3 attempts), each attempt inside the budget', async () => {
    aws.on('DescribeLogGroups', sequence(awsError('InternalFailure', 'oops', 500), awsError('ServiceUnavailable', 'busy', 503), { logGroups: [{ logGroupName: '/aws/lambda/a' }] }));
    assert.deepEqual(await selectFromCloudWatch({ by: 'names', names: ['a'] }, { logs: await client(), budget: budget(), retry }), ['a']);
    assert.equal(aws.inputsOf('DescribeLogGroups').length, 3);
    aws.on('DescribeLogGroups', () => awsError('InternalFailure', 'still down', 500));
    await assert.rejects(selectFromCloudWatch({ by: 'names', names: ['a'] }, { logs: await client(), budget: budget(), retry }), { name: 'InternalFailure', message: 'still down' });
    assert.equal(aws.inputsOf('DescribeLogGroups').length, 6);
  });
});

describe('endpoints', () => {
  test('CloudFormation and Live Tail: the configured endpoint as is, else the regional host (Live Tail behind stream-)', () => {
    const cfn = (env: Record<string, string>) => resolveAwsEndpoint(CLOUDFORMATION, 'eu-west-1', env).url.href;
    assert.equal(cfn({}), 'https://cloudformation.eu-west-1.amazonaws.com/');
    assert.equal(cfn({ AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:4566' }), 'http://127.0.0.1:4566/');
    assert.equal(resolveAwsEndpoint(CLOUDFORMATION, 'cn-north-1', {}).url.href, 'https://cloudformation.cn-north-1.amazonaws.com.cn/');
    const live = (env: Record<string, string>) => liveTailEndpoint(resolveAwsEndpoint(CLOUDWATCH_LOGS, 'eu-west-1', env)).url.href;
    assert.equal(live({}), 'https://stream-logs.eu-west-1.amazonaws.com/');
    assert.equal(live({ AWS_USE_FIPS_ENDPOINT: 'true' }), 'https://stream-logs-fips.eu-west-1.amazonaws.com/');
    assert.equal(live({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://127.0.0.1:4566' }), 'http://127.0.0.1:4566/');
  });
});
