import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationError } from '../../cli/common.js';
import { correlationTarget, recordMatches, toJsonLine, type Correlation } from '../../cli/logs/correlate.js';
import { findCorrelation } from '../../cli/logs/findCorrelation.js';
import { logDirSource } from '../../cli/logs/logDirSource.js';
import { parseLogLine } from '../../cli/logs/parseLogLine.js';
import { CHECKOUT_REQ, FUNCTIONS, ORDER_ID, OTHER_REQS, PAYMENTS_REQ, RANGE, SHIPPING_REQ, SHOP_DIR, TRACE, XRAY_TRACE } from './fixtures.js';

let dir: string;

before(async () => {
  // A copy of the fixture plus what breaks naive readers: a 3 MB line,
  // a line that is not an event at all, and a stream without a final newline.
  dir = await mkdtemp(join(tmpdir(), 'faultline-correlate-'));
  await cp(SHOP_DIR, dir, { recursive: true });
  const huge = JSON.stringify({ timestamp: RANGE.startMs + 36_000_000, message: 'y'.repeat(3 * 1024 * 1024) + ` ${TRACE} mentioned in passing` });
  await appendFile(join(dir, 'checkout', '2026-11-23-[$LATEST]aaa.log'), `${huge}\nthis line is not an event\n{"timestamp": "soon", "message": 1}\n`);
  await appendFile(join(dir, 'payments', 'partial.log'), JSON.stringify({ timestamp: RANGE.startMs + 1, message: 'no newline at the end' }));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function correlate(id: string): Promise<Correlation> {
  return findCorrelation({ source: logDirSource(dir), functions: FUNCTIONS, id, range: RANGE });
}

function assertWholeRequest(c: Correlation): void {
  assert.deepEqual(c.traceIds, [TRACE]);
  assert.deepEqual(c.invocations.map((i) => i.requestId), [CHECKOUT_REQ, PAYMENTS_REQ, SHIPPING_REQ]);
  assert.deepEqual(new Set(c.lines.map((l) => l.function)), new Set(FUNCTIONS));
  for (const other of OTHER_REQS) assert.ok(!c.lines.some((l) => l.requestId === other), `unrelated invocation ${other} left out`);
  // Each invocation from START to REPORT, in either log format.
  for (const req of [CHECKOUT_REQ, PAYMENTS_REQ, SHIPPING_REQ]) {
    const platform = c.lines.filter((l) => l.requestId === req && l.type === 'platform').map((l) => l.record.kind === 'platform' && l.record.event);
    assert.equal(platform[0], 'start', `${req} starts with START`);
    assert.equal(platform[platform.length - 1], 'report', `${req} ends with REPORT`);
  }
  // Lines a text-format function wrote without any trace id come along with their invocation.
  assert.ok(c.lines.some((l) => l.message === 'carrier slow' && l.traceId === TRACE));
  // Time order.
  for (let i = 1; i < c.lines.length; i++) assert.ok(c.lines[i - 1]!.timestamp <= c.lines[i]!.timestamp);
  // The mention of the trace id in an unrelated huge plain line is no match.
  assert.ok(!c.lines.some((l) => l.message.length > 1_000_000));
}

describe('logs correlate over a log directory', () => {
  test('by W3C trace id', async () => assertWholeRequest(await correlate(TRACE)));
  test('by X-Ray trace id', async () => assertWholeRequest(await correlate(XRAY_TRACE)));
  test('by the request id of one function', async () => assertWholeRequest(await correlate(CHECKOUT_REQ)));
  test('by the request id of a downstream function', async () => assertWholeRequest(await correlate(PAYMENTS_REQ)));
  test('by a correlation id logged as a field', async () => assertWholeRequest(await correlate(ORDER_ID)));

  test('the waterfall nests spans across functions and marks cold starts, errors and faults', async () => {
    const c = await correlate(TRACE);
    const rows = c.waterfall.map((r) => ({ fn: r.function, label: r.label, depth: r.depth, cold: r.coldStart, status: r.status, faults: r.faults.length }));
    assert.deepEqual(rows, [
      { fn: 'checkout', label: 'POST /checkout', depth: 0, cold: true, status: 'UNSET', faults: 0 },
      { fn: 'checkout', label: 'DynamoDB.PutItem', depth: 1, cold: false, status: 'ERROR', faults: 1 },
      { fn: 'checkout', label: 'POST', depth: 1, cold: false, status: 'UNSET', faults: 0 },
      { fn: 'payments', label: 'POST /charge', depth: 2, cold: true, status: 'UNSET', faults: 0 },
      { fn: 'shipping', label: `invocation ${SHIPPING_REQ}`, depth: 0, cold: false, status: 'UNSET', faults: 0 },
    ]);
    assert.equal(c.waterfall[0]!.offsetMs, 0);
    assert.equal(c.waterfall[0]!.initDurationMs, 320.1);
    assert.equal(c.waterfall[1]!.faults[0]!.ruleId, 'ddb-throttle');
    assert.equal(c.waterfall[4]!.durationMs, 30);
  });

  test('NDJSON lines follow docs/cli.md', async () => {
    const c = await correlate(TRACE);
    const json = c.lines.map(toJsonLine);
    for (const j of json) {
      assert.deepEqual(Object.keys(j).slice(0, 7), ['timestamp', 'function', 'requestId', 'traceId', 'level', 'message', 'type']);
      assert.equal(typeof j.timestamp, 'number');
      assert.ok(['log', 'span', 'platform'].includes(j.type as string));
    }
    const received = json.find((j) => j.message === 'order received')!;
    assert.equal(received.orderId, ORDER_ID, 'original fields kept');
    assert.equal(received.timestamp, Date.parse('2026-11-23T10:00:00.002Z'));
    const report = json.find((j) => j.type === 'platform' && j.function === 'payments' && j.event === 'report')!;
    assert.match(String(report.message), /^REPORT RequestId: 9e1f0a22-1111-4000-8000-000000000001\tDuration: 100.2 ms/);
    assert.equal(json.filter((j) => j.type === 'span').length, 4);
  });

  test('an id found nowhere is an OperationError naming it', async () => {
    await assert.rejects(correlate('no-such-id-42'), (err: unknown) => err instanceof OperationError && /no-such-id-42: found in no log line/.test(err.message));
  });

  test('outside the time range nothing is found', async () => {
    await assert.rejects(
      findCorrelation({ source: logDirSource(dir), functions: FUNCTIONS, id: TRACE, range: { startMs: 0, endMs: 1000 } }),
      OperationError,
    );
  });
});

describe('an id shared by many traces', () => {
  let many: string;
  before(async () => {
    many = await mkdtemp(join(tmpdir(), 'faultline-many-'));
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(many, 'api'));
    const lines: string[] = [];
    for (let i = 0; i < 105; i++) {
      const traceId = i.toString(16).padStart(32, 'a');
      const message = JSON.stringify({ level: 'INFO', message: 'hit', requestId: `req-${i}`, traceId, function: 'api', tenant: 'acme-corp' });
      lines.push(JSON.stringify({ timestamp: RANGE.startMs + i, message }));
    }
    await writeFile(join(many, 'api', 's.log'), lines.join('\n') + '\n');
  });
  after(async () => {
    await rm(many, { recursive: true, force: true });
  });
  test('follows at most MAX_FOLLOWED_TRACES and says so', async () => {
    const notices: string[] = [];
    const c = await findCorrelation({ source: logDirSource(many), functions: ['api'], id: 'acme-corp', range: RANGE, notice: (m) => notices.push(m) });
    assert.deepEqual(notices, ['acme-corp appears in 105 traces; following the first 100 only (narrow --since or use a trace id)']);
    assert.equal(c.invocations.length, 105, 'every direct match is still shown');
  });
});

describe('recordMatches', () => {
  const rec = (message: string) => parseLogLine({ timestamp: 1, message }, 'f');
  test('matches agent fields, but not plumbing fields', () => {
    const t = correlationTarget('ord-1');
    assert.equal(recordMatches(rec(JSON.stringify({ level: 'INFO', message: 'x', function: 'f', orderId: 'ord-1' })), t), true);
    assert.equal(recordMatches(rec(JSON.stringify({ level: 'INFO', message: 'x', function: 'ord-1' })), t), false);
  });
  // The id in a message's text counts as a whole token (idToken.ts), whatever the line's format.
  const formats: Array<[string, (msg: string) => string]> = [
    ['agent JSON', (msg) => JSON.stringify({ timestamp: '2026-11-23T10:00:00.310Z', level: 'INFO', message: msg, function: 'f', requestId: 'c1a1b2c3-0000-4000-8000-000000000001' })],
    ['Lambda JSON', (msg) => JSON.stringify({ timestamp: '2026-11-23T10:00:00.310Z', level: 'INFO', requestId: 'c1a1b2c3-0000-4000-8000-000000000001', message: msg })],
    ['Lambda text', (msg) => `2026-11-23T10:00:00.310Z\tc1a1b2c3-0000-4000-8000-000000000001\tINFO\t${msg}`],
    ['plain', (msg) => msg],
  ];
  const texts: Array<[string, string, boolean]> = [
    ['order received {"orderId":"ord-7731","amount":53}', 'ord-7731', true],
    ['label for ord-7731 created', 'ord-7731', true],
    ['label for ord-77310 created', 'ord-7731', false],
    ['label for xord-7731', 'ord-7731', false],
    ['id 42', '42', true],
    ['id 420', '42', false],
  ];
  for (const [format, line] of formats) {
    for (const [msg, id, want] of texts) {
      test(`${format}: ${JSON.stringify(id)} in message ${JSON.stringify(msg)} → ${want}`, () => {
        const r = rec(line(msg));
        assert.equal(r.kind, 'log');
        assert.equal(recordMatches(r, correlationTarget(id)), want);
      });
    }
  }
  test('numbers match their decimal spelling', () => {
    assert.equal(recordMatches(rec(JSON.stringify({ level: 'INFO', message: 'x', function: 'f', customer: 4711 })), correlationTarget('4711')), true);
  });
});

describe('an id logged inside message text (the sample shop before it logged orderId as a field)', () => {
  let textDir: string;
  before(async () => {
    textDir = await mkdtemp(join(tmpdir(), 'faultline-textid-'));
    const { writeFile } = await import('node:fs/promises');
    // One function, one file per function (the local mode's run layout); three invocations, each its own trace.
    const agent = (i: number, message: string) =>
      JSON.stringify({ timestamp: RANGE.startMs + i, message: JSON.stringify({ level: 'INFO', message, requestId: `req-${i}`, traceId: String(i).padStart(32, 'b'), function: 'orders-api' }) });
    const lines = [
      agent(1, 'order received {"orderId":"ord-9001","amount":53}'),
      agent(2, 'order received {"orderId":"ord-90011","amount":7}'),
      agent(3, 'order received {"orderId":"xord-9001","amount":7}'),
      agent(4, 'payment failed for ord-9001'),
    ];
    await writeFile(join(textDir, 'orders-api.log'), lines.join('\n') + '\n');
  });
  after(() => rm(textDir, { recursive: true, force: true }));

  test('finds the lines carrying the id as a whole token, and only those', async () => {
    const c = await findCorrelation({ source: logDirSource(textDir), functions: ['orders-api'], id: 'ord-9001', range: RANGE });
    assert.deepEqual(c.lines.map((l) => l.requestId), ['req-1', 'req-4']);
  });
});
