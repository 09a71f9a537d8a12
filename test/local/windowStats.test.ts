import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recoveryTime, summarize, type Outcome } from '../../cli/local/windowStats.js';
import { percentile } from '../../cli/percentile.js';

const at = (atMs: number, ok: boolean, latencyMs = 10): Outcome => ({ atMs, ok, latencyMs });

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
