// The CloudWatch paths against aws-sdk-client-mock: CloudWatch Logs has no
// local server. The mock answers like the service does (pages, statuses,
// throttling); what is tested is our handling of those answers.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  LimitExceededException,
  StartQueryCommand,
  ThrottlingException,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { OperationError } from '../../cli/common.js';
import { cloudWatchSource } from '../../cli/logs/cloudWatchSource.js';
import { coldStartsFromInsights, coldStartsFromCloudWatch } from '../../cli/logs/coldStartsInsights.js';
import { findCorrelation } from '../../cli/logs/findCorrelation.js';
import { runInsightsQuery } from '../../cli/logs/insights.js';
import { budgetedCall, RateBudget, type RetryPolicy } from '../../cli/logs/rateBudget.js';
import { functionsInStack, selectFromCloudWatch } from '../../cli/logs/selectFunctions.js';
import type { SourceEvent } from '../../cli/logs/records.js';
import { CHECKOUT_REQ, FUNCTIONS, PAYMENTS_REQ, RANGE, SHIPPING_REQ, SHOP_DIR, TRACE } from './fixtures.js';

const cw = mockClient(CloudWatchLogsClient);
afterEach(() => cw.reset());

const client = () => new CloudWatchLogsClient({ region: 'eu-west-1' });
const sleeps: number[] = [];
// Backoff waits are recorded instead of slept: the delays are what is under test.
const retry: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) };
const budget = () => new RateBudget(1000, 1000);
const noWait = { pollIntervalMs: 0, sleep: async () => {} };

function throttle(): ThrottlingException {
  return new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

describe('FilterLogEvents', () => {
  test('follows every page, including empty pages that still carry a nextToken', async () => {
    const ev = (id: string, ts: number): FilteredLogEvent => ({ eventId: id, timestamp: ts, message: `START RequestId: ${id} Version: $LATEST`, logStreamName: 's1' });
    cw.on(FilterLogEventsCommand)
      .resolvesOnce({ events: [], nextToken: 't1' })
      .resolvesOnce({ events: [], nextToken: 't2' })
      .resolvesOnce({ events: [ev('r1', 1)], nextToken: 't3' })
      .resolvesOnce({ events: [], nextToken: 't4' })
      .resolvesOnce({ events: [ev('r2', 2)] });
    const got: SourceEvent[] = [];
    const source = cloudWatchSource({ client: client(), budget: budget(), retry });
    await source.fetchInvocations([{ function: 'orders', stream: 's1', requestIds: ['r1', 'r2'] }], { startMs: 0, endMs: 10 }, (e) => got.push(e));
    assert.deepEqual(got.map((e) => e.message), ['START RequestId: r1 Version: $LATEST', 'START RequestId: r2 Version: $LATEST']);
    const calls = cw.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input as FilterLogEventsCommandInput);
    assert.deepEqual(calls.map((c) => c.nextToken), [undefined, 't1', 't2', 't3', 't4']);
    assert.equal(calls[0]!.logGroupName, '/aws/lambda/orders');
    assert.deepEqual(calls[0]!.logStreamNames, ['s1']);
    assert.equal(calls[0]!.filterPattern, '?"r1" ?"r2"');
  });

  test('throttling, then success: backs off exponentially and gets the events', async () => {
    sleeps.length = 0;
    cw.on(FilterLogEventsCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(new LimitExceededException({ message: 'limit', $metadata: {} }))
      .rejectsOnce(throttle())
      .resolvesOnce({ events: [{ timestamp: 5, message: 'END RequestId: r1', logStreamName: 's' }] });
    const got: SourceEvent[] = [];
    await cloudWatchSource({ client: client(), budget: budget(), retry }).fetchInvocations(
      [{ function: 'orders', stream: 's', requestIds: ['r1'] }],
      { startMs: 0, endMs: 10 },
      (e) => got.push(e),
    );
    assert.equal(got.length, 1);
    assert.equal(cw.commandCalls(FilterLogEventsCommand).length, 4);
    // Full jitter over 100, 200, 400 ms caps (random() = 0.5).
    assert.deepEqual(sleeps, [50, 100, 200]);
  });

  test('throttling that never ends gives up after maxAttempts with the AWS error', async () => {
    cw.on(FilterLogEventsCommand).rejects(throttle());
    await assert.rejects(
      cloudWatchSource({ client: client(), budget: budget(), retry }).fetchInvocations([{ function: 'f', stream: 's', requestIds: ['r'] }], { startMs: 0, endMs: 1 }, () => {}),
      { name: 'ThrottlingException' },
    );
    assert.equal(cw.commandCalls(FilterLogEventsCommand).length, retry.maxAttempts);
  });

  test('other errors are not retried', async () => {
    cw.on(FilterLogEventsCommand).rejects(Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }));
    await assert.rejects(budgetedCall(budget(), () => client().send(new FilterLogEventsCommand({ logGroupName: 'x' })), retry), { name: 'ResourceNotFoundException' });
    assert.equal(cw.commandCalls(FilterLogEventsCommand).length, 1);
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
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => ({ status: 'Complete', results: [row(`from ${input.queryId}`)] }));
    const rows = await runInsightsQuery({ logGroups: groups, range: { startMs: 0, endMs: 3_600_000 }, queryString: 'fields @message' }, { client: client(), budget: budget(), retry, ...noWait });
    const starts = cw.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    assert.deepEqual(starts.map((s) => s.logGroupNames?.length), [50, 50, 20]);
    assert.deepEqual(new Set(starts.flatMap((s) => s.logGroupNames)), new Set(groups));
    assert.deepEqual(rows.map((r) => r['@message']).sort(), ['from q1', 'from q2', 'from q3']);
    assert.equal(rows[0]!['@ptr'], 'x');
  });

  test('polls until Complete and reports progress', async () => {
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled' })
      .resolvesOnce({ status: 'Running', statistics: { recordsMatched: 3, recordsScanned: 1000 } })
      .resolvesOnce({ status: 'Complete', results: [row('m')], statistics: { recordsMatched: 5, recordsScanned: 2000 } });
    const progress: string[] = [];
    const rows = await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait, progress: (m) => progress.push(m) });
    assert.equal(rows.length, 1);
    assert.deepEqual(progress, [
      'query 1/1: scheduled, no statistics yet',
      'query 1/1: running, 3 matched of 1000 scanned',
      'query 1/1: complete, 5 matched of 2000 scanned',
      '1/1 queries complete',
    ]);
  });

  test('a Failed query is an OperationError', async () => {
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Failed' });
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait }),
      (err: unknown) => err instanceof OperationError && /query q1 .* ended Failed/.test(err.message),
    );
  });

  test('a Cancelled query is an OperationError', async () => {
    cw.on(StartQueryCommand).resolves({ queryId: 'q1' });
    cw.on(GetQueryResultsCommand).resolves({ status: 'Cancelled' });
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 1000 }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait }),
      /ended Cancelled/,
    );
  });

  test('a timed-out query is split in two halves of its time range and rerun', async () => {
    let n = 0;
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) =>
      input.queryId === 'q1' ? { status: 'Timeout' } : { status: 'Complete', results: [row(input.queryId)] },
    );
    const rows = await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 7_200_000 }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait });
    const ranges = cw.commandCalls(StartQueryCommand).map((c) => [c.args[0].input.startTime, c.args[0].input.endTime]);
    assert.deepEqual(ranges, [[0, 7200], [0, 3600], [3600, 7200]]);
    assert.deepEqual(rows.map((r) => r['@message']), ['q2', 'q3']);
  });

  test('a query that keeps timing out ends in an OperationError', async () => {
    let n = 0;
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).resolves({ status: 'Timeout' });
    await assert.rejects(
      runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 3_600_000 }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait, maxSplits: 2 }),
      /timed out even on/,
    );
    // The whole range, its first half, and the first quarter: then it gives up.
    assert.equal(cw.commandCalls(StartQueryCommand).length, 3);
  });

  test('long ranges run in windows', async () => {
    let n = 0;
    cw.on(StartQueryCommand).callsFake(() => ({ queryId: `q${++n}` }));
    cw.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const day = 86_400_000;
    await runInsightsQuery({ logGroups: ['/aws/lambda/a'], range: { startMs: 0, endMs: 2.5 * day }, queryString: 'q' }, { client: client(), budget: budget(), retry, ...noWait, maxWindowMs: day });
    const ranges = cw.commandCalls(StartQueryCommand).map((c) => [c.args[0].input.startTime, c.args[0].input.endTime]).sort((a, b) => a[0]! - b[0]!);
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
    cw.on(StartQueryCommand).callsFake((input: { queryString: string; logGroupNames: string[] }) => {
      queries.push(input.queryString);
      return { queryId: String(queries.length - 1) };
    });
    cw.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
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
    cw.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => {
      const terms = termsOf(input.filterPattern ?? '');
      const events = (data.get(input.logGroupName!) ?? []).filter(
        (e) => terms.some((t) => e.message!.includes(t)) && (!input.logStreamNames || input.logStreamNames.includes(e.logStreamName!)),
      );
      // Two pages, the first one empty with a token, as FilterLogEvents does while it searches.
      return input.nextToken ? { events } : { events: [], nextToken: 'more' };
    });
    const source = cloudWatchSource({ client: client(), budget: budget(), retry, insights: noWait });
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
    cw.on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/shop-a' }], nextToken: 'n1' })
      .resolvesOnce({ logGroups: [], nextToken: 'n2' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/shop-b' }] });
    const fns = await selectFromCloudWatch({ by: 'prefix', prefix: 'shop-' }, { logs: client(), budget: budget(), retry });
    assert.deepEqual(fns, ['shop-a', 'shop-b']);
    assert.equal(cw.commandCalls(DescribeLogGroupsCommand)[0]!.args[0].input.logGroupNamePrefix, '/aws/lambda/shop-');
  });
  test('an unknown function is an OperationError naming it', async () => {
    cw.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/aws/lambda/orders-v2' }] });
    await assert.rejects(
      selectFromCloudWatch({ by: 'names', names: ['orders'] }, { logs: client(), budget: budget(), retry }),
      (err: unknown) => err instanceof OperationError && err.message.startsWith('function orders: unknown; no log group /aws/lambda/orders'),
    );
  });
});

describe('coldstarts on CloudWatch', () => {
  test('runs aggregation queries and reads their rows', async () => {
    const queries: string[] = [];
    cw.on(StartQueryCommand).callsFake((input: { queryString: string }) => {
      queries.push(input.queryString);
      return { queryId: String(queries.length - 1) };
    });
    cw.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
      const q = queries[Number(input.queryId)]!;
      const f = (field: string, value: string) => ({ field, value });
      const results = q.includes('REPORT')
        ? [[f('@log', '1:/aws/lambda/a'), f('invocations', '200'), f('inits', '10'), f('initP50', '300'), f('initP95', '450'), f('initP99', '480'), f('initMax', '500'), f('restores', '0')]]
        : [[f('@log', '1:/aws/lambda/a'), f('inits', '4'), f('initP50', '900'), f('initP95', '1000'), f('initP99', '1000'), f('initMax', '1000')]];
      return { status: 'Complete', results };
    });
    const [a, b] = await coldStartsFromCloudWatch(['a', 'b'], { startMs: 0, endMs: 1000 }, { client: client(), budget: budget(), retry, insights: noWait });
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

describe('--stack', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());

  test('lists the stack\'s Lambda functions over every page', async () => {
    cfn
      .on(ListStackResourcesCommand)
      .resolvesOnce({
        StackResourceSummaries: [
          { ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'shop-checkout', LogicalResourceId: 'A', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
          { ResourceType: 'AWS::SQS::Queue', PhysicalResourceId: 'q', LogicalResourceId: 'Q', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
        ],
        NextToken: 'n',
      })
      .resolvesOnce({
        StackResourceSummaries: [{ ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'shop-payments', LogicalResourceId: 'B', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }],
      });
    const names = await functionsInStack('shop', { cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }), budget: budget(), retry });
    assert.deepEqual(names, ['shop-checkout', 'shop-payments']);
    assert.equal(cfn.commandCalls(ListStackResourcesCommand)[1]!.args[0].input.NextToken, 'n');
  });

  test('an unknown stack is an OperationError naming it', async () => {
    cfn.on(ListStackResourcesCommand).rejects(Object.assign(new Error('Stack with id nope does not exist'), { name: 'ValidationError' }));
    await assert.rejects(
      functionsInStack('nope', { cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }), budget: budget(), retry }),
      (err: unknown) => err instanceof OperationError && err.message === '--stack nope: no such CloudFormation stack in this account and region',
    );
  });
});
