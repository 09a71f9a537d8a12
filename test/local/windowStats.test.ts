import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_LATENCY_TOLERANCE,
  latencyLimitMs,
  latencyRecoveryTime,
  measureRecovery,
  recoveryTime,
  summarize,
  type Outcome,
} from '../../cli/local/windowStats.js';
import { percentile } from '../../cli/percentile.js';

const at = (atMs: number, ok: boolean, latencyMs = 10): Outcome => ({ atMs, ok, latencyMs });
const WINDOW = 2000;
const STEP = WINDOW / 20;

test('summarize counts requests, errors and latency percentiles inside the window only', () => {
  const o = [at(0, true, 10), at(100, false, 50), at(200, true, 30), at(1000, false, 99)];
  const s = summarize(o, 0, 1000);
  assert.deepEqual(s, { requests: 3, errors: 1, errorRate: 1 / 3, p50Ms: 30, p99Ms: 50 });
  assert.equal(summarize([], 0, 10).errorRate, 0);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
});

test('recovery time is measured from the clear to the first window that stays at the baseline', () => {
  const o: Outcome[] = [];
  // failures keep coming for 1.5 s after the clear at t=10,000, then only successes
  for (let t = 10_000; t < 20_000; t += 100) o.push(at(t, !(t < 11_500 && t % 200 === 0)));
  const r = recoveryTime(o, { clearedAtMs: 10_000, endMs: 20_000, baselineErrorRate: 0, windowMs: 2000, tolerance: 0.02 });
  assert.ok(r !== undefined && r >= 1400 && r <= 1600, `recovery ${r}`);
  const never = recoveryTime(o.map((x) => ({ ...x, ok: false })), { clearedAtMs: 10_000, endMs: 20_000, baselineErrorRate: 0, windowMs: 2000, tolerance: 0.02 });
  assert.equal(never, undefined);
});

test('the latency limit is the baseline plus 20% or 25 ms, whichever is larger', () => {
  const cases: [baselineMs: number, limitMs: number][] = [
    [0, 25],
    [15, 40], // 20% is 3 ms: the floor wins
    [125, 150], // the two agree
    [400, 480], // 20% wins
    [2000, 2400],
  ];
  for (const [baseline, limit] of cases) assert.equal(latencyLimitMs(baseline, DEFAULT_LATENCY_TOLERANCE), limit, `baseline ${baseline}`);
});

/** Traffic every 100 ms from the clear at 10 s to 30 s: errors until `errorsUntil`, latency `slowMs` until `slowUntil`. */
function series(errorsUntil: number, slowUntil: number, slowMs = 400, fastMs = 100): Outcome[] {
  const o: Outcome[] = [];
  for (let t = 10_000; t < 30_000; t += 100) o.push(at(t, t >= errorsUntil, t < slowUntil ? slowMs : fastMs));
  return o;
}
const baseline = { requests: 100, errors: 0, errorRate: 0, p50Ms: 100, p99Ms: 100 };
const windows = { clearedAtMs: 10_000, endMs: 30_000, windowMs: WINDOW };
const measure = (o: Outcome[]) => measureRecovery(o, { ...windows, baseline, errorTolerance: 0.02, latencyTolerance: DEFAULT_LATENCY_TOLERANCE });

test('recovery per signal, table-driven: latency can lag the errors, and "not within the run" is null', () => {
  const cases: { name: string; o: Outcome[]; errors: [number, number] | null; p99: [number, number] | null; latency: 'recovered' | null }[] = [
    // The case: errors stop at once, p99 stays 4x the baseline for 6 s.
    { name: 'errors at once, latency 6 s later', o: series(10_000, 16_000), errors: [0, 0], p99: [5900, 6000], latency: 'recovered' },
    { name: 'both recover together', o: series(13_000, 13_000), errors: [2900, 3000], p99: [2900, 3000], latency: 'recovered' },
    { name: 'latency never recovers', o: series(12_000, 99_000), errors: [1900, 2000], p99: null, latency: null },
    { name: 'errors never recover', o: series(99_000, 10_000), errors: null, p99: [0, 0], latency: 'recovered' },
    { name: 'slow but within the 20% tolerance counts as back', o: series(10_000, 99_000, 120), errors: [0, 0], p99: [0, 0], latency: 'recovered' },
  ];
  for (const c of cases) {
    const r = measure(c.o);
    const within = (v: number | null, range: [number, number] | null, what: string) => {
      if (range === null) return assert.equal(v, null, `${c.name}: ${what} not within the run`);
      assert.ok(v !== null && v >= range[0] && v <= range[1], `${c.name}: ${what} ${v} in [${range}]`);
    };
    within(r.errors.ms, c.errors, 'errors');
    within(r.latency.p99Ms, c.p99, 'p99');
    assert.equal(r.latency.ms === null, c.latency === null, `${c.name}: latency.ms ${r.latency.ms}`);
    if (r.latency.ms !== null) assert.equal(r.latency.ms, Math.max(r.latency.p50Ms!, r.latency.p99Ms!));
  }
});

test('property: each signal recovers one step after its last bad request leaves the window; p50 never after p99', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }), (errorSteps, slowSteps) => {
      const errorsUntil = 10_000 + errorSteps * 100;
      const slowUntil = 10_000 + slowSteps * 100;
      const r = measure(series(errorsUntil, slowUntil));
      // The last bad request is at until-100 (or none at all): the first window clear of it starts just after it.
      const expected = (until: number) => (until === 10_000 ? 0 : until - 100 - 10_000 + STEP);
      assert.equal(r.errors.ms, expected(errorsUntil));
      assert.equal(r.latency.p99Ms, expected(slowUntil));
      assert.ok(r.latency.p50Ms !== null && r.latency.p50Ms <= r.latency.p99Ms!);
    }),
    { numRuns: 60 },
  );
});

// The last window starts at endMs - windowMs (28 s): a slow request at or after it leaves no healthy last window.
test('property: a signal bad until the last window never recovers within the run', () => {
  fc.assert(
    fc.property(fc.integer({ min: 30_000 - WINDOW + 100, max: 40_000 }), (until) => {
      const o = series(10_000, until);
      const r = latencyRecoveryTime(o, { ...windows, percentile: 'p99Ms', baselineMs: 100, tolerance: DEFAULT_LATENCY_TOLERANCE });
      assert.equal(r, undefined);
    }),
    { numRuns: 30 },
  );
});
