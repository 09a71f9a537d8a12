// The layer attached the way Lambda runs it: the built faultline.zip unzipped
// as /opt would hold it, AWS's runtime client (aws-lambda-ric) in an emulated
// execution environment, and the function's handler reached through
// attach mode 1 (AWS_LAMBDA_EXEC_WRAPPER=<layer>/faultline-wrapper) and
// attach mode 2 (_HANDLER=<layer>/nodejs/node_modules/faultline/handler.handler
// with FAULTLINE_HANDLER). Needs `npm run build:layer` first (npm test does it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createFunctionPool, type FunctionPool, type FunctionSpec, type InvocationReport } from '../../cli/local/functionPool.js';
import { fixture, readLogFile } from '../local/support.js';
import { unpackLayer } from '../helpers/attachModes.js';

const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';

const work = mkdtempSync(join(tmpdir(), 'faultline-attach-'));
const layer = join(work, 'opt');
const logDir = join(work, 'logs');
after(() => rmSync(work, { recursive: true, force: true }));

before(() => unpackLayer(layer));

/** Unusable values: each falls back to its default with a warning (docs/configuration.md). */
const BAD_SETTINGS = { FAULTLINE_CHAOS_REFRESH_MS: '5s', OTEL_SPAN_EVENT_COUNT_LIMIT: 'lots' };

const REDIRECT = () => join(layer, 'nodejs', 'node_modules', 'faultline', 'handler.handler');

type Mode = 'wrapper' | 'redirect';

/** A function spec attached in the given mode, as a deployed function would be configured. */
function attached(mode: Mode, name: string, codeDir: string, handler: string, extraEnv: Record<string, string> = {}): FunctionSpec {
  const base = { name, codeDir, timeoutSeconds: 30, layers: [layer] };
  return mode === 'wrapper'
    ? { ...base, handler, environment: { AWS_LAMBDA_EXEC_WRAPPER: join(layer, 'faultline-wrapper'), ...extraEnv } }
    : { ...base, handler: REDIRECT(), environment: { FAULTLINE_HANDLER: handler, ...extraEnv } };
}

const CASES = [
  { key: 'cjs', dir: 'cjs', handler: 'index.handler', format: 'cjs' },
  { key: 'mjs', dir: 'esm', handler: 'index.handler', format: 'esm-mjs' },
  { key: 'esmjs', dir: 'esm-js', handler: 'index.handler', format: 'esm-js' },
  { key: 'nested', dir: 'nested', handler: 'src/api/index.handler', format: 'nested' },
] as const;

function payload(r: InvocationReport): Record<string, unknown> {
  assert.equal(r.kind, 'response', JSON.stringify(r));
  return (r as { payload: Record<string, unknown> }).payload;
}

/** The log events of one invocation: from its START to its END, in its environment's stream. */
function invocationLines(r: InvocationReport, logFile: string): string[] {
  const messages = readLogFile(logFile).map((e) => e.message);
  const start = messages.indexOf(`START RequestId: ${r.requestId} Version: $LATEST`);
  const end = messages.indexOf(`END RequestId: ${r.requestId}`);
  assert.ok(start >= 0 && end > start, `START and END of ${r.requestId} in ${logFile}`);
  return messages.slice(start + 1, end);
}

for (const mode of ['wrapper', 'redirect'] as const) {
  describe(`attach mode ${mode === 'wrapper' ? '1 (exec wrapper)' : '2 (handler redirect)'}`, () => {
    let pool: FunctionPool;
    before(() => {
      pool = createFunctionPool({
        logDir: join(logDir, mode),
        functions: [
          ...CASES.map((c) => attached(mode, `${mode}-${c.key}`, fixture(c.dir), c.handler)),
          attached(mode, `${mode}-logs`, fixture('logs'), 'index.handler'),
          attached(mode, `${mode}-nomodule`, fixture('cjs'), 'src/missing.handler'),
          attached(mode, `${mode}-noexport`, fixture('cjs'), 'index.nothere'),
        ],
      });
    });
    after(() => pool.close());

    for (const c of CASES) {
      test(`${c.key} handler (${c.handler}) answers through the layer`, async () => {
        const r = await pool.invoke(`${mode}-${c.key}`, { hello: c.key }, { traceHeader: TRACE });
        const p = payload(r);
        assert.equal(p.format, c.format);
        assert.deepEqual(p.echo, { hello: c.key });
      });
    }

    // A callback handler fails the init as it does without the layer: test/attach/runtimes.test.ts.

    test('a missing module fails the init naming the files looked for', async () => {
      const r = await pool.invoke(`${mode}-nomodule`, {});
      assert.equal(r.kind, 'init-error');
      if (r.kind !== 'init-error') return;
      assert.equal(r.errorType, 'Runtime.ImportModuleError');
      assert.match(r.errorMessage, /src\/missing/);
      assert.ok(r.errorMessage.includes(join(fixture('cjs'), 'src', 'missing.js')), r.errorMessage);
    });

    test('a missing export fails the init naming the export and the module', async () => {
      const r = await pool.invoke(`${mode}-noexport`, {});
      assert.equal(r.kind, 'init-error');
      if (r.kind !== 'init-error') return;
      assert.equal(r.errorType, 'Runtime.HandlerNotFound');
      assert.match(r.errorMessage, /index\.nothere/);
      assert.ok(r.errorMessage.includes(join(fixture('cjs'), 'index.js')), r.errorMessage);
    });

    test('bad settings cost one warning each for the environment: the init succeeds and every invocation is traced', async () => {
      const fn = `${mode}-badsetting`;
      const own = createFunctionPool({ logDir: join(logDir, `${mode}-badsetting`), functions: [attached(mode, fn, fixture('logs'), 'index.handler', BAD_SETTINGS)] });
      let first: InvocationReport;
      let second: InvocationReport;
      let logFile: string;
      try {
        first = await own.invoke(fn, { n: 1 }, { traceHeader: TRACE });
        assert.equal(first.kind, 'response', `the init and the invocation succeed: ${JSON.stringify(first)}`);
        second = await own.invoke(fn, { n: 2 }, { traceHeader: TRACE });
        logFile = own.environments(fn)[0]!.logFile;
      } finally {
        await own.close();
      }
      assert.equal(payload(first).n, 1);
      assert.equal(payload(second).n, 2);
      const lines = readLogFile(logFile)
        .map((e) => e.message)
        .filter((m) => m.startsWith('{'))
        .map((m) => JSON.parse(m) as Record<string, any>);
      const warnings = lines.filter((l) => l.level === 'WARN' && typeof l.setting === 'string');
      assert.deepEqual(warnings.map((w) => [w.setting, w.value]), Object.entries(BAD_SETTINGS), JSON.stringify(warnings));
      const spans = lines.filter((l) => l.type === 'span' && l.attributes?.['faas.invocation_id'] !== undefined);
      assert.deepEqual(spans.map((s) => s.attributes['faas.invocation_id']), [first.requestId, second.requestId]);
    });

    test('the invocation’s log lines: JSON logs with its request and trace ids, a span line, the EMF document', async () => {
      const r = await pool.invoke(`${mode}-logs`, { n: 7 }, { traceHeader: TRACE });
      assert.equal(r.kind, 'response');
      const [env] = pool.environments(`${mode}-logs`);
      await pool.close();
      const lines = invocationLines(r, env!.logFile).map((l) => JSON.parse(l) as Record<string, any>);
      const logLine = lines.find((l) => l.message === 'log line 7');
      assert.ok(logLine, JSON.stringify(lines));
      assert.equal(logLine.level, 'INFO');
      assert.equal(logLine.requestId, r.requestId);
      assert.equal(logLine.traceId, TRACE_ID);
      assert.equal(logLine.function, `${mode}-logs`);
      assert.equal(logLine.coldStart, true);
      assert.deepEqual(
        lines.filter((l) => typeof l.level === 'string').map((l) => l.level),
        ['INFO', 'INFO', 'WARN', 'ERROR', 'INFO'],
      );
      const span = lines.find((l) => l.type === 'span' && l.attributes?.['faas.invocation_id'] === r.requestId);
      assert.ok(span, 'an invocation span line');
      assert.equal(span.traceId, TRACE_ID);
      assert.equal(span.parentSpanId, '53995c3f42cd8ad8');
      assert.equal(span.attributes['faas.coldstart'], true);
      const emf = lines.find((l) => l._aws !== undefined);
      assert.ok(emf, 'an EMF document');
      assert.equal(emf._aws.CloudWatchMetrics[0].Namespace, 'Faultline');
      assert.equal(emf.FunctionName, `${mode}-logs`);
      assert.equal(emf.ColdStart, 1);
    });
  });
}

test('with Lambda’s JSON log format, every line of the invocation is JSON and carries its request id', async () => {
  const pool = createFunctionPool({ logDir: join(logDir, 'json'), functions: [attached('wrapper', 'json-fn', fixture('logs'), 'index.handler', { AWS_LAMBDA_LOG_FORMAT: 'JSON' })] });
  let r: InvocationReport;
  let logFile: string;
  try {
    r = await pool.invoke('json-fn', { n: 3 }, { traceHeader: TRACE });
    logFile = pool.environments('json-fn')[0]!.logFile;
  } finally {
    await pool.close();
  }
  assert.equal(r.kind, 'response');
  const messages = readLogFile(logFile).map((e) => JSON.parse(e.message) as Record<string, any>);
  const start = messages.findIndex((m) => m.type === 'platform.start' && m.record.requestId === r.requestId);
  const report = messages.findIndex((m) => m.type === 'platform.report' && m.record.requestId === r.requestId);
  assert.ok(start >= 0 && report > start);
  const inside = messages.slice(start + 1, report);
  const logs = inside.filter((m) => typeof m.level === 'string');
  assert.ok(logs.some((m) => m.message === 'log line 3'));
  assert.ok(logs.every((m) => m.requestId === r.requestId), JSON.stringify(logs));
  assert.ok(inside.some((m) => m.type === 'span'));
});

test('the runtime’s own "Invoke Error" line after a handler threw keeps the invocation’s request and trace ids', async () => {
  const pool = createFunctionPool({ logDir: join(logDir, 'invoke-error'), functions: [attached('wrapper', 'throws-fn', fixture('throws'), 'index.handler')] });
  let r: InvocationReport;
  let logFile: string;
  try {
    r = await pool.invoke('throws-fn', {}, { traceHeader: TRACE });
    logFile = pool.environments('throws-fn')[0]!.logFile;
  } finally {
    await pool.close();
  }
  assert.equal(r.kind, 'error');
  const lines = readLogFile(logFile).map((e) => e.message);
  const invokeError = lines.find((l) => l.includes('Invoke Error'));
  assert.ok(invokeError, `an Invoke Error line in ${lines.join('\n')}`);
  const parsed = JSON.parse(invokeError) as Record<string, unknown>;
  assert.equal(parsed.level, 'ERROR');
  assert.equal(parsed.requestId, r.requestId);
  assert.equal(parsed.traceId, TRACE_ID);
});
