import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';

import {
  billedDurationMs,
  formatEnd,
  formatInitReport,
  formatInitStart,
  formatReport,
  formatStart,
  formatTimeout,
  parseTraceHeader,
  timeoutMessage,
  type ReportFacts,
} from '../../cli/local/platformLog.js';
import { createLineSplitter, logStreamFileName, newLogStreamName } from '../../cli/local/logStream.js';

const T = Date.UTC(2026, 10, 23, 19, 0, 3, 5);
const ID = '7c1c2b5e-0000-4000-8000-000000000001';
const TRACE = 'Root=1-6923593b-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

const base: ReportFacts = {
  timeMs: T,
  requestId: ID,
  durationMs: 12.344,
  memorySizeMb: 128,
  maxMemoryUsedMb: 70,
  initDurationMs: undefined,
  traceHeader: undefined,
  outcome: { status: 'success' },
};

describe('Text format', () => {
  test('START and END', () => {
    assert.equal(formatStart('Text', { timeMs: T, requestId: ID, version: '$LATEST' }), `START RequestId: ${ID} Version: $LATEST`);
    assert.equal(formatEnd({ requestId: ID }), `END RequestId: ${ID}`);
  });

  test('REPORT of a warm invocation has no Init Duration', () => {
    assert.equal(
      formatReport('Text', base),
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t`,
    );
  });

  test('REPORT of a cold start carries Init Duration; active tracing adds the XRAY part', () => {
    const line = formatReport('Text', { ...base, initDurationMs: 123.456, traceHeader: TRACE });
    assert.equal(
      line,
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 123.46 ms\t` +
        `\nXRAY TraceId: 1-6923593b-0123456789abcdef01234567\tSegmentId: 53995c3f42cd8ad8\tSampled: true\t`,
    );
  });

  test('REPORT of a timeout and of a runtime failure carry Status', () => {
    assert.match(formatReport('Text', { ...base, durationMs: 3000, outcome: { status: 'timeout' } }), /\tBilled Duration: 3000 ms\t.*\tStatus: timeout\t$/);
    assert.match(
      formatReport('Text', { ...base, outcome: { status: 'error', errorType: 'Runtime.ExitError' } }),
      /\tStatus: error\tError Type: Runtime\.ExitError\t$/,
    );
  });

  test('REPORT leaves out memory it could not read', () => {
    assert.doesNotMatch(formatReport('Text', { ...base, maxMemoryUsedMb: undefined }), /Max Memory Used/);
  });

  test('INIT_START and INIT_REPORT', () => {
    const start = formatInitStart('Text', {
      timeMs: T,
      runtimeVersion: 'nodejs:20.v20',
      runtimeVersionArn: 'arn:aws:lambda:us-east-1::runtime:abc',
      initializationType: 'on-demand',
      functionName: 'orders',
      functionVersion: '$LATEST',
    });
    assert.equal(start, 'INIT_START Runtime Version: nodejs:20.v20\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:abc');
    assert.equal(
      formatInitReport('Text', { timeMs: T, initDurationMs: 45.678, initializationType: 'on-demand', outcome: { status: 'error', errorType: 'Runtime.ImportModuleError' } }),
      'INIT_REPORT Init Duration: 45.68 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError',
    );
    assert.equal(
      formatInitReport('Text', { timeMs: T, initDurationMs: 10000, initializationType: 'on-demand', outcome: { status: 'timeout' } }),
      'INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout',
    );
  });

  test('the timeout line: ISO time, request id, message', () => {
    assert.equal(timeoutMessage(3000), 'Task timed out after 3.00 seconds');
    assert.equal(timeoutMessage(500), 'Task timed out after 0.50 seconds');
    assert.equal(formatTimeout({ timeMs: T, requestId: ID, timeoutMs: 3000 }), `2026-11-23T19:00:03.005Z ${ID} Task timed out after 3.00 seconds`);
  });
});

describe('JSON format', () => {
  test('platform.start', () => {
    assert.deepEqual(JSON.parse(formatStart('JSON', { timeMs: T, requestId: ID, version: '$LATEST' })), {
      time: '2026-11-23T19:00:03.005Z',
      type: 'platform.start',
      record: { requestId: ID, version: '$LATEST' },
    });
  });

  test('platform.report with metrics, initDurationMs on cold starts only, tracing when active', () => {
    const cold = JSON.parse(formatReport('JSON', { ...base, initDurationMs: 123.456, traceHeader: TRACE }));
    assert.equal(cold.type, 'platform.report');
    assert.deepEqual(cold.record, {
      requestId: ID,
      metrics: { durationMs: 12.34, billedDurationMs: 13, memorySizeMB: 128, maxMemoryUsedMB: 70, initDurationMs: 123.46 },
      tracing: { spanId: '53995c3f42cd8ad8', type: 'X-Amzn-Trace-Id', value: TRACE },
      status: 'success',
    });
    const warm = JSON.parse(formatReport('JSON', base));
    assert.equal('initDurationMs' in warm.record.metrics, false);
    assert.equal('tracing' in warm.record, false);
    const failed = JSON.parse(formatReport('JSON', { ...base, outcome: { status: 'error', errorType: 'Runtime.ExitError' } }));
    assert.equal(failed.record.status, 'error');
    assert.equal(failed.record.errorType, 'Runtime.ExitError');
  });

  test('platform.initStart and platform.initReport', () => {
    const start = JSON.parse(
      formatInitStart('JSON', {
        timeMs: T,
        runtimeVersion: 'nodejs:20.v20',
        runtimeVersionArn: 'arn:x',
        initializationType: 'provisioned-concurrency',
        functionName: 'orders',
        functionVersion: '$LATEST',
      }),
    );
    assert.equal(start.type, 'platform.initStart');
    assert.equal(start.record.initializationType, 'provisioned-concurrency');
    assert.equal(start.record.phase, 'init');
    const report = JSON.parse(
      formatInitReport('JSON', { timeMs: T, initDurationMs: 1.5, initializationType: 'on-demand', outcome: { status: 'error', errorType: 'Error' } }),
    );
    assert.deepEqual(report.record, { initializationType: 'on-demand', phase: 'init', status: 'error', metrics: { durationMs: 1.5 }, errorType: 'Error' });
  });
});

test('billed duration rounds up to whole milliseconds, at least 1', () => {
  assert.equal(billedDurationMs(0.2), 1);
  assert.equal(billedDurationMs(12), 12);
  assert.equal(billedDurationMs(12.0001), 13);
});

test('trace header parts', () => {
  assert.deepEqual(parseTraceHeader(TRACE), { root: '1-6923593b-0123456789abcdef01234567', parent: '53995c3f42cd8ad8', sampled: '1' });
  assert.deepEqual(parseTraceHeader('garbage'), {});
});

test('log stream names look like Lambda’s and map to flat file names a shell takes unquoted', () => {
  const name = newLogStreamName('$LATEST', T);
  assert.match(name, /^2026\/11\/23\/\[\$LATEST\][0-9a-f]{32}$/);
  assert.match(logStreamFileName(name), /^2026-11-23-LATEST-[0-9a-f]{32}\.log$/);
});

test('property: any stream name maps to a shell-safe file name, distinct names of Lambda’s shape stay distinct', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (stream) => {
      // No glob, quote, `$`, space or colon; never hidden, never an option, never a path.
      assert.match(logStreamFileName(stream), /^[A-Za-z0-9_][A-Za-z0-9._-]*\.log$/);
    }),
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (version, a, b) => {
      const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');
      const name = (x: Uint8Array) => `2026/11/23/[${version}]${hex(x)}`;
      if (hex(a) !== hex(b)) assert.notEqual(logStreamFileName(name(a)), logStreamFileName(name(b)));
    }),
  );
});

test('line splitter: lines across chunks, multi-byte characters split between chunks, a last line without newline', () => {
  const lines: string[] = [];
  const s = createLineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('one\ntw€o\nthr', 'utf8');
  // Split inside the three bytes of '€'.
  const cut = bytes.indexOf(0xe2) + 1;
  s.push(bytes.subarray(0, cut));
  s.push(bytes.subarray(cut));
  s.push(Buffer.from('ee\n\nfour'));
  s.end();
  assert.deepEqual(lines, ['one', 'tw€o', 'three', '', 'four']);
});
