// The chaos engine with rules read from a real rule table (dynalite):
// kill switch, expiry, guardrails enforced by the agent, schedules, sticky
// targeting and the visibility of every injected fault.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logging/logger.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { OpenSpans, runAsInvocation, type InvocationState } from '../../src/invocationState.js';
import { startChaos, type ChaosRuntime } from '../../src/chaos/index.js';
import { faultAttributes } from '../../src/chaos/engine.js';
import type { CallDescriptor, FaultDecision } from '../../src/seam.js';
import { MemorySink, TEST_ENV } from '../helpers/memorySink.js';
import { seededRandom as seeded } from '../helpers/seededRandom.js';
import {
  createRuleTable,
  deleteRuleItem,
  guardItem,
  LOCAL_CREDENTIALS as CREDENTIALS,
  putItem,
  ruleItem,
  useDynalite,
  type Item,
} from '../helpers/ruleTable.js';

const REFRESH_MS = 5000;
const GET_ITEM: CallDescriptor = { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/' };
const HTTP_CALL: CallDescriptor = { kind: 'http', host: 'api.example.com', path: '/v1/orders' };
const T0 = Date.parse('2026-11-23T20:00:00Z');

const db = useDynalite();
const running: ChaosRuntime[] = [];

after(() => {
  for (const rt of running) rt.close();
});

const newTable = (items: Item[]): Promise<string> => createRuleTable(db.ddb, items, 'faultline-engine');
const put = (table: string, item: Item): Promise<void> => putItem(db.ddb, table, item);

async function start(table: string, env: Record<string, string> = {}) {
  const sink = new MemorySink();
  const config = readConfig({ ...TEST_ENV, FAULTLINE_CHAOS_TABLE: table, FAULTLINE_CHAOS_REFRESH_MS: String(REFRESH_MS), ...env });
  const logger = createLogger(config, createRedactor([]), sink);
  const clock = { ms: T0 };
  const rt = startChaos({
    config,
    logger,
    env: { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
    now: () => clock.ms,
    random: seeded(42),
  });
  running.push(rt);
  await rt.store.ready(60_000);
  return {
    rt,
    engine: rt.engine,
    sink,
    clock,
    async nextRefresh() {
      clock.ms += REFRESH_MS;
      rt.engine.decide(HTTP_CALL);
      await rt.store.settled();
    },
  };
}

function hits(n: number, f: () => FaultDecision | undefined): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (f() !== undefined) count++;
  return count;
}

function invocationState(requestId: string, extra: Partial<InvocationState> = {}): InvocationState {
  return {
    requestId,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    coldStart: false,
    deadlineMs: Date.now() + 30_000,
    span: undefined as never,
    logKeys: undefined,
    baggage: undefined,
    event: {},
    faultsInjected: 0,
    openSpans: new OpenSpans(),
    finished: false,
    ...extra,
  };
}

describe('switching faults off', () => {
  test('the kill switch stops every fault within one refresh, and lifting it brings them back', async () => {
    const table = await newTable([ruleItem('orders', 'r1'), ruleItem('*', 'r2', { target: { S: 'http:api.example.com/*' }, error: { S: '503' } })]);
    const h = await start(table);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
    assert.equal(h.engine.decide(HTTP_CALL)?.ruleId, 'r2');

    await put(table, { scope: { S: '*' }, id: { S: '#switch' }, enabled: { BOOL: false } });
    await h.nextRefresh();
    assert.equal(h.engine.decide(GET_ITEM), undefined);
    assert.equal(h.engine.decide(HTTP_CALL), undefined);
    assert.equal(h.engine.stoppedBy(), 'kill switch');

    await deleteRuleItem(db.ddb, table, '*', '#switch');
    await h.nextRefresh();
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
    assert.equal(h.engine.stoppedBy(), undefined);
  });

  test('a rule stops at expiresAt, before DynamoDB TTL deletes it', async () => {
    const expiresAt = T0 / 1000 + 3;
    const table = await newTable([ruleItem('orders', 'r1', { expiresAt: { N: String(expiresAt) } })]);
    const h = await start(table);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
    h.clock.ms = expiresAt * 1000 + 1;
    assert.equal(h.engine.decide(GET_ITEM), undefined);
  });

  test('after a long freeze, stale rules give no faults; the refresh that call triggers brings them back', async () => {
    const table = await newTable([ruleItem('orders', 'r1')]);
    const h = await start(table);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
    const refreshes = h.rt.store.refreshes;
    h.clock.ms += 10 * 60_000; // Lambda froze the environment for ten minutes
    assert.equal(h.engine.decide(GET_ITEM), undefined);
    await h.rt.store.settled();
    assert.equal(h.rt.store.refreshes, refreshes + 1);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
  });

  test('enabled=false keeps the rule but stops it', async () => {
    const table = await newTable([ruleItem('orders', 'r1', { enabled: { BOOL: false } })]);
    const h = await start(table);
    assert.equal(h.engine.decide(GET_ITEM), undefined);
  });
});

describe('guardrails enforced by the agent', () => {
  test('production lock: no faults where the environment is production, faults elsewhere', async () => {
    const table = await newTable([ruleItem('orders', 'r1'), guardItem({ productionLock: { BOOL: true } })]);
    const prod = await start(table, { FAULTLINE_ENV: 'production' });
    assert.equal(hits(100, () => prod.engine.decide(GET_ITEM)), 0);
    assert.match(prod.engine.stoppedBy() ?? '', /production/);
    const info = prod.sink.logs().filter((l) => l.message === 'chaos faults refused by guardrails');
    assert.equal(info.length, 1, 'said once');
    assert.match(info[0]!.reason, /FAULTLINE_ENV/);

    const staging = await start(table, { FAULTLINE_ENV: 'staging' });
    assert.equal(staging.engine.decide(GET_ITEM)?.ruleId, 'r1');
    const unset = await start(table);
    assert.equal(unset.engine.decide(GET_ITEM)?.ruleId, 'r1');
  });

  test('allow-list: only the listed functions are faulted', async () => {
    const table = await newTable([ruleItem('*', 'r1'), guardItem({ allowedFunctions: { L: [{ S: 'payments' }, { S: 'ship-*' }] } })]);
    const orders = await start(table);
    assert.equal(orders.engine.decide(GET_ITEM), undefined);
    assert.match(orders.engine.stoppedBy() ?? '', /orders is not in the guardrail allowedFunctions/);
    const payments = await start(table, { AWS_LAMBDA_FUNCTION_NAME: 'payments' });
    assert.equal(payments.engine.decide(GET_ITEM)?.ruleId, 'r1');
    const shipping = await start(table, { AWS_LAMBDA_FUNCTION_NAME: 'ship-label' });
    assert.equal(shipping.engine.decide(GET_ITEM)?.ruleId, 'r1');
  });

  test('max rate caps a rule\'s rate (2,000 calls, seeded)', async () => {
    const table = await newTable([ruleItem('orders', 'r1', { rate: { N: '1' } }), guardItem({ maxRate: { N: '0.25' } })]);
    const capped = await start(table);
    const share = hits(2000, () => capped.engine.decide(GET_ITEM)) / 2000;
    assert.ok(Math.abs(share - 0.25) <= 0.05, `hit share ${share}, expected 0.25 ± 0.05`);

    await put(table, guardItem({ maxRate: { N: '1' } }));
    await capped.nextRefresh();
    assert.equal(hits(200, () => capped.engine.decide(GET_ITEM)), 200);
  });

  test('a rule rate of 0.3 is observed within ±5% over 2,000 calls', async () => {
    const table = await newTable([ruleItem('orders', 'r1', { rate: { N: '0.3' } })]);
    const h = await start(table);
    const share = hits(2000, () => h.engine.decide(GET_ITEM)) / 2000;
    assert.ok(Math.abs(share - 0.3) <= 0.05, `hit share ${share}`);
  });

  test('abort threshold: the environment stops injecting once failures pass it, and says why once', async () => {
    const table = await newTable([
      ruleItem('orders', 'r1'),
      guardItem({ abortErrorRate: { N: '0.5' }, abortWindowSeconds: { N: '60' }, abortMinInvocations: { N: '10' } }),
    ]);
    const h = await start(table);
    // Healthy invocations never trip it.
    for (let i = 0; i < 20; i++) h.engine.afterInvocation(false);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
    // Now most invocations fail.
    for (let i = 0; i < 30; i++) {
      h.clock.ms += 100;
      h.engine.afterInvocation(true);
    }
    assert.equal(h.engine.decide(GET_ITEM), undefined);
    assert.match(h.engine.stoppedBy() ?? '', /abort threshold passed/);
    const warnings = h.sink.logs().filter((l) => l.level === 'WARN' && /abort threshold/.test(l.message));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.abortErrorRate, 0.5);
    assert.ok(warnings[0]!.errorRate >= 0.5);
    assert.ok(warnings[0]!.invocations >= 10);

    // It latches: later healthy invocations and refreshes do not restart injection.
    for (let i = 0; i < 100; i++) h.engine.afterInvocation(false);
    await h.nextRefresh();
    assert.equal(h.engine.decide(GET_ITEM), undefined);
    assert.equal(h.sink.logs().filter((l) => /abort threshold/.test(l.message)).length, 1);

    // An operator changing the abort setting starts a fresh window.
    await put(table, guardItem({ abortErrorRate: { N: '0.9' }, abortWindowSeconds: { N: '60' }, abortMinInvocations: { N: '10' } }));
    await h.nextRefresh();
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
  });

  test('below the minimum number of invocations the abort threshold does not trip', async () => {
    const table = await newTable([ruleItem('orders', 'r1'), guardItem({ abortErrorRate: { N: '0.5' }, abortMinInvocations: { N: '10' } })]);
    const h = await start(table);
    for (let i = 0; i < 9; i++) h.engine.afterInvocation(true);
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'r1');
  });
});

describe('targets, schedules and sticky keys', () => {
  test('invocation rules apply before the handler only; call rules only to calls', async () => {
    const table = await newTable([
      ruleItem('orders', 'inv', { target: { S: 'invocation' }, fault: { S: 'latency' }, latencyMs: { N: '200' } }),
      ruleItem('orders', 'any', { target: { S: '*' }, fault: { S: 'timeout' } }),
    ]);
    const h = await start(table);
    // What the invocation path asks before the handler runs (enterInvocation applies it).
    const before = h.engine.decide({ kind: 'invocation' });
    assert.equal(before?.ruleId, 'inv');
    assert.deepEqual(before?.fault, { type: 'latency', latencyMs: 200, jitterMs: 0 });
    assert.equal(h.engine.decide(GET_ITEM)?.ruleId, 'any');
    assert.equal(h.engine.decide(HTTP_CALL)?.ruleId, 'any');
  });

  test('enterInvocation: nothing to await without a rule; waits out latency; rejects with an injected error', async () => {
    const none = await start(await newTable([ruleItem('orders', 'calls', { target: { S: '*' }, fault: { S: 'timeout' } })]));
    assert.equal(none.engine.enterInvocation(), undefined, 'no promise when no invocation rule hits');

    const slow = await start(await newTable([ruleItem('orders', 'inv', { target: { S: 'invocation' }, fault: { S: 'latency' }, latencyMs: { N: '60' } })]));
    const t0 = performance.now();
    const waiting = slow.engine.enterInvocation();
    assert.ok(waiting !== undefined);
    await waiting;
    assert.ok(performance.now() - t0 >= 55, 'the handler waits for the latency');
    assert.equal(slow.sink.logs().filter((l) => l.message === 'chaos fault injected').length, 1);

    const failing = await start(
      await newTable([ruleItem('orders', 'inv', { target: { S: 'invocation' }, fault: { S: 'error' }, error: { S: 'ThrottlingException' } })]),
    );
    await assert.rejects(failing.engine.enterInvocation()!, { name: 'ThrottlingException', message: /invocation failed by rule orders\/inv/ });
  });

  test('firstN hits only the first N matching calls of the environment, across refreshes', async () => {
    const table = await newTable([ruleItem('orders', 'r1', { firstN: { N: '3' } })]);
    const h = await start(table);
    assert.equal(hits(2, () => h.engine.decide(GET_ITEM)), 2);
    await h.nextRefresh();
    assert.equal(hits(10, () => h.engine.decide(GET_ITEM)), 1);
  });

  test('a sticky header key faults the same user consistently', async () => {
    const table = await newTable([ruleItem('orders', 'r1', { rate: { N: '0.5' }, sticky: { S: 'header:x-user-id' } })]);
    const h = await start(table);
    const outcomeFor = (user: string) =>
      runAsInvocation(invocationState(`req-${user}`, { event: { headers: { 'X-User-Id': user } } }), () =>
        h.engine.decide(GET_ITEM) !== undefined,
      );
    let hitUsers = 0;
    for (let u = 0; u < 200; u++) {
      const first = outcomeFor(`user-${u}`);
      for (let i = 0; i < 20; i++) assert.equal(outcomeFor(`user-${u}`), first, `user-${u} always gets the same outcome`);
      if (first) hitUsers++;
    }
    assert.ok(hitUsers > 60 && hitUsers < 140, `about half of 200 users hit, got ${hitUsers}`);
  });

  test('a sticky baggage key carried from upstream gives the same outcome as the header upstream', async () => {
    const table = await newTable([
      ruleItem('orders', 'r1', { rate: { N: '0.5' }, sticky: { S: 'header:x-user-id' } }),
      ruleItem('payments', 'r1', { rate: { N: '0.5' }, sticky: { S: 'baggage:user' } }),
    ]);
    const upstream = await start(table);
    const downstream = await start(table, { AWS_LAMBDA_FUNCTION_NAME: 'payments' });
    for (let u = 0; u < 50; u++) {
      const user = `user-${u}`;
      const up = runAsInvocation(invocationState('a', { event: { headers: { 'x-user-id': user } } }), () => upstream.engine.decide(GET_ITEM));
      const down = runAsInvocation(invocationState('b', { baggage: new Map([['user', user]]) }), () => downstream.engine.decide(GET_ITEM));
      assert.equal(up !== undefined, down !== undefined, `${user}: same decision in both functions`);
    }
  });
});

describe('every injected fault is visible', () => {
  test('span event, WARN log line and FaultsInjected count', async () => {
    const table = await newTable([
      ruleItem('orders', 'ddb-throttle', { note: { S: 'game day 3' } }),
      ruleItem('orders', 'slow', { target: { S: 'http:api.example.com/*' }, fault: { S: 'latency' }, latencyMs: { N: '250' } }),
    ]);
    const h = await start(table);
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('test');
    const invocationSpan = tracer.startSpan('orders');
    const clientSpan = tracer.startSpan('DynamoDB.GetItem');
    const state = invocationState('req-42', { span: invocationSpan });

    runAsInvocation(state, () => {
      const d1 = h.engine.decide(GET_ITEM)!;
      h.engine.injected(d1, clientSpan);
      const d2 = h.engine.decide(HTTP_CALL)!;
      h.engine.injected(d2, undefined); // no client span: the invocation span carries it
    });
    clientSpan.end();
    invocationSpan.end();
    const finished = exporter.getFinishedSpans();
    await provider.shutdown();

    assert.equal(state.faultsInjected, 2);
    const client = finished.find((s) => s.name === 'DynamoDB.GetItem')!;
    const inv = finished.find((s) => s.name === 'orders')!;
    assert.deepEqual(
      client.events.map((e) => [e.name, e.attributes]),
      [
        [
          'chaos.fault',
          {
            'faultline.chaos.rule_id': 'ddb-throttle',
            'faultline.chaos.fault': 'error',
            'faultline.chaos.target': 'aws:dynamodb:GetItem',
            'faultline.chaos.scope': 'orders',
            'faultline.chaos.error': 'ProvisionedThroughputExceededException',
          },
        ],
      ],
    );
    assert.deepEqual(
      inv.events.map((e) => [e.name, e.attributes]),
      [
        [
          'chaos.fault',
          { 'faultline.chaos.rule_id': 'slow', 'faultline.chaos.fault': 'latency', 'faultline.chaos.target': 'http:api.example.com/*', 'faultline.chaos.scope': 'orders', 'faultline.chaos.latency_ms': 250 },
        ],
      ],
    );
    const lines = h.sink.logs().filter((l) => l.message === 'chaos fault injected');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.level, 'WARN');
    assert.equal(lines[0]!.requestId, 'req-42');
    assert.equal(lines[0]!['faultline.chaos.rule_id'], 'ddb-throttle');
    assert.equal(lines[0]!['faultline.chaos.error'], 'ProvisionedThroughputExceededException');
    assert.equal(lines[1]!['faultline.chaos.latency_ms'], 250);
  });

  test('fault attributes per fault type', () => {
    const base = { ruleId: 'r', scope: '*', targetText: '*' };
    assert.equal(faultAttributes({ ...base, fault: { type: 'error', error: { kind: 'http', status: 503 } } })['faultline.chaos.error'], '503');
    assert.equal(faultAttributes({ ...base, fault: { type: 'error', error: { kind: 'network', code: 'ECONNRESET' } } })['faultline.chaos.error'], 'ECONNRESET');
    assert.equal(faultAttributes({ ...base, fault: { type: 'timeout', timeoutMs: 900 } })['faultline.chaos.timeout_ms'], 900);
    assert.equal(faultAttributes({ ...base, fault: { type: 'corrupt', corruption: 'json' } })['faultline.chaos.corruption'], 'json');
    assert.equal(faultAttributes({ ...base, fault: { type: 'respond', status: 418, headers: {}, body: '' } })['faultline.chaos.status'], 418);
  });
});
