// The pure parts of the chaos commands: rule specs from flags, ids, status,
// guard changes, and the scenario runner's abort and recovery judgements.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildRuleItem, DEFAULT_RULE_FOR, MAX_RULE_FOR_MS, renameAttributeInMessage } from '../../cli/chaos/ruleSpec.js';
import { generateRuleId } from '../../cli/chaos/ruleId.js';
import { ruleStatus } from '../../cli/chaos/ruleStatus.js';
import { applyGuardChanges, parseRuleRef } from '../../cli/chaos/operations.js';
import { abortReason, isHealthy } from '../../cli/chaos/runScenario.js';
import { scenarioFromDocument } from '../../cli/chaos/scenario.js';
import { percentile, summarise } from '../../cli/chaos/telemetrySource.js';
import { DEFAULT_GUARD } from '../../src/chaos/guard.js';
import { validateRuleItem } from '../../src/chaos/rules.js';
import type { Guardrails, Rule } from '../../src/chaos/ruleTypes.js';

const NOW = 1_800_000_000_000;

describe('buildRuleItem', () => {
  test('flags become the item the agent validates, with durations and audit fields', () => {
    const r = buildRuleItem(
      { scope: 'orders', target: 'aws:dynamodb', fault: 'latency', latency: '1.5s', jitter: '250', rate: '0.25', for: '15m', id: 'x', note: 'n' },
      { nowMs: NOW, createdBy: 'me' },
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.item, {
      scope: 'orders', id: 'x', enabled: true, target: 'aws:dynamodb', fault: 'latency', rate: 0.25,
      latencyMs: 1500, jitterMs: 250, expiresAt: NOW / 1000 + 900, createdBy: 'me', createdAt: NOW / 1000, note: 'n',
    });
    assert.ok(validateRuleItem(r.item).ok);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['non-numeric rate', { rate: 'lots' }, /^--rate lots: expected a number between 0 and 1$/],
    ['bad latency', { fault: 'latency', latency: 'soon' }, /^--latency soon: expected milliseconds/],
    ['zero duration', { for: '0s' }, /^--for 0s: expected a duration above zero/],
    ['half a flap', { flap: '30s/' }, /^--flap 30s\/: expected ON\/OFF durations/],
    ['reserved id', { id: '#switch' }, /^--id #switch: expected a rule id/],
    ['bad scope', { scope: 'no spaces allowed' }, /^<scope> no spaces allowed: expected a function name/],
  ];
  for (const [name, overrides, message] of cases) {
    test(`rejects ${name}`, () => {
      const r = buildRuleItem(
        { scope: 'orders', target: 'aws:s3', fault: 'latency', latency: 10, ...overrides } as Parameters<typeof buildRuleItem>[0],
        { nowMs: NOW, createdBy: 'me' },
      );
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.errors.some((e) => message.test(e)), r.errors.join(' | '));
    });
  }

  test('every error is reported, each once', () => {
    const r = buildRuleItem({ scope: 'orders', target: 'aws:s3', fault: 'latency', latency: 'x', rate: 3, first: 0 }, { nowMs: NOW, createdBy: 'me' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors.filter((e) => e.startsWith('--latency')).length, 1);
    assert.ok(r.errors.some((e) => e.startsWith('--rate 3')));
    assert.ok(r.errors.some((e) => e.startsWith('--first 0')));
  });

  test('messages in scenario files use their own names', () => {
    assert.equal(renameAttributeInMessage('latencyMs=5.5: expected whole ms', (k) => `steps[0].set[1].${k}`), 'steps[0].set[1].latency 5.5: expected whole ms');
    assert.equal(renameAttributeInMessage('error: required when fault=error', (k) => `--${k}`), '--error: required when fault=error');
    assert.equal(renameAttributeInMessage('something else', (k) => k), 'something else');
  });
});

describe('buildRuleItem: every rule expires', () => {
  const build = (extra: Partial<Parameters<typeof buildRuleItem>[0]>, allowNever = false) =>
    buildRuleItem({ scope: 'orders', target: 'aws:s3', fault: 'latency', latency: 10, ...extra }, { nowMs: NOW, createdBy: 'me', allowNever });

  test(`without for the rule expires after ${DEFAULT_RULE_FOR}`, () => {
    const r = build({});
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.item.expiresAt, NOW / 1000 + 3600);
    assert.equal(r.rule.expiresAt, NOW / 1000 + 3600);
  });

  const table: [string, boolean, number | undefined | RegExp][] = [
    ['12h', false, NOW / 1000 + 12 * 3600],
    ['11h 59m', false, NOW / 1000 + 12 * 3600 - 60],
    ['12h1s', false, /^--for 12h1s: expected at most 12h/],
    ['13h', false, /^--for 13h: expected at most 12h/],
    ['100000d', false, /^--for 100000d: expected at most 12h/],
    ['never', false, /^--for never: a rule that never expires needs --confirm-no-expiry/],
    ['NEVER', false, /^--for NEVER: a rule that never expires needs --confirm-no-expiry/],
    ['never', true, undefined],
    ['15m', true, NOW / 1000 + 900],
  ];
  for (const [value, allowNever, expected] of table) {
    test(`for ${value}${allowNever ? ' (never confirmed)' : ''} → ${expected instanceof RegExp ? 'refused' : String(expected)}`, () => {
      const r = build({ for: value }, allowNever);
      if (expected instanceof RegExp) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.ok(r.errors.some((e) => expected.test(e)), r.errors.join(' | '));
      } else {
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.item.expiresAt, expected);
        assert.equal('expiresAt' in r.item, expected !== undefined);
      }
    });
  }

  test('whatever for says, an accepted rule without confirmed never ends within 12h', () => {
    const unit = fc.constantFrom('ms', 's', 'm', 'h', 'd');
    const duration = fc.array(fc.tuple(fc.nat({ max: 200_000 }), unit), { minLength: 1, maxLength: 3 }).map((parts) => parts.map(([n, u]) => `${n}${u}`).join(''));
    fc.assert(
      fc.property(fc.option(fc.oneof(duration, fc.string(), fc.constant('never')), { nil: undefined }), (forText) => {
        const r = build(forText === undefined ? {} : { for: forText });
        if (!r.ok) return;
        const expiresAt = r.item.expiresAt;
        assert.equal(typeof expiresAt, 'number');
        assert.ok((expiresAt as number) * 1000 - NOW <= MAX_RULE_FOR_MS + 1000);
        assert.ok((expiresAt as number) * 1000 > NOW);
      }),
    );
  });
});

describe('buildRuleItem: service names', () => {
  const build = (target: string) => buildRuleItem({ scope: 'orders', target, fault: 'latency', latency: 10, id: 'x' }, { nowMs: NOW, createdBy: 'me' });

  const aliases: [string, string][] = [
    ['aws:cloudwatch:PutMetricData', 'aws:monitoring:PutMetricData'],
    ['aws:sfn', 'aws:states'],
    ['aws:stepfunctions:StartExecution', 'aws:states:StartExecution'],
    ['aws:eventbridge:PutEvents', 'aws:events:PutEvents'],
    ['aws:cloudwatch-logs', 'aws:logs'],
    ['aws:monitoring:PutMetricData', 'aws:monitoring:PutMetricData'],
    ['aws:dynamodb:GetItem', 'aws:dynamodb:GetItem'],
  ];
  for (const [written, stored] of aliases) {
    test(`${written} is stored as ${stored}`, () => {
      const r = build(written);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.item.target, stored);
      assert.equal(r.rule.targetText, stored);
    });
  }

  const unknown: [string, RegExp][] = [
    ['aws:dynamo', /^--target aws:dynamo: no AWS SDK client has the service dynamo: .*did you mean dynamodb/],
    ['aws:dynamo:GetItem', /^--target aws:dynamo:GetItem: no AWS SDK client has the service dynamo: .*did you mean dynamodb/],
    ['aws:cloudwach', /did you mean cloudwatch/],
    ['aws:lamda:Invoke', /did you mean lambda/],
  ];
  for (const [target, message] of unknown) {
    test(`${target} is refused naming the closest names`, () => {
      const r = build(target);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.errors.some((e) => message.test(e)), r.errors.join(' | '));
    });
  }
});

describe('generateRuleId', () => {
  const hex = () => 'beef';
  const cases: [string, string, string | undefined, string][] = [
    ['aws:dynamodb', 'error', 'ProvisionedThroughputExceededException', 'ddb-throttle-beef'],
    ['aws:s3:GetObject', 'error', 'NoSuchKey', 's3-getobject-nosuchkey-beef'],
    ['http:api.stripe.com/v1/*', 'latency', undefined, 'api-slow-beef'],
    ['http:*.example.com', 'error', '503', 'example-503-beef'],
    ['invocation', 'timeout', undefined, 'invoke-timeout-beef'],
    ['*', 'corrupt', undefined, 'all-corrupt-beef'],
  ];
  for (const [target, fault, error, id] of cases) {
    test(`${target} ${fault} → ${id}`, () => assert.equal(generateRuleId(target, fault, error, hex), id));
  }
  test('ids are valid rule ids', () => {
    const id = generateRuleId('aws:dynamodb', 'error', 'ThrottlingException');
    assert.match(id, /^ddb-throttle-[0-9a-f]{4}$/);
  });
});

describe('ruleStatus', () => {
  const rule = (over: Partial<Rule> = {}): Rule => {
    const v = validateRuleItem({ scope: 'orders', id: 'r', target: 'aws:s3', fault: 'latency', latencyMs: 5, rate: 0.8, expiresAt: NOW / 1000 + 60 });
    assert.ok(v.ok);
    return { ...v.rule, ...over };
  };
  const guard = (over: Partial<Guardrails> = {}): Guardrails => ({ ...DEFAULT_GUARD, ...over });
  const cases: [string, Rule, boolean, Guardrails, string, RegExp | undefined][] = [
    ['live', rule(), false, guard(), 'live', undefined],
    ['expired', rule({ expiresAt: NOW / 1000 - 1 }), false, guard(), 'expired', undefined],
    ['disabled', rule({ enabled: false }), false, guard(), 'disabled', /enabled=false/],
    ['kill switch', rule(), true, guard(), 'switched-off', /kill switch/],
    ['not allowed', rule(), false, guard({ allowedFunctions: ['payments'] }), 'blocked', /orders is not in/],
    ['allowed by glob', rule(), false, guard({ allowedFunctions: ['ord*'] }), 'live', undefined],
    ['capped', rule(), false, guard({ maxRate: 0.1 }), 'live', /rate capped 0\.8 → 0\.1/],
    ['capped to zero', rule(), false, guard({ maxRate: 0 }), 'blocked', /capped to 0/],
    ['global scope under an allowlist', rule({ scope: '*' }), false, guard({ allowedFunctions: ['a'] }), 'live', /only in allowed functions a/],
    ['malformed guard', rule(), false, guard({ refuseAll: 'the #guard item is malformed' }), 'blocked', /malformed/],
  ];
  for (const [name, r, killSwitch, g, state, detail] of cases) {
    test(name, () => {
      const s = ruleStatus(r, { killSwitch, guard: g }, NOW);
      assert.equal(s.state, state);
      if (detail) assert.match(s.detail ?? '', detail);
      else assert.equal(s.detail, undefined);
    });
  }
  test('time left', () => assert.equal(ruleStatus(rule(), { killSwitch: false, guard: guard() }, NOW).timeLeftMs, 60_000));
});

describe('guard changes', () => {
  test('merge into the current item and validate through the agent parser', () => {
    const item = applyGuardChanges({ maxRate: 0.5, productionLock: true, productionEnvironments: ['prod'] }, { allow: ['a', 'b'], abortErrorRate: '0.2', abortWindow: '90s' });
    assert.deepEqual(item, { maxRate: 0.5, productionLock: true, productionEnvironments: ['prod'], allowedFunctions: ['a', 'b'], abortErrorRate: 0.2, abortWindowSeconds: 90 });
    assert.deepEqual(applyGuardChanges(item, { maxRate: null, allow: null, abortErrorRate: null }), { productionLock: true, productionEnvironments: ['prod'] });
  });
  const bad: [string, Parameters<typeof applyGuardChanges>[1], RegExp][] = [
    ['rate above 1', { maxRate: '1.5' }, /--max-rate 1\.5: expected a number between 0 and 1/],
    ['window text', { abortErrorRate: 0.5, abortWindow: 'a minute' }, /--abort-window a minute: expected a duration/],
    ['min without rate', { abortMin: '5' }, /abortMinInvocations: only meaningful with abortErrorRate|--abort-min/],
    ['bad function name', { allow: ['has space'] }, /--allow/],
  ];
  for (const [name, changes, message] of bad) {
    test(`rejects ${name}`, () => assert.throws(() => applyGuardChanges(undefined, changes), message));
  }
});

test('parseRuleRef', () => {
  assert.deepEqual(parseRuleRef('orders/abc'), { scope: 'orders', id: 'abc' });
  assert.deepEqual(parseRuleRef('*/abc'), { scope: '*', id: 'abc' });
  assert.deepEqual(parseRuleRef('abc'), { scope: undefined, id: 'abc' });
});

describe('scenario judgements', () => {
  const scenario = scenarioFromDocument({ abort: { errorRate: 0.5, p99LatencyMs: 1000, minInvocations: 4 }, steps: [{ hold: '1s' }] });
  const sample = (invocations: number, errors: number, p99Ms: number | undefined) => ({
    invocations, errors, errorRate: invocations ? errors / invocations : undefined, p50Ms: p99Ms, p99Ms,
  });
  test('abort needs enough invocations, then either threshold trips it', () => {
    assert.equal(abortReason(sample(3, 3, 5000), scenario), undefined);
    assert.match(abortReason(sample(4, 2, 10), scenario) ?? '', /error rate 50\.0%/);
    assert.match(abortReason(sample(10, 0, 1000), scenario) ?? '', /p99 latency 1000 ms/);
    assert.equal(abortReason(sample(10, 4, 999), scenario), undefined);
  });
  test('healthy against the baseline, with tolerance; empty samples are no evidence', () => {
    const baseline = sample(100, 1, 100);
    assert.equal(isHealthy(sample(0, 0, undefined), baseline, scenario), undefined);
    assert.equal(isHealthy(sample(100, 6, 140), baseline, scenario), true);
    assert.equal(isHealthy(sample(100, 7, 100), baseline, scenario), false);
    assert.equal(isHealthy(sample(100, 0, 151), baseline, scenario), false);
    assert.equal(isHealthy(sample(100, 0, 150), baseline, scenario), true);
    const fast = sample(100, 0, 10);
    assert.equal(isHealthy(sample(100, 0, 60), fast, scenario), true, 'slack for fast baselines');
    assert.equal(isHealthy(sample(100, 0, 61), fast, scenario), false);
  });
  test('percentiles are nearest-rank', () => {
    assert.equal(percentile([], 50), undefined);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99), 99);
    assert.deepEqual(summarise([{ durationMs: 5, error: true }, { durationMs: undefined, error: false }]), { invocations: 2, errors: 1, errorRate: 0.5, p50Ms: 5, p99Ms: 5 });
  });
});

describe('scenario rules: the same expiry cap and service names as chaos set', () => {
  const step = (rule: Record<string, unknown>) => ({ steps: [{ hold: '1s', set: [{ scope: 'orders', target: 'aws:s3', fault: 'latency', latency: 10, ...rule }] }] });
  const table: [Record<string, unknown>, RegExp][] = [
    [{ for: '13h' }, /steps\[0\]\.set\[0\]\.for 13h: expected at most 12h/],
    [{ for: 'never' }, /steps\[0\]\.set\[0\]\.for never: a rule that never expires needs --confirm-no-expiry \(chaos set only/],
    [{ target: 'aws:dynamo' }, /steps\[0\]\.set\[0\]\.target aws:dynamo: no AWS SDK client has the service dynamo/],
  ];
  for (const [rule, message] of table) {
    test(`${JSON.stringify(rule)} is refused`, () => assert.throws(() => scenarioFromDocument(step(rule), NOW), message));
  }
  test('an alias and a duration within the cap are accepted', () => {
    assert.doesNotThrow(() => scenarioFromDocument(step({ target: 'aws:stepfunctions:StartExecution', for: '12h' }), NOW));
  });
});
