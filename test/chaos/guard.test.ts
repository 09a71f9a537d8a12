import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbortWindow,
  DEFAULT_GUARD,
  effectiveRate,
  guardToItem,
  guardVerdict,
  parseGuardItem,
} from '../../src/chaos/guard.js';
import type { Guardrails } from '../../src/chaos/ruleTypes.js';

function guardOf(item: Record<string, unknown>): Guardrails {
  const r = parseGuardItem(item);
  assert.ok(r.ok, `expected a valid guard, got ${JSON.stringify(r)}`);
  return r.guard;
}

describe('parseGuardItem: valid forms', () => {
  const cases: [string, Record<string, unknown>, Partial<Guardrails>][] = [
    ['empty item gives the defaults', {}, { maxRate: undefined, allowedFunctions: undefined, productionLock: false, productionEnvironments: ['prod', 'production'], abort: undefined }],
    ['audit and key fields are allowed', { scope: '*', id: '#guard', createdBy: 'me', createdAt: 1, note: 'n' }, { productionLock: false }],
    ['maxRate 0', { maxRate: 0 }, { maxRate: 0 }],
    ['maxRate 0.2', { maxRate: 0.2 }, { maxRate: 0.2 }],
    ['maxRate 1', { maxRate: 1 }, { maxRate: 1 }],
    ['allowedFunctions list', { allowedFunctions: ['orders-api', 'payments_*'] }, { allowedFunctions: ['orders-api', 'payments_*'] }],
    ['allowedFunctions empty list', { allowedFunctions: [] }, { allowedFunctions: [] }],
    ['productionLock', { productionLock: true }, { productionLock: true }],
    ['productionEnvironments', { productionEnvironments: ['live'] }, { productionEnvironments: ['live'] }],
    ['abort with defaults', { abortErrorRate: 0.5 }, { abort: { errorRate: 0.5, windowSeconds: 60, minInvocations: 20 } }],
    ['abort in full', { abortErrorRate: 1, abortWindowSeconds: 30, abortMinInvocations: 5 }, { abort: { errorRate: 1, windowSeconds: 30, minInvocations: 5 } }],
  ];
  for (const [name, item, expected] of cases) {
    test(name, () => {
      const guard = guardOf(item);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(guard[k as keyof Guardrails], v, k);
    });
  }
});

describe('parseGuardItem: invalid forms name the attribute, the value and the expected form', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ maxRate: 1.5 }, 'maxRate=1.5: expected a number between 0 and 1'],
    [{ maxRate: -0.1 }, 'maxRate=-0.1: expected a number between 0 and 1'],
    [{ maxRate: '0.5' }, 'maxRate="0.5" (a string): expected a number between 0 and 1'],
    [{ allowedFunctions: 'orders-api' }, 'allowedFunctions=orders-api: expected a list of function names'],
    [{ allowedFunctions: ['orders api'] }, 'allowedFunctions=["orders api"]: expected a list of function names'],
    [{ allowedFunctions: [1] }, 'allowedFunctions=[1]: expected a list of function names'],
    [{ productionLock: 'yes' }, 'productionLock=yes: expected true or false (BOOL)'],
    [{ productionLock: 'true' }, 'productionLock="true" (a string): expected true or false (BOOL)'],
    [{ enabled: false }, 'enabled: unknown attribute'],
    [{ expiresAt: 1767225600 }, 'expiresAt: unknown attribute'],
    [{ productionEnvironments: [] }, 'productionEnvironments=[]: expected a non-empty list of environment names'],
    [{ productionEnvironments: [''] }, 'productionEnvironments=[""]: expected a non-empty list of environment names'],
    [{ abortErrorRate: 0 }, 'abortErrorRate=0: expected a number above 0 and at most 1'],
    [{ abortErrorRate: 1.2 }, 'abortErrorRate=1.2: expected a number above 0 and at most 1'],
    [{ abortErrorRate: 0.5, abortWindowSeconds: 0 }, 'abortWindowSeconds=0: expected a whole number of seconds from 1 to 3600'],
    [{ abortErrorRate: 0.5, abortWindowSeconds: 1.5 }, 'abortWindowSeconds=1.5: expected a whole number of seconds'],
    [{ abortErrorRate: 0.5, abortMinInvocations: 0 }, 'abortMinInvocations=0: expected a whole number of invocations of at least 1'],
    [{ abortWindowSeconds: 60 }, 'abortWindowSeconds: only meaningful with abortErrorRate'],
    [{ abortMinInvocations: 5 }, 'abortMinInvocations: only meaningful with abortErrorRate'],
    [{ maxrate: 0.5 }, 'maxrate: unknown attribute; expected one of maxRate, allowedFunctions'],
    // NULL is a wrong type, not "not set": a guardrail stored as NULL refuses every fault rather than vanishing.
    [{ maxRate: null }, 'maxRate=NULL: expected a number between 0 and 1'],
    [{ allowedFunctions: null }, 'allowedFunctions=NULL: expected a list of function names'],
    [{ productionLock: null }, 'productionLock=NULL: expected true or false (BOOL)'],
  ];
  for (const [item, message] of cases) {
    test(JSON.stringify(item), () => {
      const r = parseGuardItem(item);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.errors.some((e) => e.startsWith(message)), `${JSON.stringify(!r.ok && r.errors)} should include ${message}`);
    });
  }

  test('every bad attribute is reported at once', () => {
    const r = parseGuardItem({ maxRate: 2, productionLock: 1, abortErrorRate: 0 });
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 3);
  });
});

test('guardToItem round-trips through parseGuardItem', () => {
  const guards: Guardrails[] = [
    DEFAULT_GUARD,
    guardOf({ maxRate: 0.1, allowedFunctions: ['a', 'b-*'], productionLock: true, productionEnvironments: ['live'], abortErrorRate: 0.3, abortWindowSeconds: 120, abortMinInvocations: 7 }),
  ];
  for (const guard of guards) assert.deepEqual(guardOf(guardToItem(guard)), guard);
});

describe('guardVerdict', () => {
  const locked = guardOf({ productionLock: true });
  const cases: [string, Guardrails, string, string | undefined, boolean, RegExp?][] = [
    ['no guard allows', DEFAULT_GUARD, 'orders', 'prod', true],
    ['lock off allows production', guardOf({ productionLock: false }), 'orders', 'prod', true],
    ['lock refuses prod', locked, 'orders', 'prod', false, /environment prod is production and the guardrail productionLock is on \(environment read from FAULTLINE_ENV/],
    ['lock refuses production in any case', locked, 'orders', 'Production', false, /environment Production is production/],
    ['lock allows staging', locked, 'orders', 'staging', true],
    ['lock allows an unknown environment', locked, 'orders', undefined, true],
    ['custom production names', guardOf({ productionLock: true, productionEnvironments: ['live'] }), 'orders', 'live', false, /environment live is production/],
    ['custom names leave prod alone', guardOf({ productionLock: true, productionEnvironments: ['live'] }), 'orders', 'prod', true],
    ['allow-list allows a listed function', guardOf({ allowedFunctions: ['orders', 'payments'] }), 'payments', undefined, true],
    ['allow-list refuses others', guardOf({ allowedFunctions: ['orders', 'payments'] }), 'shipping', undefined, false, /^function shipping is not in the guardrail allowedFunctions \(orders, payments\)$/],
    ['allow-list globs', guardOf({ allowedFunctions: ['orders-*'] }), 'orders-api', undefined, true],
    ['allow-list globs are anchored', guardOf({ allowedFunctions: ['orders-*'] }), 'legacy-orders-api', undefined, false],
    ['empty allow-list refuses all', guardOf({ allowedFunctions: [] }), 'orders', undefined, false, /allowedFunctions \(none\)/],
    ['refuseAll wins', { ...DEFAULT_GUARD, refuseAll: 'guard unreadable' }, 'orders', undefined, false, /^guard unreadable$/],
  ];
  for (const [name, guard, fn, env, allowed, reason] of cases) {
    test(name, () => {
      const v = guardVerdict(guard, fn, env);
      assert.equal(v.allowed, allowed);
      if (!v.allowed && reason) assert.match(v.reason, reason);
    });
  }
});

test('effectiveRate caps by maxRate', () => {
  assert.equal(effectiveRate({ rate: 0.8 }, DEFAULT_GUARD), 0.8);
  assert.equal(effectiveRate({ rate: 0.8 }, guardOf({ maxRate: 0.25 })), 0.25);
  assert.equal(effectiveRate({ rate: 0.1 }, guardOf({ maxRate: 0.25 })), 0.1);
  assert.equal(effectiveRate({ rate: 1 }, guardOf({ maxRate: 0 })), 0);
});

describe('AbortWindow', () => {
  const threshold = { errorRate: 0.5, windowSeconds: 60, minInvocations: 10 };

  test('does not trip below the minimum number of invocations', () => {
    const w = new AbortWindow(threshold);
    for (let i = 0; i < 9; i++) w.record(1_000_000 + i, true);
    assert.equal(w.tripped(1_000_100), undefined);
    w.record(1_000_100, true);
    assert.deepEqual(w.tripped(1_000_100), { errorRate: 1, invocations: 10 });
  });

  test('trips when the failed share reaches the threshold, not below', () => {
    const w = new AbortWindow(threshold);
    const t0 = 5_000_000;
    for (let i = 0; i < 20; i++) w.record(t0 + i * 100, i < 9);
    assert.equal(w.tripped(t0 + 2000), undefined, '9 of 20 failed');
    w.record(t0 + 2100, true);
    assert.equal(w.tripped(t0 + 2100), undefined, '10 of 21 failed');
    w.record(t0 + 2200, true);
    const trip = w.tripped(t0 + 2200);
    assert.ok(trip);
    assert.equal(trip.invocations, 22);
    assert.equal(trip.errorRate, 11 / 22);
  });

  test('failures slide out of the window', () => {
    const w = new AbortWindow(threshold); // 12 buckets of 5 s
    const t0 = 60_000 * 1000;
    for (let i = 0; i < 20; i++) w.record(t0 + i, true);
    assert.ok(w.tripped(t0 + 1000));
    // Still inside 60 s (allowing one bucket of slide granularity).
    assert.ok(w.tripped(t0 + 54_000));
    // A full window later, every failure has slid out.
    assert.equal(w.tripped(t0 + 60_000), undefined);
    assert.deepEqual(w.counts(t0 + 60_000), { errorRate: 0, invocations: 0 });
  });

  test('successes dilute earlier failures as the window slides', () => {
    const w = new AbortWindow(threshold);
    const t0 = 100_000_000;
    for (let i = 0; i < 10; i++) w.record(t0, true);
    // 30 s later: 30 successes → 10/40 failed, under 0.5.
    for (let i = 0; i < 30; i++) w.record(t0 + 30_000, false);
    assert.deepEqual(w.counts(t0 + 30_000), { errorRate: 0.25, invocations: 40 });
    assert.equal(w.tripped(t0 + 30_000), undefined);
    // 65 s after t0 the failures are gone, only successes remain.
    assert.deepEqual(w.counts(t0 + 65_000), { errorRate: 0, invocations: 30 });
  });

  test('memory is bounded: a bucket reused after a full turn starts from zero', () => {
    const w = new AbortWindow({ errorRate: 0.5, windowSeconds: 12, minInvocations: 1 }, 12);
    for (let s = 0; s < 1000; s++) w.record(s * 1000, s % 2 === 0);
    // The last 12 seconds: 988..999 → 6 failed of 12.
    assert.deepEqual(w.counts(999_000), { errorRate: 0.5, invocations: 12 });
  });

  test('refuses a bucket count that is not a whole number of at least 1', () => {
    assert.throws(() => new AbortWindow(threshold, 0), /buckets=0: expected a whole number of at least 1/);
  });
});
