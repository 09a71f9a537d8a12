// The rule table fuzzed: random attribute types (every DynamoDB type, NULL
// included), sizes up to past the target bound, unicode and RegExp
// metacharacters in targets, missing and extra attributes, and one table of
// 5,000+ items. For every table:
// - only valid rules act: the rule a call gets is the one a reference matcher
//   picks among the valid items alone, so invalid items inject nothing;
// - each invalid item is named once (once per refresh, through the store);
// - matching a call takes a number of glob steps bounded by the rules and the
//   call's own length (no backtracking, whatever the targets);
// - compiling a large table hands the event loop back every slice.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileMatcher, compileRuleSet, rulesFor, validateRuleItem } from '../../src/chaos/rules.js';
import { globSteps } from '../../src/chaos/rules/glob.js';
import { MAX_TARGET_LENGTH } from '../../src/chaos/rules/target.js';
import { SLICE_ITEMS } from '../../src/chaos/rules/ruleSet.js';
import { createRuleStore } from '../../src/chaos/ruleStore.js';
import { createChaosEngine } from '../../src/chaos/engine.js';
import { readConfig } from '../../src/config.js';
import { createLogger } from '../../src/telemetry/logging/logger.js';
import { createRedactor } from '../../src/telemetry/redaction/redact.js';
import type { Rule } from '../../src/chaos/ruleTypes.js';
import type { CallDescriptor } from '../../src/seam.js';
import { MemorySink, TEST_ENV } from '../helpers/memorySink.js';

const FUNCTION = 'orders';
const NOW_MS = Date.parse('2026-11-23T20:00:00Z');

// ---- the reference: what a valid rule means, written the plain way ----

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** `*` matches any run of characters: a dynamic program over glob × text. */
function refGlob(glob: string, text: string, ci: boolean): boolean {
  const g = ci ? asciiLower(glob) : glob;
  const t = ci ? asciiLower(text) : text;
  let prev = new Uint8Array(t.length + 1);
  let cur = new Uint8Array(t.length + 1);
  prev[0] = 1;
  for (let i = 1; i <= g.length; i++) {
    const star = g[i - 1] === '*';
    cur[0] = star ? prev[0]! : 0;
    for (let k = 1; k <= t.length; k++) {
      cur[k] = star ? prev[k]! | cur[k - 1]! : prev[k - 1]! & (g[i - 1] === t[k - 1] ? 1 : 0);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[t.length] === 1;
}

function refMatches(rule: Rule, call: CallDescriptor): boolean {
  const t = rule.target;
  switch (t.kind) {
    case 'invocation':
      return call.kind === 'invocation';
    case 'any':
      return call.kind !== 'invocation';
    case 'aws':
      return (
        call.kind === 'aws' &&
        (t.service === '*' || t.service === call.service) &&
        (t.operation === undefined || (call.operation !== undefined && asciiLower(t.operation) === asciiLower(call.operation)))
      );
    case 'http':
      return (
        call.kind !== 'invocation' &&
        call.host !== undefined &&
        refGlob(t.host, call.host, true) &&
        (t.path === undefined || (call.path !== undefined && refGlob(t.path, call.path, false)))
      );
  }
}

/** The rule a call gets from the valid rules alone: the first in the documented order that is unexpired and matches. */
function expectedRule(valid: readonly Rule[], call: CallDescriptor): Rule | undefined {
  const ordered = rulesFor({ rules: valid, killSwitch: false, guard: compileRuleSet([]).guard, problems: [] }, FUNCTION);
  return ordered.find((r) => (r.expiresAt === undefined || r.expiresAt * 1000 > NOW_MS) && refMatches(r, call));
}

// ---- the generators ----

const j = (a: readonly string[]) => a.join('');
const HOST_PIECES = ['api', 'example', 'com', 'amazonaws', 'dynamodb', 'eu-west-1', '*', '*', '.', '-', 'API', '_'];
const PATH_PIECES = ['/', 'v1', 'orders', '*', '*', '(', ')', '[', ']', '+', '$', '^', '|', '\\', '.', 'é', '日本', '💥', '{2}', '%20', 'a'];
const hostGlob = fc.array(fc.constantFrom(...HOST_PIECES), { minLength: 1, maxLength: 8 }).map(j);
const pathGlob = fc.array(fc.constantFrom(...PATH_PIECES), { maxLength: 14 }).map((a) => `/${j(a)}`);

/** Past the bound (the sizes that used to disable every rule) and just within it. */
const LONG_TARGETS = [
  `http:api.example.com/${'a*'.repeat(20_000)}`,
  `http:${'*'.repeat(41_000)}`,
  `aws:${'x'.repeat(50_000)}`,
  `http:api.example.com/${'*a'.repeat((MAX_TARGET_LENGTH - 22) / 2)}`,
  `http:*${'.*'.repeat(200)}`,
];

const targetArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('dynamodb', 's3', 'sqs', '*', 'DynamoDB', 'dyna mo'), fc.option(fc.constantFrom('GetItem', 'getitem', 'PutItem', '*', 'Get-Item')))
      .map(([s, o]) => (o === null ? `aws:${s}` : `aws:${s}:${o}`)),
  },
  { weight: 5, arbitrary: fc.tuple(hostGlob, fc.option(pathGlob)).map(([h, p]) => `http:${h}${p ?? ''}`) },
  { weight: 1, arbitrary: fc.constantFrom('invocation', '*', 'INVOCATION', ' * ', 'https://api.example.com', 'http:api.example.com:443') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LONG_TARGETS) },
);

/** Any value an unmarshalled DynamoDB attribute can have: S, N, BOOL, NULL, L, M, SS/NS (arrays), B. */
const dynamoValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '0.5', 'true', '503', '*'),
  fc.integer({ min: -5, max: 2_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.uint8Array({ maxLength: 4 }),
);

const faultArb = fc.oneof(
  fc.record({ fault: fc.constant('error'), error: fc.constantFrom<unknown>('503', '503', 'ECONNRESET', 429, 'E', 'ThrottlingException') }),
  fc.record({ fault: fc.constant('latency'), latencyMs: fc.integer({ min: -1, max: 1000 }) }),
  fc.record({ fault: fc.constant('corrupt'), corruption: fc.constantFrom('garble', 'shred') }),
  fc.record({ fault: fc.constant('respond'), status: fc.constantFrom(200, 503, 42) }),
  fc.record({ fault: fc.constant('timeout') }),
);

/** Absent most of the time: `arb` one time in `1 + absent`. */
const sometimes = <T,>(arb: fc.Arbitrary<T>, absent = 5): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const ATTRIBUTES = ['scope', 'id', 'enabled', 'target', 'fault', 'rate', 'error', 'latencyMs', 'expiresAt', 'note'];

/** One item; its id (`r<i>`) is given when the table is put together, unless a mutation replaces it. */
const itemArb = fc
  .record({
    scope: fc.constantFrom<unknown>(FUNCTION, FUNCTION, '*', 'payments', 'orders api'),
    target: targetArb,
    fault: faultArb,
    rate: sometimes(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom<unknown>(null, '0.5', 2, -1, 0)), 2),
    enabled: sometimes(fc.constantFrom<unknown>(true, true, true, false, null, 'true'), 2),
    expiresAt: sometimes(fc.constantFrom<unknown>(4_102_444_800, 4_102_444_800, 1_000_000_000, null, 'soon', 4_102_444_800_000)),
    extra: sometimes(fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), dynamoValue), 8),
    mutation: sometimes(fc.tuple(fc.constantFrom(...ATTRIBUTES), sometimes(dynamoValue, 1)), 6),
  })
  .map((g) => (index: number): Record<string, unknown> => {
    const item: Record<string, unknown> = { scope: g.scope, id: `r${index}`, target: g.target, ...g.fault };
    if (g.rate !== undefined) item.rate = g.rate;
    if (g.enabled !== undefined) item.enabled = g.enabled;
    if (g.expiresAt !== undefined) item.expiresAt = g.expiresAt;
    if (g.extra !== undefined && !(g.extra[0] in item)) item[g.extra[0]] = g.extra[1];
    if (g.mutation !== undefined) {
      const [name, value] = g.mutation;
      if (value === undefined) delete item[name];
      else item[name] = value;
    }
    return item;
  });

const tableArb = (minLength: number, maxLength: number) =>
  fc.array(itemArb, { minLength, maxLength }).map((makers) => makers.map((make, i) => make(i)));

const FIXED_CALLS: CallDescriptor[] = [
  { kind: 'invocation' },
  { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/' },
  { kind: 'aws', service: 's3', operation: 'PutObject', host: 'bucket.s3.eu-west-1.amazonaws.com', path: '/k/(1)' },
  { kind: 'http', host: 'api.example.com', path: '/v1/orders/(1)+[2]' },
  { kind: 'http', host: 'API.example.com', path: '/v1/' + 'a'.repeat(30) },
  { kind: 'http', host: 'api.example.com', path: '/日本/💥/%20' },
];

const callArb: fc.Arbitrary<CallDescriptor> = fc.oneof(
  fc.constantFrom(...FIXED_CALLS),
  fc.record({ kind: fc.constant<'http'>('http'), host: hostGlob.map((h) => h.replaceAll('*', 'x')), path: pathGlob.map((p) => p.replaceAll('*', 'a')) }),
  fc.record({
    kind: fc.constant<'aws'>('aws'),
    service: fc.constantFrom('dynamodb', 's3', 'sqs'),
    operation: fc.constantFrom('GetItem', 'PUTITEM', 'Query'),
    host: hostGlob.map((h) => h.replaceAll('*', 'x')),
    path: fc.constant('/'),
  }),
);

// ---- the properties ----

const textLength = (c: CallDescriptor) => (c.host?.length ?? 0) + (c.path?.length ?? 0) + (c.operation?.length ?? 0);

/** Every invalid item whose key is intact (`<scope>/r<i>`) is named by exactly one problem. */
function assertNamedOnce(problems: readonly string[], invalid: readonly Record<string, unknown>[]): void {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const m = /^rule (.*?\/r\d+): /.exec(p);
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  for (const item of invalid) {
    if (typeof item.id !== 'string' || !/^r\d+$/.test(item.id) || typeof item.scope !== 'string' || item.scope.includes('/')) continue;
    const name = `${item.scope}/${item.id}`;
    assert.equal(counts.get(name), 1, `${name} named once`);
  }
}

/** Checks one table: the valid items' rules and nothing else, every invalid item named once, matching bounded in steps. */
function checkTable(items: Record<string, unknown>[], calls: readonly CallDescriptor[]): void {
  const set = compileRuleSet(items);
  const verdicts = items.map((item) => validateRuleItem(item));
  const valid = verdicts.flatMap((v) => (v.ok ? [v.rule] : []));
  assert.deepEqual(set.rules, valid, 'the rule set holds exactly the valid items, in order');

  const invalid = items.filter((_, i) => !verdicts[i]!.ok);
  assert.equal(set.problems.length, invalid.length, 'one problem per invalid item');
  assertNamedOnce(set.problems, invalid);

  const match = compileMatcher(set, FUNCTION);
  const applicable = rulesFor(set, FUNCTION).length;
  for (const call of calls) {
    const before = globSteps();
    const got = match(call, NOW_MS);
    const steps = globSteps() - before;
    const want = expectedRule(valid, call);
    assert.deepEqual(got, want, `call ${JSON.stringify(call)}: got ${got?.id}, expected ${want?.id}`);
    // Each glob (host, path, operation) costs at most 3 steps per character of the call's text.
    assert.ok(steps <= 3 * applicable * (textLength(call) + 1), `${steps} glob steps for ${applicable} rules`);
  }
}

describe('the rule table, fuzzed', () => {
  test('random tables: only valid rules act, each invalid item is named once, matching is bounded in steps', () => {
    fc.assert(
      fc.property(tableArb(1, 40), fc.array(callArb, { maxLength: 6 }), (items, calls) => checkTable(items, [...FIXED_CALLS, ...calls])),
      { numRuns: 150 },
    );
  });

  test('a 40 KB target, or a target of many `*`, costs only its own rule', () => {
    for (const target of LONG_TARGETS) {
      const items = [
        { scope: FUNCTION, id: 'good', target: 'http:api.example.com/v1/*', fault: 'error', error: '503' },
        { scope: FUNCTION, id: 'long', target, fault: 'error', error: '503' },
      ];
      checkTable(items, FIXED_CALLS);
      const set = compileRuleSet(items);
      const call: CallDescriptor = { kind: 'http', host: 'api.example.com', path: '/v1/orders/(1)+[2]' };
      const want = target.length > MAX_TARGET_LENGTH || !refGlob(target.slice(5).split('/')[0]!, call.host!, true) ? 'good' : undefined;
      if (want !== undefined) assert.equal(compileMatcher(set, FUNCTION)(call, NOW_MS)?.id, want, `with target of ${target.length} characters`);
    }
  });

  test('5,000+ items through the store: same outcome, each invalid item named once per refresh, the event loop handed back every slice', async () => {
    const [items] = fc.sample(tableArb(5200, 5200), { numRuns: 1, seed: 20261203 });
    // Which turn of the event loop each item is read in: a ticker counts turns while the store compiles.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    const readInTurn = new Map<number, Set<number>>();
    const watched = items!.map((item, index) => {
      const copy = { ...item };
      const scope = copy.scope;
      Object.defineProperty(copy, 'scope', {
        enumerable: true,
        get() {
          let seen = readInTurn.get(turn);
          if (seen === undefined) readInTurn.set(turn, (seen = new Set()));
          seen.add(index);
          return scope;
        },
      });
      return copy;
    });

    const sink = new MemorySink();
    const config = readConfig({ ...TEST_ENV, FAULTLINE_CHAOS_TABLE: 'rules', FAULTLINE_CHAOS_REFRESH_MS: '60000' });
    const logger = createLogger(config, createRedactor([]), sink);
    const clock = { ms: NOW_MS };
    const store = createRuleStore({ source: { name: 'rules', read: async () => watched }, refreshMs: 60_000, logger, now: () => clock.ms });
    const engine = createChaosEngine({ config, logger, store, now: () => clock.ms, random: () => 0, maxRuleAgeMs: Infinity });
    setImmediate(tick);
    try {
      await store.refresh();
      await store.refresh();
    } finally {
      ticking = false;
    }
    const mostInOneTurn = Math.max(...[...readInTurn.values()].map((s) => s.size));
    assert.ok(mostInOneTurn <= SLICE_ITEMS, `${mostInOneTurn} items compiled in one turn of the event loop (slice: ${SLICE_ITEMS})`);

    const verdicts = items!.map((item) => validateRuleItem(item));
    const valid = verdicts.flatMap((v) => (v.ok ? [v.rule] : []));
    const invalid = items!.filter((_, i) => !verdicts[i]!.ok);
    assert.ok(valid.length > 500 && invalid.length > 500, `a mix: ${valid.length} valid, ${invalid.length} invalid`);
    assert.equal(store.current().rules.length, valid.length);

    const warnings = sink.logs().filter((l) => l.message === 'chaos rules malformed: ignored');
    assert.equal(warnings.length, 2, 'one warning per refresh');
    for (const w of warnings) {
      const problems = w.problems as string[];
      assert.equal(problems.length, invalid.length, 'one problem per invalid item');
      assertNamedOnce(problems, invalid);
    }

    // The engine's decisions: the expected valid rule when its rate lets it hit (random() is 0), else none.
    const applicable = rulesFor(store.current(), FUNCTION).length;
    for (const call of FIXED_CALLS) {
      const want = expectedRule(valid, call);
      const before = globSteps();
      const got = engine.decide(call);
      const steps = globSteps() - before;
      assert.equal(got?.ruleId, want !== undefined && want.rate > 0 ? want.id : undefined, `call ${JSON.stringify(call)}`);
      assert.ok(steps <= 3 * applicable * (textLength(call) + 1), `${steps} glob steps for ${applicable} rules`);
    }
    // A clean table holding only the valid items answers every call the same way.
    checkTable(items!, FIXED_CALLS);
  });
});
