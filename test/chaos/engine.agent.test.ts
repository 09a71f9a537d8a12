// The whole chaos path in one process, as a function meets it: the agent
// (wrap), its outgoing instrumentation and wire faults, the engine and the
// rule store, with dynalite as both the rule table and the service the
// handler calls. Rules are changed in the table while the "environment" runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Agent, request } from 'undici';
import { createAgent, installAgent } from '../../src/agent.js';
import { wrap } from '../../src/wrap.js';
import { MemorySink, lambdaContext, TEST_ENV } from '../helpers/memorySink.js';
import { eventually } from '../helpers/eventually.js';
import { startTargetServer } from '../helpers/targetServer.js';
import { createTable as createTableOn, LOCAL_CREDENTIALS as CREDENTIALS, putItem, startDynalite, type Item, type LocalDynamo } from '../helpers/ruleTable.js';

let dynamo: LocalDynamo;
let endpoint: string;
let admin: DynamoDBClient;
/** The rule reads (Queries) dynalite has answered. */
let queriesAnswered = 0;

/** The test's own table writes go around the agent, as an operator's CLI in another process would. */
function asOperator<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

const createTable = (name: string, keys: string[]): Promise<void> => asOperator(() => createTableOn(admin, name, keys));

/** Where the agent's chaos part finds the rule table, as Lambda would give it: endpoint and credentials. */
const localAwsEnv = () => ({
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
});

/** An agent reading its rules from `table` (refreshed once a minute), installed until the test ends; its sink. */
function installAgentReading(table: string): MemorySink {
  const sink = new MemorySink();
  installAgent(
    createAgent({
      env: { ...TEST_ENV, FAULTLINE_CHAOS_TABLE: table, FAULTLINE_CHAOS_REFRESH_MS: '60000', ...localAwsEnv() },
      sink,
      captureConsole: false,
    }),
  );
  after(() => installAgent(null));
  return sink;
}
const put = (table: string, item: Item): Promise<void> => asOperator(() => putItem(admin, table, item));

before(async () => {
  dynamo = await startDynalite();
  endpoint = dynamo.endpoint;
  dynamo.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['x-amz-target'] === 'DynamoDB_20120810.Query') res.on('finish', () => queriesAnswered++);
  });
  admin = dynamo.client();
  await createTable('rules', ['scope', 'id']);
  await createTable('orders', ['orderId']);
  await put('orders', { orderId: { S: 'o-1' }, total: { N: '42' } });
});

after(async () => {
  admin.destroy();
  await dynamo.close();
});

const THROTTLE_ALL_DYNAMODB: Item = {
  scope: { S: 'orders' },
  id: { S: 'ddb-throttle' },
  enabled: { BOOL: true },
  // Every DynamoDB operation, Query included: the agent's own rule reads would be hit too if they were ever matched.
  target: { S: 'aws:dynamodb' },
  fault: { S: 'error' },
  error: { S: 'ProvisionedThroughputExceededException' },
  rate: { N: '1' },
};

test('a running environment injects wire faults from the table, never into its own reads, and follows table changes', async () => {
  await put('rules', THROTTLE_ALL_DYNAMODB);
  // The agent's chaos part reads endpoint and credentials where Lambda puts them: the process environment.
  const awsEnv = localAwsEnv();
  const saved = Object.fromEntries(Object.keys(awsEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, awsEnv);
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const sink = new MemorySink();
  const agent = createAgent({
    env: {
      ...TEST_ENV,
      FAULTLINE_CHAOS_TABLE: 'rules',
      // Every invocation finds the rules stale and refreshes them in the background.
      FAULTLINE_CHAOS_REFRESH_MS: '1',
      ...awsEnv,
    },
    sink,
    captureConsole: false,
  });
  installAgent(agent);
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 2 });
  after(() => {
    client.destroy();
    installAgent(null);
  });

  const handler = wrap(async () => {
    try {
      const out = await client.send(new GetItemCommand({ TableName: 'orders', Key: { orderId: { S: 'o-1' } } }));
      return { ok: true, total: out.Item?.total?.N };
    } catch (err) {
      const e = err as { name: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
      return { ok: false, name: e.name, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
    }
  });
  let n = 0;
  const invoke = () => handler({}, lambdaContext(`req-${++n}`) as never) as Promise<Record<string, unknown>>;

  // Cold start: the first load normally ends within the bounded wait; on a
  // loaded machine the wait may give up and the rules arrive a moment later.
  let result = await eventually('the throttling rule to be loaded', invoke, (r) => r.ok === false);
  assert.deepEqual(result, { ok: false, name: 'ProvisionedThroughputExceededException', status: 400, attempts: 2 });
  const injected = sink.logs().filter((l) => l.message === 'chaos fault injected');
  assert.equal(injected.length, 2, 'one per attempt: the SDK retried the throttling error');
  assert.equal(injected[0]!.requestId, `req-${n}`);
  assert.equal(injected[1]!.requestId, `req-${n}`);
  assert.equal(injected[0]!['faultline.chaos.rule_id'], 'ddb-throttle');
  assert.equal(injected[0]!['faultline.chaos.error'], 'ProvisionedThroughputExceededException');
  assert.equal(sink.metrics().at(-1)!.FaultsInjected, 2);
  const faultedSpans = sink.spans().filter((sp) => sp.events?.some((e: { name: string }) => e.name === 'chaos.fault'));
  assert.equal(faultedSpans.length, 2);
  assert.equal(faultedSpans[0]!.attributes['rpc.method'], 'DynamoDB/GetItem');

  // Many refreshes later the rules are still read fine: the agent's own Queries are never faulted.
  const queriesBefore = queriesAnswered;
  for (let i = 0; i < 10; i++) {
    // Counted before the invocation: its refresh may be answered before the invocation returns,
    // and an invocation within 1 ms of the last refresh starts none, so invoke until one is answered.
    const answered = queriesAnswered;
    await eventually(
      'a refresh started by an invocation',
      async () => {
        assert.equal((await invoke()).ok, false);
        return queriesAnswered;
      },
      (n) => n > answered,
    );
  }
  assert.ok(queriesAnswered - queriesBefore >= 10, 'each invocation refreshed the rules');
  assert.deepEqual(
    sink.logs().filter((l) => l.level === 'WARN' && String(l.message).startsWith('chaos rules')),
    [],
    'no failed rule reads',
  );

  // The operator disables the rule: picked up without a restart.
  await put('rules', { ...THROTTLE_ALL_DYNAMODB, enabled: { BOOL: false } });
  result = await eventually('the disabled rule to be loaded', invoke, (r) => r.ok === true);
  assert.deepEqual(result, { ok: true, total: '42' } as Record<string, unknown>);

  // Re-enabled, then the kill switch.
  await put('rules', THROTTLE_ALL_DYNAMODB);
  result = await eventually('the re-enabled rule to be loaded', invoke, (r) => r.ok === false);
  assert.equal(result.name, 'ProvisionedThroughputExceededException');
  await put('rules', { scope: { S: '*' }, id: { S: '#switch' }, enabled: { BOOL: false } });
  result = await eventually('the kill switch to be loaded', invoke, (r) => r.ok === true);
  assert.deepEqual(result, { ok: true, total: '42' } as Record<string, unknown>);
});

test('an invocation rule fails the handler instead of running it, and says so on the span, in the log and in the metrics', async () => {
  // A table of its own: the test above leaves the kill switch in the shared one.
  await createTable('invocation-rules', ['scope', 'id']);
  await put('invocation-rules', {
    scope: { S: 'orders' },
    id: { S: 'invocation-throttle' },
    enabled: { BOOL: true },
    target: { S: 'invocation' },
    fault: { S: 'error' },
    error: { S: 'TooManyRequestsException' },
    rate: { N: '1' },
  });
  const sink = installAgentReading('invocation-rules');
  let ran = 0;
  const handler = wrap(async () => {
    ran++;
    return 'ran';
  });
  await assert.rejects(handler({}, lambdaContext('req-inv-1') as any), (err: Error) => {
    assert.equal(err.name, 'TooManyRequestsException');
    assert.match(err.message, /orders\/invocation-throttle/);
    return true;
  });
  assert.equal(ran, 0, 'the handler did not run');
  const [span] = sink.spans().filter((s) => s.attributes['faas.invocation_id'] === 'req-inv-1');
  assert.equal(span!.status.code, 'ERROR');
  assert.ok(span!.events.some((e: any) => e.name === 'chaos.fault' && e.attributes['faultline.chaos.rule_id'] === 'invocation-throttle'));
  assert.ok(sink.logs().some((l) => l.message === 'chaos fault injected' && l.requestId === 'req-inv-1'));
  const metric = sink.metrics().find((m) => m.requestId === 'req-inv-1')!;
  assert.equal(metric.Error, 1);
  assert.equal(metric.FaultsInjected, 1);
});

test("an http rule from the table hits npm undici's calls through the function's own Agent", async () => {
  await createTable('own-agent-rules', ['scope', 'id']);
  await put('own-agent-rules', {
    scope: { S: 'orders' },
    id: { S: 'psp-down' },
    enabled: { BOOL: true },
    target: { S: 'http:127.0.0.1/psp/*' },
    fault: { S: 'error' },
    error: { S: '503' },
    rate: { N: '1' },
  });
  const target = await startTargetServer();
  const own = new Agent();
  after(async () => {
    await own.close();
    await target.close();
  });
  const sink = installAgentReading('own-agent-rules');
  const handler = wrap(async () => {
    const charge = await request(`${target.origin}/psp/charges`, { method: 'POST', body: '{}', dispatcher: own });
    const other = await request(`${target.origin}/ledger`, { dispatcher: own });
    await Promise.all([charge.body.text(), other.body.text()]);
    return [charge.statusCode, other.statusCode];
  });
  // The first invocation waits for the rules (bounded); on a loaded machine they may come a moment later.
  let statuses: unknown;
  let n = 0;
  do {
    statuses = await handler({}, lambdaContext(`req-own-${++n}`) as never);
  } while (n < 200 && (statuses as number[])[0] !== 503);
  assert.deepEqual(statuses, [503, 200]);
  const requestId = `req-own-${n}`;
  assert.deepEqual(
    target.seen.slice(-1).map((s) => s.url),
    ['/ledger'],
    'the faulted call never reached the server',
  );
  assert.ok(sink.logs().some((l) => l.message === 'chaos fault injected' && l.requestId === requestId && l['faultline.chaos.rule_id'] === 'psp-down'));
  const spans = sink.spans().filter((s) => s.requestId === requestId && s.kind === 'CLIENT');
  assert.equal(spans.length, 2);
  const faulted = spans.find((s) => s.attributes['url.full'] === `${target.origin}/psp/charges`);
  assert.equal(faulted?.attributes['http.response.status_code'], 503);
  assert.ok(faulted?.events.some((e: { name: string }) => e.name === 'chaos.fault'));
  assert.equal(sink.metrics().find((m) => m.requestId === requestId)?.FaultsInjected, 1);
});

test('invocations cut off at the deadline (what latency faults produce) count toward the abort threshold', async () => {
  await createTable('deadline-rules', ['scope', 'id']);
  await put('deadline-rules', {
    scope: { S: 'orders' },
    id: { S: 'slow-start' },
    enabled: { BOOL: true },
    target: { S: 'invocation' },
    fault: { S: 'latency' },
    latencyMs: { N: '150' },
  });
  await put('deadline-rules', {
    scope: { S: '*' },
    id: { S: '#guard' },
    abortErrorRate: { N: '0.5' },
    abortMinInvocations: { N: '3' },
  });
  const sink = installAgentReading('deadline-rules');
  const handler = wrap(async () => 'ran');
  const aborted = () => sink.logs().some((l) => l.level === 'WARN' && /abort threshold/.test(String(l.message)));
  let cut = 0;
  // 100 ms left: the deadline guard finishes each invocation 50 ms in, while the injected latency still runs.
  for (let n = 1; n <= 20 && !aborted(); n++) {
    assert.equal(await handler({}, lambdaContext(`req-deadline-${n}`, 100) as never), 'ran');
    if (sink.logs().some((l) => l.requestId === `req-deadline-${n}` && l.message === 'chaos fault injected')) cut++;
  }
  // (The first invocation may run before the rules have loaded, uncut, counted as a success.)
  assert.ok(cut >= 2, `expected invocations cut at the deadline, got ${cut}`);
  assert.ok(aborted(), 'the abort threshold counted the invocations the deadline guard finished');
  const warning = sink.logs().find((l) => /abort threshold/.test(String(l.message)))!;
  assert.ok((warning.errorRate as number) >= 0.5);
});
