// The rule store against a real DynamoDB-compatible server (dynalite) and
// real misbehaving endpoints (throttling, slow, unreachable) in front of it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logging/logger.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import { currentInvocation, runAsInvocation, type InvocationState } from '../../src/invocationState.js';
import { startChaos, type ChaosRuntime } from '../../src/chaos/index.js';
import { credentialsFromEnv, resolveTableEndpoint, TableReadError } from '../../src/chaos/dynamoReader.js';
import type { CallDescriptor } from '../../src/seam.js';
import { MemorySink, TEST_ENV } from '../helpers/memorySink.js';
import {
  createTable as createTableOn,
  deleteRuleItem,
  freshTableName,
  LOCAL_CREDENTIALS as CREDENTIALS,
  putItem,
  ruleItem as baseRuleItem,
  useDynalite,
  type Item,
} from '../helpers/ruleTable.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

const REFRESH_MS = 5000;
const GET_ITEM: CallDescriptor = { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/' };
const S3_PUT: CallDescriptor = { kind: 'aws', service: 's3', operation: 'PutObject', host: 'bucket.s3.eu-west-1.amazonaws.com', path: '/k' };

const db = useDynalite();

function tableName(): string {
  return freshTableName('faultline-chaos');
}

const createTable = (name: string): Promise<void> => createTableOn(db.ddb, name);
const put = (table: string, item: Item): Promise<void> => putItem(db.ddb, table, item);
const remove = (table: string, scope: string, id: string): Promise<void> => deleteRuleItem(db.ddb, table, scope, id);

/** A rule item in the table's shape (docs/rules.md), with rate 1 written out. */
function ruleItem(scope: string, id: string, extra: Item = {}): Item {
  return baseRuleItem(scope, id, { rate: { N: '1' }, ...extra });
}

interface Harness {
  rt: ChaosRuntime;
  sink: MemorySink;
  clock: { ms: number };
  /** Moves the clock on by `ms` and lets one invocation-path call trigger (not wait for) a refresh. */
  advance(ms: number): void;
  /** advance(REFRESH_MS), then waits for the background refresh the hot path started. */
  nextRefresh(): Promise<void>;
  warnings(): Record<string, any>[];
}

const running: ChaosRuntime[] = [];
after(() => {
  for (const rt of running) rt.close();
});

function start(table: string, opts: { endpoint?: string; readTimeoutMs?: number; readyWaitMs?: number } = {}): Harness {
  const sink = new MemorySink();
  const config = readConfig({ ...TEST_ENV, FAULTLINE_CHAOS_TABLE: table, FAULTLINE_CHAOS_REFRESH_MS: String(REFRESH_MS) });
  const logger = createLogger(config, createRedactor([]), sink);
  const clock = { ms: Date.parse('2026-11-23T20:00:00Z') };
  const rt = startChaos({
    config,
    logger,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: opts.endpoint ?? db.endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
    now: () => clock.ms,
    readTimeoutMs: opts.readTimeoutMs,
    readyWaitMs: opts.readyWaitMs,
  });
  running.push(rt);
  const h: Harness = {
    rt,
    sink,
    clock,
    advance(ms) {
      clock.ms += ms;
      rt.engine.decide(S3_PUT);
    },
    async nextRefresh() {
      const before = rt.store.refreshes;
      h.advance(REFRESH_MS);
      await rt.store.settled();
      assert.equal(rt.store.refreshes, before + 1, 'one refresh per interval');
    },
    warnings: () => sink.logs().filter((l) => l.level === 'WARN'),
  };
  return h;
}

/** A local endpoint in front of dynalite that can forward, throttle, or hold answers back. */
class FrontEndpoint {
  /** `reset-reused`: a connection's second and later requests are cut off, as by a server that dropped an idle keep-alive socket. */
  mode: 'forward' | 'throttle' | 'hold' | 'reset-reused' = 'forward';
  private readonly perSocket = new WeakMap<object, number>();
  received = 0;
  /** When set, dynalite's answers are parsed, passed through this, and sent on (a response DynamoDB could send but dynalite cannot). */
  rewrite: ((body: any) => any) | undefined;
  private held: Array<() => void> = [];
  private arrivals: Array<() => void> = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const onThisSocket = (this.perSocket.get(req.socket) ?? 0) + 1;
      this.perSocket.set(req.socket, onThisSocket);
      if (this.mode === 'reset-reused' && onThisSocket > 1) {
        req.socket.destroy();
        return;
      }
      this.received++;
      for (const f of this.arrivals.splice(0)) f();
      const body = Buffer.concat(chunks);
      const answer = () => {
        if (this.mode === 'throttle') {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'THROTTLED' });
          res.end(
            JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
              message: 'The level of configured provisioned throughput for the table was exceeded.',
            }),
          );
          return;
        }
        const target = new URL(db.endpoint);
        const rewrite = this.rewrite;
        const up = http.request(
          { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (upRes) => {
            if (rewrite === undefined) {
              res.writeHead(upRes.statusCode ?? 502, upRes.headers);
              upRes.pipe(res);
              return;
            }
            const parts: Buffer[] = [];
            upRes.on('data', (c: Buffer) => parts.push(c));
            upRes.on('end', () => {
              const out = JSON.stringify(rewrite(JSON.parse(Buffer.concat(parts).toString('utf8'))));
              res.writeHead(upRes.statusCode ?? 502, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(out) });
              res.end(out);
            });
          },
        );
        up.on('error', () => res.destroy());
        up.end(body);
      };
      if (this.mode === 'hold') this.held.push(answer);
      else answer();
    });
  });
  url = '';

  async listen(): Promise<void> {
    this.url = `http://127.0.0.1:${await listen(this.server)}`;
  }
  /** Resolves once a request has fully arrived. */
  nextArrival(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }
  get pending(): number {
    return this.held.length;
  }
  /** Answers the held requests (forwarding them to dynalite). */
  release(): void {
    this.mode = 'forward';
    for (const f of this.held.splice(0)) f();
  }
  async close(): Promise<void> {
    this.release();
    await closeServer(this.server);
  }
}

describe('loading rules', () => {
  test('rules of this function and of * are loaded at cold start; other functions are ignored', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'ddb-throttle'));
    await put(table, ruleItem('*', 's3-slow', { target: { S: 'aws:s3' }, fault: { S: 'latency' }, latencyMs: { N: '300' } }));
    await put(table, ruleItem('payments', 'not-ours', { target: { S: '*' } }));
    const h = start(table);
    await h.rt.store.ready(60_000); // the first load itself, however long it takes here

    assert.deepEqual(h.rt.store.current().rules.map((r) => r.id).sort(), ['ddb-throttle', 's3-slow']);
    const d = h.rt.engine.decide(GET_ITEM);
    assert.equal(d?.ruleId, 'ddb-throttle');
    assert.deepEqual(d?.fault, { type: 'error', error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' } });
    assert.equal(h.rt.engine.decide(S3_PUT)?.ruleId, 's3-slow');
    assert.equal(h.rt.engine.decide({ ...GET_ITEM, operation: 'PutItem' }), undefined);
    assert.deepEqual(h.warnings(), []);
  });

  test('every page of a scope is read (Query pagination with LastEvaluatedKey)', async () => {
    const table = tableName();
    await createTable(table);
    const note = 'x'.repeat(100 * 1024);
    // 12 items of 100 KB: more than DynamoDB's 1 MB per Query page.
    for (let i = 0; i < 12; i++) await put(table, ruleItem('orders', `r${String(i).padStart(2, '0')}`, { note: { S: note } }));
    const h = start(table);
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.store.current().rules.length, 12);
  });

  test('a changed table is picked up by the first call after one refresh interval, without restart', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const h = start(table);
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');

    await put(table, ruleItem('orders', 'r1', { error: { S: 'ThrottlingException' } }));
    await put(table, ruleItem('orders', 'r2', { target: { S: 'aws:s3' } }));
    const refreshes = h.rt.store.refreshes;
    h.advance(REFRESH_MS - 1);
    await h.rt.store.settled();
    assert.equal(h.rt.store.refreshes, refreshes, 'no refresh before the interval has passed');
    assert.deepEqual(h.rt.engine.decide(GET_ITEM)?.fault, {
      type: 'error',
      error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' },
    });

    h.advance(1);
    await h.rt.store.settled();
    assert.equal(h.rt.store.refreshes, refreshes + 1);
    assert.deepEqual(h.rt.engine.decide(GET_ITEM)?.fault, { type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } });
    assert.equal(h.rt.engine.decide(S3_PUT)?.ruleId, 'r2');

    await remove(table, 'orders', 'r1');
    await h.nextRefresh();
    assert.equal(h.rt.engine.decide(GET_ITEM), undefined);
  });
});

describe('a table that cannot be read means no faults, one warning per refresh, and recovery', () => {
  test('missing table', async () => {
    const table = tableName();
    const h = start(table);
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.engine.decide(GET_ITEM), undefined);
    assert.equal(h.warnings().length, 1);
    const w = h.warnings()[0]!;
    assert.equal(w.message, 'chaos rules unavailable');
    assert.equal(w.table, table);
    assert.equal(w.error, 'ResourceNotFoundException');

    await h.nextRefresh();
    assert.equal(h.warnings().length, 2, 'exactly one more warning for the second failed refresh');

    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    await h.nextRefresh();
    assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
    assert.equal(h.warnings().length, 2, 'no warning once the table is back');
    assert.ok(h.sink.logs().some((l) => l.level === 'INFO' && l.message === 'chaos rules available again'));
  });

  test('throttling endpoint, and good rules are dropped while it throttles', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const front = new FrontEndpoint();
    await front.listen();
    try {
      const h = start(table, { endpoint: front.url });
      await h.rt.store.ready(60_000);
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');

      front.mode = 'throttle';
      await h.nextRefresh();
      assert.equal(h.rt.engine.decide(GET_ITEM), undefined, 'no faults while the table cannot be read');
      assert.equal(h.warnings().length, 1);
      assert.equal(h.warnings()[0]!.error, 'ProvisionedThroughputExceededException');
      // Many invocation-path calls within the interval: no extra reads, no extra warnings.
      const reads = front.received;
      for (let i = 0; i < 100; i++) h.rt.engine.decide(GET_ITEM);
      await h.rt.store.settled();
      assert.equal(front.received, reads);
      assert.equal(h.warnings().length, 1);

      await h.nextRefresh();
      assert.equal(h.warnings().length, 2);

      front.mode = 'forward';
      await h.nextRefresh();
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
      assert.equal(h.warnings().length, 2);
    } finally {
      await front.close();
    }
  });

  test('a keep-alive socket the server dropped is retried once on a fresh one: no failed refresh', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const front = new FrontEndpoint();
    await front.listen();
    try {
      const h = start(table, { endpoint: front.url });
      await h.rt.store.ready(60_000);
      front.mode = 'reset-reused';
      const reads = front.received;
      await h.nextRefresh();
      assert.equal(front.received, reads + 2, 'both Queries answered, on fresh sockets');
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
      assert.deepEqual(h.warnings(), []);
    } finally {
      await front.close();
    }
  });

  test('unreachable endpoint', async () => {
    const port = await closedPort();
    const h = start(tableName(), { endpoint: `http://127.0.0.1:${port}` });
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.engine.decide(GET_ITEM), undefined);
    assert.equal(h.warnings().length, 1);
    assert.equal(h.warnings()[0]!.error, 'NetworkError');
  });

  test('missing credentials are reported like an unreadable table', async () => {
    const sink = new MemorySink();
    const config = readConfig({ ...TEST_ENV, FAULTLINE_CHAOS_TABLE: 't' });
    const rt = startChaos({ config, logger: createLogger(config, createRedactor([]), sink), env: { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint } });
    running.push(rt);
    await rt.store.ready(60_000);
    assert.equal(rt.engine.decide(GET_ITEM), undefined);
    const warnings = sink.logs().filter((l) => l.level === 'WARN');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.error, 'NoCredentials');
    assert.match(warnings[0]!.reason, /AWS_ACCESS_KEY_ID/);
  });

  test('malformed items are skipped with one warning per refresh; well-formed rules still apply', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'good'));
    await put(table, ruleItem('orders', 'bad-rate', { target: { S: 'aws:s3' }, rate: { N: '1.5' } }));
    const h = start(table);
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'good');
    assert.equal(h.rt.engine.decide(S3_PUT), undefined, 'the malformed rule gives no faults');
    assert.equal(h.warnings().length, 1);
    assert.match(JSON.stringify(h.warnings()[0]!.problems), /bad-rate/);
    assert.match(JSON.stringify(h.warnings()[0]!.problems), /rate/);

    await h.nextRefresh();
    assert.equal(h.warnings().length, 2);

    await put(table, ruleItem('orders', 'bad-rate', { target: { S: 'aws:s3' }, rate: { N: '0.5' } }));
    await h.nextRefresh();
    assert.equal(h.warnings().length, 2, 'fixed item: no more warnings');
    assert.equal(h.rt.store.current().rules.length, 2);
  });

  test('an attribute stored as NULL rejects its rule (rate NULL injects nothing), named once per refresh', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'good'));
    await put(table, ruleItem('orders', 'null-rate', { target: { S: 'aws:s3' }, rate: { NULL: true } }));
    const h = start(table);
    await h.rt.store.ready(60_000);
    assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'good');
    assert.equal(h.rt.engine.decide(S3_PUT), undefined, 'rate NULL is not rate 1');
    await h.nextRefresh();
    const warnings = h.warnings();
    assert.equal(warnings.length, 2, 'one warning per refresh');
    for (const w of warnings) {
      assert.deepEqual(w.problems, ['rule orders/null-rate: rate=NULL: expected a number between 0 and 1']);
    }
  });

  test('an item with an attribute of a shape the reader does not know costs only that item', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'good'));
    const front = new FrontEndpoint();
    await front.listen();
    // As a DynamoDB with a newer attribute type would answer: one more item, its `note` of type `X`.
    front.rewrite = (body: { Items?: Record<string, unknown>[] }) =>
      body.Items?.some((i) => (i.scope as { S?: string } | undefined)?.S === 'orders')
        ? { ...body, Items: [...body.Items, { ...ruleItem('orders', 'odd', { target: { S: 'aws:s3' } }), note: { X: 'new' } }] }
        : body;
    try {
      const h = start(table, { endpoint: front.url });
      await h.rt.store.ready(60_000);
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'good', 'the other rules still apply');
      assert.equal(h.rt.engine.decide(S3_PUT), undefined);
      const [w] = h.warnings();
      assert.equal(w?.message, 'chaos rules malformed: ignored');
      assert.equal(w!.problems.length, 1);
      assert.match(w!.problems[0], /^rule orders\/odd: note=\{"X":"new"\}: expected a DynamoDB attribute value/);
    } finally {
      await front.close();
    }
  });

  test('a malformed kill switch or guardrails item stops every fault', async () => {
    for (const id of ['#switch', '#guard']) {
      const table = tableName();
      await createTable(table);
      await put(table, ruleItem('orders', 'good'));
      const broken: Item =
        id === '#switch' ? { scope: { S: '*' }, id: { S: id }, enabled: { S: 'no' } } : { scope: { S: '*' }, id: { S: id }, maxRate: { N: '7' } };
      await put(table, broken);
      const h = start(table);
      await h.rt.store.ready(60_000);
      assert.equal(h.rt.engine.decide(GET_ITEM), undefined, `malformed ${id}`);
      assert.equal(h.warnings().length, 1);
      assert.equal(h.warnings()[0]!.message, 'chaos rules malformed: ignored');
      assert.match(JSON.stringify(h.warnings()[0]!.problems), new RegExp(id));
      assert.match(h.rt.engine.stoppedBy() ?? '', id === '#switch' ? /kill switch/ : /guardrails item cannot be read/);

      await remove(table, '*', id);
      await h.nextRefresh();
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'good', `recovers once ${id} is removed`);
    }
  });
});

describe('the invocation path never waits on the table', () => {
  test('cold start: the bounded wait ends while the table has not answered; rules arrive in the background', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const front = new FrontEndpoint();
    await front.listen();
    try {
      front.mode = 'hold';
      const arrived = front.nextArrival();
      const h = start(table, { endpoint: front.url, readyWaitMs: 50 });
      await h.rt.ready; // resolves although the table holds its answer back
      await arrived;
      assert.ok(front.pending > 0, 'the read is still unanswered');
      assert.equal(h.rt.engine.decide(GET_ITEM), undefined, 'no rules yet, and no waiting for them');
      assert.equal(h.rt.store.refreshes, 0);

      front.release();
      await h.rt.store.settled();
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
      assert.deepEqual(h.warnings(), []);
    } finally {
      await front.close();
    }
  });

  test('during a slow refresh the last rules keep serving and calls do not wait', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const front = new FrontEndpoint();
    await front.listen();
    try {
      const h = start(table, { endpoint: front.url });
      await h.rt.store.ready(60_000);
      await put(table, ruleItem('orders', 'r2', { target: { S: 'aws:s3' } }));

      front.mode = 'hold';
      const arrived = front.nextArrival();
      h.advance(REFRESH_MS);
      await arrived;
      for (let i = 0; i < 1000; i++) assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
      assert.equal(h.rt.engine.decide(S3_PUT), undefined);
      assert.ok(front.pending > 0);
      assert.equal(h.rt.store.refreshes, 1, 'the refresh is still running');

      front.release();
      await h.rt.store.settled();
      assert.equal(h.rt.engine.decide(S3_PUT)?.ruleId, 'r2');
    } finally {
      await front.close();
    }
  });

  test('a read slower than the read timeout fails the refresh: no faults, one warning', async () => {
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));
    const front = new FrontEndpoint();
    await front.listen();
    try {
      const h = start(table, { endpoint: front.url, readTimeoutMs: 1000 });
      await h.rt.store.ready(60_000);
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');

      front.mode = 'hold'; // answers only when released, long after the timeout
      await h.nextRefresh();
      assert.equal(h.rt.engine.decide(GET_ITEM), undefined);
      assert.equal(h.warnings().length, 1);
      assert.equal(h.warnings()[0]!.error, 'Timeout');

      front.release();
      await h.nextRefresh();
      assert.equal(h.rt.engine.decide(GET_ITEM)?.ruleId, 'r1');
      assert.equal(h.warnings().length, 1);
    } finally {
      await front.close();
    }
  });
});

describe('the agent\'s own reads', () => {
  test('run with tracing suppressed, outside the invocation that triggered them', async (t) => {
    const manager = new AsyncLocalStorageContextManager().enable();
    const installed = context.setGlobalContextManager(manager);
    t.after(() => {
      if (installed) context.disable();
      else manager.disable();
    });
    const table = tableName();
    await createTable(table);
    await put(table, ruleItem('orders', 'r1'));

    // What any instrumentation of node:http sees when a request is made.
    const seen: Array<{ suppressed: boolean; invocation: string | undefined }> = [];
    const original = http.request;
    (http as { request: typeof http.request }).request = function (this: unknown, ...args: unknown[]) {
      seen.push({ suppressed: isTracingSuppressed(context.active()), invocation: currentInvocation()?.requestId });
      return (original as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof http.request;
    t.after(() => {
      (http as { request: typeof http.request }).request = original;
    });

    const h = start(table);
    await h.rt.store.ready(60_000);

    // A refresh triggered from inside an invocation with an active span.
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const state = { requestId: 'req-1', event: {}, faultsInjected: 0 } as unknown as InvocationState;
    await runAsInvocation(state, () =>
      context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
        h.advance(REFRESH_MS);
        await h.rt.store.settled();
      }),
    );
    // Control: an ordinary request in the same setting is not suppressed.
    await runAsInvocation(state, () =>
      context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
        const req = http.request(db.endpoint, { method: 'GET' });
        req.on('error', () => {});
        req.destroy();
      }),
    );

    const control = seen.pop();
    assert.deepEqual(control, { suppressed: false, invocation: 'req-1' });
    assert.ok(seen.length >= 4, `two Queries at cold start and two at the refresh, saw ${seen.length}`);
    for (const s of seen) assert.deepEqual(s, { suppressed: true, invocation: undefined });
  });
});

describe('where the reader goes and with which credentials', () => {
  test('endpoint: AWS_ENDPOINT_URL_DYNAMODB, then AWS_ENDPOINT_URL, then the regional endpoint', () => {
    const cases: Array<[Record<string, string>, string | undefined, string, string]> = [
      [{ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL: 'http://other:1' }, 'eu-west-1', 'http://127.0.0.1:8000/', 'eu-west-1'],
      [{ AWS_ENDPOINT_URL: 'http://localhost:4566' }, undefined, 'http://localhost:4566/', 'us-east-1'],
      [{}, 'ap-southeast-2', 'https://dynamodb.ap-southeast-2.amazonaws.com/', 'ap-southeast-2'],
      [{ AWS_ENDPOINT_URL_DYNAMODB: '  ' }, 'eu-west-1', 'https://dynamodb.eu-west-1.amazonaws.com/', 'eu-west-1'],
    ];
    for (const [env, region, url, signingRegion] of cases) {
      const e = resolveTableEndpoint(env, region);
      assert.equal(e.url.href, url);
      assert.equal(e.region, signingRegion);
    }
  });

  test('a bad endpoint or a missing region is named in the error', () => {
    assert.throws(() => resolveTableEndpoint({ AWS_ENDPOINT_URL_DYNAMODB: 'not a url' }, 'eu-west-1'), /AWS_ENDPOINT_URL_DYNAMODB=not a url: expected a URL/);
    assert.throws(() => resolveTableEndpoint({ AWS_ENDPOINT_URL: 'ftp://x' }, 'eu-west-1'), /AWS_ENDPOINT_URL=ftp:\/\/x: expected an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => resolveTableEndpoint({}, undefined), /AWS_REGION/);
    assert.throws(() => resolveTableEndpoint({}, 'evil.example/x?'), (e: unknown) => (e as TableReadError).code === 'BadRegion');
  });

  test('credentials come from the variables Lambda sets, session token included', () => {
    assert.deepEqual(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S', AWS_SESSION_TOKEN: 'T' }), {
      accessKeyId: 'A',
      secretAccessKey: 'S',
      sessionToken: 'T',
    });
    assert.equal(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' }).sessionToken, undefined);
    assert.throws(() => credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'A' }), (e: unknown) => e instanceof TableReadError && e.code === 'NoCredentials');
  });
});
