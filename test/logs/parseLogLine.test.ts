import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLogLine } from '../../cli/logs/parseLogLine.js';
import { normaliseTraceId, toXrayTraceId } from '../../cli/logs/traceId.js';

const T = '5f84c7a10123456789abcdef01234567';
const XR = '1-5f84c7a1-0123456789abcdef01234567';
const REQ = 'c1a1b2c3-0000-4000-8000-000000000001';
const ev = (message: string, timestamp = 1_000) => ({ timestamp, message });

describe('normaliseTraceId', () => {
  const cases: Array<[string, string | undefined]> = [
    [T, T],
    [T.toUpperCase(), T],
    [XR, T],
    [`Root=${XR};Parent=a3a3a3a3a3a3a3a3;Sampled=1`, T],
    ['00000000000000000000000000000000', undefined],
    ['1-5f84c7a1-0123', undefined],
    ['not-a-trace', undefined],
    [REQ, undefined],
  ];
  for (const [input, want] of cases) test(`${input} → ${want}`, () => assert.equal(normaliseTraceId(input), want));
  test('X-Ray spelling round-trips', () => assert.equal(normaliseTraceId(toXrayTraceId(T)), T));
});

describe('parseLogLine: Lambda text format', () => {
  test('START', () => {
    const r = parseLogLine(ev(`START RequestId: ${REQ} Version: $LATEST\n`), 'checkout');
    assert.equal(r.kind, 'platform');
    assert.ok(r.kind === 'platform' && r.event === 'start');
    assert.equal(r.requestId, REQ);
    assert.equal(r.function, 'checkout');
  });
  test('END', () => {
    const r = parseLogLine(ev(`END RequestId: ${REQ}`), 'f');
    assert.ok(r.kind === 'platform' && r.event === 'end' && r.requestId === REQ);
  });
  test('REPORT with init duration and X-Ray trace', () => {
    const r = parseLogLine(
      ev(`REPORT RequestId: ${REQ}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 123.45 ms\tXRAY TraceId: ${XR}\tSegmentId: 0a\tSampled: true\t\n`),
      'f',
    );
    assert.ok(r.kind === 'platform' && r.event === 'report');
    assert.equal(r.traceId, T);
    assert.deepEqual(r.report, {
      durationMs: 12.34,
      billedDurationMs: 13,
      memorySizeMB: 128,
      maxMemoryUsedMB: 70,
      initDurationMs: 123.45,
      restoreDurationMs: undefined,
      status: undefined,
    });
  });
  test('REPORT of a SnapStart restore', () => {
    const r = parseLogLine(ev(`REPORT RequestId: ${REQ}\tDuration: 5 ms\tRestore Duration: 400.5 ms\tBilled Restore Duration: 150 ms`), 'f');
    assert.ok(r.kind === 'platform' && r.report?.restoreDurationMs === 400.5 && r.report.initDurationMs === undefined);
  });
  test('INIT_START', () => {
    const r = parseLogLine(ev('INIT_START Runtime Version: nodejs:20.v30\tRuntime Version ARN: arn:x'), 'f');
    assert.ok(r.kind === 'platform' && r.event === 'initStart' && r.requestId === undefined);
  });
  test('console line', () => {
    const r = parseLogLine(ev(`2026-11-23T10:00:00.310Z\t${REQ}\tWARN\tcarrier slow\n`), 'shipping');
    assert.equal(r.kind, 'log');
    assert.ok(r.kind === 'log');
    assert.equal(r.format, 'lambda-text');
    assert.equal(r.level, 'WARN');
    assert.equal(r.message, 'carrier slow');
    assert.equal(r.requestId, REQ);
    assert.equal(r.timestamp, Date.parse('2026-11-23T10:00:00.310Z'));
  });
  test('console line carrying an agent JSON document keeps its fields', () => {
    const r = parseLogLine(ev(`2026-11-23T10:00:00.310Z\t${REQ}\tINFO\t{"level":"INFO","message":"m","traceId":"${T}","function":"f","orderId":"o-1"}`), 'f');
    assert.ok(r.kind === 'log' && r.format === 'agent' && r.traceId === T && r.requestId === REQ && r.fields?.orderId === 'o-1');
  });
});

describe('parseLogLine: JSON documents', () => {
  test('agent log line', () => {
    const line = JSON.stringify({ timestamp: '2026-11-23T10:00:00.002Z', level: 'INFO', message: 'order received', requestId: REQ, traceId: T, spanId: 'a1a1a1a1a1a1a1a1', function: 'checkout', service: 'shop', coldStart: true, orderId: 'ord-1' });
    const r = parseLogLine(ev(line), 'ignored');
    assert.ok(r.kind === 'log');
    assert.equal(r.format, 'agent');
    assert.equal(r.function, 'checkout');
    assert.equal(r.traceId, T);
    assert.equal(r.timestamp, Date.parse('2026-11-23T10:00:00.002Z'));
    assert.equal(r.fields?.orderId, 'ord-1');
  });
  test('Lambda JSON console line', () => {
    const r = parseLogLine(ev(JSON.stringify({ timestamp: '2026-11-23T10:00:00.060Z', level: 'error', requestId: REQ, message: 'declined' })), 'payments');
    assert.ok(r.kind === 'log' && r.format === 'lambda-json' && r.level === 'ERROR' && r.requestId === REQ && r.function === 'payments');
  });
  test('platform.report (JSON format)', () => {
    const r = parseLogLine(
      ev(JSON.stringify({ time: '2026-11-23T10:00:00.153Z', type: 'platform.report', record: { requestId: REQ, metrics: { durationMs: 100.2, billedDurationMs: 101, memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: 250 }, tracing: { type: 'X-Amzn-Trace-Id', value: `Root=${XR};Sampled=1` }, status: 'success' } })),
      'payments',
    );
    assert.ok(r.kind === 'platform' && r.event === 'report');
    assert.equal(r.traceId, T);
    assert.equal(r.report?.initDurationMs, 250);
    assert.equal(r.report?.status, 'success');
    assert.equal(r.timestamp, Date.parse('2026-11-23T10:00:00.153Z'));
  });
  test('platform.start and initStart (JSON format)', () => {
    const s = parseLogLine(ev(JSON.stringify({ time: 'x', type: 'platform.start', record: { requestId: REQ, version: '$LATEST' } }), 7), 'f');
    assert.ok(s.kind === 'platform' && s.event === 'start' && s.requestId === REQ && s.timestamp === 7);
    const i = parseLogLine(ev(JSON.stringify({ type: 'platform.initStart', record: { initializationType: 'on-demand' } })), 'f');
    assert.ok(i.kind === 'platform' && i.event === 'initStart');
  });
  test('span line with a chaos fault', () => {
    const line = JSON.stringify({
      type: 'span', traceId: T, spanId: 'a2a2a2a2a2a2a2a2', parentSpanId: 'a1a1a1a1a1a1a1a1', name: 'DynamoDB.GetItem', kind: 'CLIENT', startTime: 5000, durationMs: 21.5,
      status: { code: 'ERROR', message: 'throttled' }, attributes: { 'rpc.system': 'aws-api' },
      events: [{ name: 'chaos.fault', attributes: { 'chaos.rule_id': 'r1', 'chaos.fault': 'error' } }, { name: 'exception' }],
      requestId: REQ, function: 'checkout', service: 'shop',
    });
    const r = parseLogLine(ev(line), 'x');
    assert.ok(r.kind === 'span');
    assert.equal(r.function, 'checkout');
    assert.equal(r.requestId, REQ);
    assert.equal(r.isInvocation, false);
    assert.deepEqual(r.status, { code: 'ERROR', message: 'throttled' });
    assert.deepEqual(r.faults, [{ ruleId: 'r1', fault: 'error', detail: undefined }]);
    assert.equal(r.startTime, 5000);
  });
  test('chaos fault marks read faultline.chaos.* and, from older layers, bare chaos.*', () => {
    const spanWith = (attributes: Record<string, unknown>) =>
      JSON.stringify({
        type: 'span', traceId: T, spanId: 'a2a2a2a2a2a2a2a2', name: 'DynamoDB.GetItem', kind: 'CLIENT', startTime: 5, durationMs: 1,
        status: { code: 'ERROR' }, attributes: { 'rpc.system.name': 'aws-api' }, events: [{ name: 'chaos.fault', attributes }],
      });
    const cases: Array<[Record<string, unknown>, { ruleId?: string; fault?: string; detail?: string }]> = [
      [{ 'faultline.chaos.rule_id': 'r2', 'faultline.chaos.fault': 'error', 'faultline.chaos.error': 'ThrottlingException' }, { ruleId: 'r2', fault: 'error', detail: 'ThrottlingException' }],
      [{ 'faultline.chaos.rule_id': 'r3', 'faultline.chaos.fault': 'latency', 'faultline.chaos.latency_ms': 250 }, { ruleId: 'r3', fault: 'latency', detail: '250ms' }],
      [{ 'chaos.rule_id': 'old', 'chaos.fault': 'latency', 'chaos.latency_ms': 40 }, { ruleId: 'old', fault: 'latency', detail: '40ms' }],
    ];
    for (const [attributes, mark] of cases) {
      const r = parseLogLine(ev(spanWith(attributes)), 'x');
      assert.ok(r.kind === 'span');
      assert.deepEqual(r.faults, [{ ruleId: mark.ruleId, fault: mark.fault, detail: mark.detail }]);
    }
  });
  test('invocation span carries faas.invocation_id and cold start', () => {
    const r = parseLogLine(ev(JSON.stringify({ type: 'span', traceId: T, spanId: 'a1a1a1a1a1a1a1a1', name: 'h', kind: 'SERVER', startTime: 1, durationMs: 2, status: { code: 'UNSET' }, attributes: { 'faas.invocation_id': REQ, 'faas.coldstart': true, 'faas.name': 'orders' }, events: [] })), 'x');
    assert.ok(r.kind === 'span' && r.isInvocation && r.coldStart && r.requestId === REQ && r.function === 'orders');
  });
  test('EMF document', () => {
    const r = parseLogLine(ev(JSON.stringify({ _aws: { Timestamp: 42, CloudWatchMetrics: [] }, FunctionName: 'checkout', service: 's', ColdStart: 1, InitDuration: 320.1, Duration: 180.5, Error: 0, FaultsInjected: 2, requestId: REQ, traceId: T, initType: 'on-demand' })), 'x');
    assert.ok(r.kind === 'metric');
    assert.deepEqual(
      { coldStart: r.coldStart, init: r.initDurationMs, type: r.initType, d: r.durationMs, e: r.error, f: r.faultsInjected, ts: r.timestamp, t: r.traceId },
      { coldStart: true, init: 320.1, type: 'on-demand', d: 180.5, e: false, f: 2, ts: 42, t: T },
    );
  });
});

describe('parseLogLine: whatever else users print', () => {
  const cases: Array<[string, string]> = [
    ['plain text', 'hello world'],
    ['malformed JSON', '{"level":"INFO","message": "broken'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON object that is no log line', '{"a":1}'],
    ['a span line missing its ids', '{"type":"span","name":"x"}'],
    ['empty', ''],
    ['binary-ish', '\u0000\u0001\uffff'],
  ];
  for (const [name, message] of cases) {
    test(name, () => {
      const r = parseLogLine(ev(message), 'f');
      assert.equal(r.kind, 'log');
      assert.ok(r.kind === 'log' && r.format === 'plain' && r.requestId === undefined && r.traceId === undefined);
    });
  }
  test('a 5 MB line', () => {
    const big = JSON.stringify({ level: 'INFO', message: 'x'.repeat(5 * 1024 * 1024), requestId: REQ, function: 'f' });
    const r = parseLogLine(ev(big), 'f');
    assert.ok(r.kind === 'log' && r.format === 'agent' && r.message.length === 5 * 1024 * 1024);
  });
});
