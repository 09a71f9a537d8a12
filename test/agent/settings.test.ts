// A bad setting costs a warning, never the function and never the other
// settings: each validated FAULTLINE_*/OTEL_* variable with an unusable value is
// named once (variable, value, expected form) and falls back to its default,
// whatever else is set; the configuration is read once for every attach mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeProblem, readConfig, type FaultlineConfig } from '../../src/config.js';
import { createAgent } from '../../src/agent.js';
import { MemorySink, TEST_ENV } from '../helpers/memorySink.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every validated setting, a valid value for it, and values it must refuse. */
const SETTINGS: { variable: string; valid: string; bad: string[]; field: (c: FaultlineConfig) => unknown; dflt: unknown }[] = [
  { variable: 'FAULTLINE_LOG_LEVEL', valid: 'ERROR', bad: ['LOUD', 'debugg', '3'], field: (c) => c.logLevel, dflt: 'INFO' },
  { variable: 'AWS_LAMBDA_LOG_LEVEL', valid: 'WARN', bad: ['VERBOSE'], field: (c) => c.logLevel, dflt: 'INFO' },
  { variable: 'FAULTLINE_TRACES', valid: 'off', bad: ['zipkin', 'on', 'true'], field: (c) => c.traces, dflt: 'log' },
  { variable: 'FAULTLINE_CHAOS_REFRESH_MS', valid: '750', bad: ['5s', '-1', '0', '1.5', 'soon', '1e400'], field: (c) => c.chaosRefreshMs, dflt: 5000 },
  ...(
    [
      ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'attributeCountLimit', 128],
      ['OTEL_ATTRIBUTE_COUNT_LIMIT', 'attributeCountLimit', 128],
      ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'attributeValueLengthLimit', Infinity],
      ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'attributeValueLengthLimit', Infinity],
      ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'eventCountLimit', 128],
      ['OTEL_SPAN_LINK_COUNT_LIMIT', 'linkCountLimit', 128],
      ['OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT', 'attributePerEventCountLimit', 128],
      ['OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT', 'attributePerLinkCountLimit', 128],
    ] as const
  ).map(([variable, key, dflt]) => ({
    variable,
    valid: '9',
    bad: ['lots', '-5', 'NaN'],
    field: (c: FaultlineConfig) => c.spanLimits[key],
    dflt,
  })),
];

/** Settings that are not validated but must survive any bad neighbour. */
const OTHERS = {
  FAULTLINE_SERVICE: 'checkout',
  FAULTLINE_METRICS_NAMESPACE: 'Shop',
  FAULTLINE_REDACT: 'ssn, iban',
  FAULTLINE_CHAOS_TABLE: 'rules',
  FAULTLINE_ENV: 'staging',
  FAULTLINE_HANDLER: 'src/app.handler',
};

/** Everything but `problems`: what the settings came to. */
function settled(c: FaultlineConfig): Record<string, unknown> {
  const { problems: _p, ...rest } = c;
  return rest;
}

test('readConfig: each bad value is named once with the expected form, falls back to its default, and every other setting keeps its value', () => {
  for (const s of SETTINGS) {
    for (const bad of s.bad) {
      // All other validated settings set validly, so a fallback cannot hide behind defaults.
      const env: Record<string, string> = { ...TEST_ENV, ...OTHERS };
      for (const o of SETTINGS) if (o.variable !== s.variable) env[o.variable] = o.valid;
      delete env.FAULTLINE_LOG_LEVEL;
      if (s.variable !== 'AWS_LAMBDA_LOG_LEVEL' && s.variable !== 'FAULTLINE_LOG_LEVEL') env.FAULTLINE_LOG_LEVEL = 'ERROR';
      const without = readConfig(env);
      assert.deepEqual(without.problems, [], `baseline for ${s.variable}`);
      let config!: FaultlineConfig;
      assert.doesNotThrow(() => (config = readConfig({ ...env, [s.variable]: bad })), `${s.variable}=${bad}`);
      assert.equal(config.problems.length, 1, `${s.variable}=${bad}: ${JSON.stringify(config.problems)}`);
      const p = config.problems[0]!;
      assert.equal(p.variable, s.variable);
      assert.equal(p.value, bad);
      const message = describeProblem(p);
      assert.ok(message.includes(s.variable) && message.includes(bad) && message.includes(p.expected), message);
      assert.ok(p.expected.length > 0 && p.fallback.length > 0);
      // The setting fell back as if unset; nothing else moved.
      const unset = { ...env };
      delete unset[s.variable];
      assert.deepEqual(settled(config), settled(readConfig(unset)), `${s.variable}=${bad} changes only itself`);
    }
  }
});

test('readConfig: all bad values at once: each named once, each default, the rest of the settings intact', () => {
  const env: Record<string, string> = { ...TEST_ENV, ...OTHERS };
  for (const s of SETTINGS) env[s.variable] = s.bad[0]!;
  const config = readConfig(env);
  assert.deepEqual(
    config.problems.map((p) => p.variable).sort(),
    SETTINGS.map((s) => s.variable).sort(),
  );
  for (const s of SETTINGS) assert.equal(s.field(config), s.dflt, s.variable);
  assert.equal(config.service, 'checkout');
  assert.equal(config.metricsNamespace, 'Shop');
  assert.deepEqual(config.redactKeys, ['ssn', 'iban']);
  assert.equal(config.chaosTable, 'rules');
  assert.equal(config.environment, 'staging');
  assert.equal(config.handler, 'src/app.handler');
});

test('createAgent: one structured WARN per bad variable, written once at init, and telemetry stays on', () => {
  const sink = new MemorySink();
  const agent = createAgent({
    env: { ...TEST_ENV, FAULTLINE_CHAOS_REFRESH_MS: '5s', OTEL_SPAN_EVENT_COUNT_LIMIT: 'lots' },
    sink,
    captureConsole: false,
  });
  const warnings = sink.logs().filter((l) => l.level === 'WARN');
  assert.deepEqual(
    warnings.map((w) => [w.setting, w.value]),
    [
      ['FAULTLINE_CHAOS_REFRESH_MS', '5s'],
      ['OTEL_SPAN_EVENT_COUNT_LIMIT', 'lots'],
    ],
  );
  assert.match(warnings[0]!.message, /FAULTLINE_CHAOS_REFRESH_MS="5s".*expected a whole number of milliseconds.*using 5000/);
  assert.equal(warnings[0]!.using, '5000');
  assert.equal(agent.config.traces, 'log');
  assert.equal(agent.config.chaosRefreshMs, 5000);
  assert.equal(agent.config.spanLimits.eventCountLimit, 128);
});

/** A child process with only the given environment (and PATH): the parent's settings never leak in. */
function runChild(script: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
}

const BAD = { FAULTLINE_CHAOS_REFRESH_MS: '5s', FAULTLINE_TRACES: 'zipkin' };

function checkWarnedOnceAndTraced(stdout: string, stderr: string) {
  const lines = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
  const warnings = lines.filter((l) => l.level === 'WARN' && typeof l.setting === 'string');
  assert.deepEqual(warnings.map((w) => w.setting).sort(), ['FAULTLINE_CHAOS_REFRESH_MS', 'FAULTLINE_TRACES'], stdout);
  assert.equal(lines.filter((l) => l.type === 'span' && l.kind === 'SERVER').length, 2, 'both invocations traced (FAULTLINE_TRACES fell back to log)');
  assert.doesNotMatch(stderr, /telemetry disabled/);
}

test('wrap() (attach mode 3) with bad settings: invocations answer, traced, each bad variable warned once for the process', () => {
  const script = `
    const { wrap } = await import(${JSON.stringify(ROOT + 'src/index.ts')});
    const h = wrap(async (e) => e.n + 1);
    const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 };
    process.stderr.write('RESULT ' + (await h({ n: 1 }, ctx)) + ' ' + (await h({ n: 2 }, ctx)) + '\\n');`;
  const res = runChild(script, { AWS_LAMBDA_FUNCTION_NAME: 'f', ...BAD });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /RESULT 2 3/);
  checkWarnedOnceAndTraced(res.stdout, res.stderr);
});

test('faultline/handler (attach modes 1 and 2) with bad settings: the import succeeds, the handler answers, each bad variable warned once', () => {
  const script = `
    const { handler } = await import(${JSON.stringify(ROOT + 'src/handler.ts')});
    const ctx = { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 };
    const a = await handler({ n: 1 }, ctx);
    const b = await handler({ n: 2 }, ctx);
    process.stderr.write('RESULT ' + a.format + ' ' + b.echo.n + '\\n');`;
  const res = runChild(script, {
    AWS_LAMBDA_FUNCTION_NAME: 'f',
    LAMBDA_TASK_ROOT: ROOT + 'test/fixtures/handlers/esm',
    FAULTLINE_HANDLER: 'index.handler',
    ...BAD,
  });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /RESULT esm-mjs 2/);
  checkWarnedOnceAndTraced(res.stdout, res.stderr);
});
