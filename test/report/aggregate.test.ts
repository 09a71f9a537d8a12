// The report's aggregation, pure: records in any order → the same series,
// bands, recovery and request lists; buckets stay within budget.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_LATENCY_TOLERANCE, measureRecovery, summarize, type Outcome } from '../../cli/local/windowStats.js';
import { parseLogLine } from '../../cli/logs/parseLogLine.js';
import type { ParsedRecord } from '../../cli/logs/records.js';
import { percentile } from '../../cli/percentile.js';
import { ReportAggregator, sameRule } from '../../cli/report/aggregate.js';
import { LatencyHistogram } from '../../cli/report/histogram.js';
import { ERROR_TOLERANCE, recoveryFrom } from '../../cli/report/recovery.js';
import { inlineJson } from '../../cli/report/html.js';
import { waterfallModel } from '../../cli/report/waterfall.js';
import { buildCorrelation, correlationTarget } from '../../cli/logs/correlate.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const RANGE = { startMs: T0 - 3_600_000, endMs: T0 + 86_400_000 };

interface Inv {
  fn: string;
  id: string;
  atMs: number;
  ms: number;
  error?: boolean;
  cold?: boolean;
  fault?: string;
  /** Which lines the invocation writes. */
  shape: 'text' | 'json' | 'emf-only';
}

function lines(inv: Inv): Array<{ timestamp: number; message: string }> {
  const end = inv.atMs + inv.ms;
  const trace = inv.id.replace(/[^0-9a-f]/g, '').padEnd(32, '0').slice(0, 32);
  const out: Array<{ timestamp: number; message: string }> = [];
  out.push({ timestamp: end - 1, message: JSON.stringify({ type: 'span', traceId: trace, spanId: 'c'.repeat(16), name: 'DynamoDB.PutItem', kind: 'CLIENT', startTime: inv.atMs + 1, durationMs: 1, status: { code: 'UNSET' }, attributes: {}, events: inv.fault ? [{ name: 'chaos.fault', attributes: { 'faultline.chaos.rule_id': inv.fault, 'faultline.chaos.fault': 'error' } }] : [], requestId: inv.id, function: inv.fn }) });
  out.push({ timestamp: end, message: JSON.stringify({ _aws: { Timestamp: end }, FunctionName: inv.fn, ColdStart: inv.cold ? 1 : 0, Duration: inv.ms, Error: inv.error ? 1 : 0, FaultsInjected: inv.fault ? 1 : 0, requestId: inv.id, traceId: trace }) });
  if (inv.shape === 'text') {
    out.push({ timestamp: inv.atMs, message: `START RequestId: ${inv.id} Version: $LATEST` });
    out.push({ timestamp: end, message: `REPORT RequestId: ${inv.id}\tDuration: ${inv.ms} ms\tBilled Duration: ${Math.ceil(inv.ms)} ms${inv.cold ? '\tInit Duration: 200 ms' : ''}` });
  } else if (inv.shape === 'json') {
    out.push({ timestamp: inv.atMs, message: JSON.stringify({ time: new Date(inv.atMs).toISOString(), type: 'platform.start', record: { requestId: inv.id } }) });
    out.push({ timestamp: end, message: JSON.stringify({ time: new Date(end).toISOString(), type: 'platform.report', record: { requestId: inv.id, metrics: { durationMs: inv.ms, ...(inv.cold ? { initDurationMs: 200 } : {}) }, status: inv.error ? 'error' : 'success' } }) });
  }
  return out;
}

function records(invs: readonly Inv[]): ParsedRecord[] {
  return invs.flatMap((inv) => lines(inv).map((e) => parseLogLine(e, inv.fn)));
}

function aggregate(recs: readonly ParsedRecord[], opts: Partial<ConstructorParameters<typeof ReportAggregator>[0]> = {}) {
  const agg = new ReportAggregator({ functions: ['a', 'b'], range: RANGE, ...opts });
  for (const r of recs) agg.add(r);
  return agg.result();
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('report aggregation', () => {
  test('one invocation per request, whichever lines it wrote (REPORT text, JSON, EMF and span only)', () => {
    const cases: Array<{ name: string; inv: Inv; errors: number; cold: number }> = [
      { name: 'text REPORT + EMF error', inv: { fn: 'a', id: 'r-1', atMs: T0, ms: 12, error: true, shape: 'text' }, errors: 1, cold: 0 },
      { name: 'JSON report status error', inv: { fn: 'a', id: 'r-2', atMs: T0, ms: 12, error: true, shape: 'json' }, errors: 1, cold: 0 },
      { name: 'text REPORT, cold from Init Duration', inv: { fn: 'a', id: 'r-3', atMs: T0, ms: 12, cold: true, shape: 'text' }, errors: 0, cold: 1 },
      { name: 'EMF only (no platform lines)', inv: { fn: 'b', id: 'r-4', atMs: T0, ms: 12, cold: true, shape: 'emf-only' }, errors: 0, cold: 1 },
      { name: 'EMF only error', inv: { fn: 'b', id: 'r-5', atMs: T0, ms: 12, error: true, shape: 'emf-only' }, errors: 1, cold: 0 },
    ];
    for (const c of cases) {
      const r = aggregate(records([c.inv]));
      assert.equal(r.totals.invocations, 1, c.name);
      assert.equal(r.totals.errors, c.errors, c.name);
      assert.equal(r.totals.coldStarts, c.cold, c.name);
      assert.equal(r.totals.p50Ms, 12, c.name);
      const fn = r.functions.find((s) => s.function === c.inv.fn)!;
      assert.equal(sum(fn.requests), 1, c.name);
      assert.equal(r.slowest[0]?.requestId, c.inv.id, c.name);
    }
  });

  test('buckets widen to stay within maxBuckets, and no request is lost in the merge', () => {
    const table: Array<{ spanMs: number; maxBuckets: number; width: number }> = [
      { spanMs: 30_000, maxBuckets: 240, width: 1000 },
      { spanMs: 600_000, maxBuckets: 240, width: 10_000 },
      { spanMs: 3_600_000, maxBuckets: 240, width: 30_000 },
      { spanMs: 3_600_000, maxBuckets: 60, width: 300_000 }, // 61 one-minute buckets would be one too many
      { spanMs: 86_000_000, maxBuckets: 240, width: 600_000 },
    ];
    for (const row of table) {
      const invs: Inv[] = [];
      for (let i = 0; i <= 100; i++) invs.push({ fn: i % 2 ? 'a' : 'b', id: `r-${i}`, atMs: T0 + Math.floor((row.spanMs * i) / 100), ms: 5 + (i % 7), shape: 'text' });
      const r = aggregate(records(invs), { maxBuckets: row.maxBuckets });
      assert.equal(r.bucketMs, row.width, `span ${row.spanMs}`);
      assert.ok(r.buckets <= row.maxBuckets, `${r.buckets} buckets`);
      assert.equal(sum(r.overall.requests), 101);
      assert.equal(sum(r.functions[0]!.requests) + sum(r.functions[1]!.requests), 101);
      assert.equal(r.overall.requests.length, r.buckets);
      assert.ok(r.t0Ms <= T0 && r.t0Ms + r.buckets * r.bucketMs > T0 + row.spanMs);
    }
  });

  test('the same report whatever order the records arrive in', () => {
    const invs: Inv[] = [];
    for (let i = 0; i < 60; i++) {
      invs.push({ fn: i % 3 ? 'a' : 'b', id: `q-${i}`, atMs: T0 + i * 1700, ms: 3 + ((i * 37) % 90), error: i % 11 === 0, cold: i % 17 === 0, ...(i >= 20 && i < 40 && i % 2 ? { fault: 'rule-x' } : {}), shape: (['text', 'json', 'emf-only'] as const)[i % 3 === 0 ? 2 : i % 2]! });
    }
    const recs = records(invs);
    const expected = aggregate(recs);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: recs.length, maxLength: recs.length }), (keys) => {
        const shuffled = recs.map((r, i) => [keys[i]!, r] as const).sort((x, y) => x[0] - y[0]).map(([, r]) => r);
        const got = aggregate(shuffled);
        for (const k of Object.keys(expected) as Array<keyof typeof expected>) assert.deepEqual(got[k], expected[k], k);
      }),
      { numRuns: 30 },
    );
  });

  test('bands: the audit window wins, matched with or without the scope; telemetry-only rules span first to last fault', () => {
    const invs: Inv[] = [];
    for (let i = 0; i < 40; i++) invs.push({ fn: 'a', id: `f-${i}`, atMs: T0 + i * 1000, ms: 10, shape: 'text', ...(i >= 10 && i < 20 ? { fault: 'throttle' } : i >= 25 && i < 28 ? { fault: 'lonely' } : {}) });
    const r = aggregate(records(invs), { rules: [{ ruleId: 'a/throttle', setAtMs: T0 + 9_500, clearedAtMs: T0 + 21_000 }] });
    assert.deepEqual(
      r.bands.map((b) => [b.ruleId, b.fromMs - T0, b.toMs - T0, b.from, b.faults]),
      [
        ['a/throttle', 9_500, 21_000, 'audit', 10],
        ['lonely', 25_001, 27_001, 'telemetry', 3],
      ],
    );
    assert.equal(r.totals.faults, 13);
    assert.deepEqual(r.faultsByRule.map((f) => [f.ruleId, f.faults]), [['throttle', 10], ['lonely', 3]]);
    const table: Array<[string, string, boolean]> = [['a/x', 'x', true], ['x', 'a/x', true], ['x', 'x', true], ['ax', 'x', false], ['a/x', 'b/x', false]];
    for (const [a, b, same] of table) assert.equal(sameRule(a, b), same, `${a} vs ${b}`);
  });

  test('recovery: the figures are windowStats.measureRecovery (the game day\'s) over the requests after the clear', () => {
    // 2 req/s; errors while the rule stands (20–40 s) and 50% for 4 s after.
    const invs: Inv[] = [];
    for (let i = 0; i < 160; i++) {
      const t = i * 500;
      const error = (t >= 20_000 && t < 40_000) || (t >= 40_000 && t < 44_000 && i % 2 === 0);
      invs.push({ fn: 'a', id: `e-${i}`, atMs: T0 + t, ms: t >= 20_000 && t < 42_000 ? 200 : 20, error, shape: 'json' });
    }
    const rule = { ruleId: 'r', setAtMs: T0 + 20_000, clearedAtMs: T0 + 40_000 };
    const r = aggregate(records(invs), { rules: [rule], recoveryWindowMs: 2000 });
    const outcomes: Outcome[] = invs.map((x) => ({ atMs: x.atMs, ok: !x.error, latencyMs: x.ms }));
    const after = outcomes.filter((o) => o.atMs >= rule.clearedAtMs);
    const endMs = Math.max(...outcomes.map((o) => o.atMs)) + 1;
    const baseline = summarize(outcomes, -Infinity, rule.setAtMs);
    const expected = measureRecovery(after, { clearedAtMs: rule.clearedAtMs, endMs, windowMs: 2000, baseline, errorTolerance: ERROR_TOLERANCE, latencyTolerance: DEFAULT_LATENCY_TOLERANCE });
    assert.ok(expected.errors.ms !== null && expected.errors.ms > 0);
    assert.ok(expected.latency.ms !== null && expected.latency.ms > 0);
    assert.equal(r.recovery[0]!.measuredBy, 'logs');
    assert.equal(r.recovery[0]!.errorsMs, expected.errors.ms);
    assert.equal(r.recovery[0]!.latencyMs, expected.latency.ms);
    assert.equal(r.recovery[0]!.baselineErrorRate, 0);
    assert.equal(r.recovery[0]!.baselineP99Ms, 20);
    // The latency figure is the later of p50 and p99: the last slow request starts at 41.5 s, windows slide by 100 ms.
    assert.equal(r.recovery[0]!.latencyMs, 1600);
  });

  test('recovery: a rule window carrying the caller\'s measured recovery is shown as is', () => {
    const invs: Inv[] = Array.from({ length: 80 }, (_, i) => ({ fn: 'a', id: `k-${i}`, atMs: T0 + i * 500, ms: 20, error: i >= 40 && i < 50, shape: 'json' as const }));
    const measured = measureRecovery([], { clearedAtMs: T0 + 25_000, endMs: T0 + 40_000, windowMs: 2000, baseline: { requests: 10, errors: 1, errorRate: 0.1, p50Ms: 11, p99Ms: 33 }, errorTolerance: ERROR_TOLERANCE, latencyTolerance: DEFAULT_LATENCY_TOLERANCE });
    const withErrors = { ...measured, errors: { ...measured.errors, ms: 1234 }, latency: { ...measured.latency, ms: 4321 } };
    const r = aggregate(records(invs), { rules: [{ ruleId: 'r', setAtMs: T0 + 20_000, clearedAtMs: T0 + 25_000, recovery: withErrors }], recoveryWindowMs: 2000 });
    assert.deepEqual(r.recovery, [{ ruleId: 'r', clearedAtMs: T0 + 25_000, measuredBy: 'caller', baselineErrorRate: 0.1, baselineP99Ms: 33, errorsMs: 1234, latencyMs: 4321 }]);
  });

  test('recovery baseline: the requests before the rule that no rule was set over, also when rules overlap', () => {
    // 20 ms and no errors before 20 s; two overlapping rules (20–40 s and 25–35 s) with slow failing requests under them.
    const invs: Inv[] = Array.from({ length: 120 }, (_, i) => {
      const t = i * 500;
      const under = t >= 20_000 && t <= 40_000;
      return { fn: 'a', id: `o-${i}`, atMs: T0 + t, ms: under ? 300 : 20, error: under && i % 2 === 0, shape: 'text' as const };
    });
    const rules = [
      { ruleId: 'outer', setAtMs: T0 + 20_000, clearedAtMs: T0 + 40_000 },
      { ruleId: 'inner', setAtMs: T0 + 25_000, clearedAtMs: T0 + 35_000 },
    ];
    const r = aggregate(records(invs), { rules, recoveryWindowMs: 2000 });
    for (const x of r.recovery) {
      assert.equal(x.baselineErrorRate, 0, x.ruleId);
      assert.equal(x.baselineP99Ms, 20, x.ruleId);
    }
  });

  test('latency recovery: table of shapes', () => {
    const mk = (fn: (t: number) => number) => Array.from({ length: 200 }, (_, i) => ({ atMs: i * 100, ok: true, latencyMs: fn(i * 100) }));
    const w = { clearedAtMs: 0, endMs: 20_000, windowMs: 2000 };
    const baseline = mk(() => 50);
    const table: Array<[string, Outcome[], number | undefined]> = [
      ['healthy from the clear', mk(() => 40), 0],
      ['slow for 5 s', mk((t) => (t < 5000 ? 500 : 40)), 5000],
      ['never recovers', mk(() => 500), undefined],
      ['a relapse at the end', mk((t) => (t < 5000 || t > 18_500 ? 500 : 40)), undefined],
      ['within the tolerance (20% or 25 ms)', mk(() => 74), 0],
      ['just over it', mk(() => 76), undefined],
    ];
    for (const [name, outcomes, want] of table) assert.equal(recoveryFrom(baseline, outcomes, w).latency.ms ?? undefined, want, name);
  });

  test('slowest and failed lists are bounded and ordered', () => {
    const invs: Inv[] = Array.from({ length: 100 }, (_, i) => ({ fn: 'a', id: `s-${i}`, atMs: T0 + (100 - i) * 1000, ms: (i * 7919) % 1000, error: i % 3 === 0, shape: 'text' }));
    const r = aggregate(records(invs), { top: 5 });
    const byDur = [...invs].sort((x, y) => y.ms - x.ms).slice(0, 5).map((x) => x.id);
    assert.deepEqual(r.slowest.map((s) => s.requestId), byDur);
    const failed = invs.filter((x) => x.error).sort((x, y) => x.atMs - y.atMs).slice(0, 5).map((x) => x.id);
    assert.deepEqual(r.failed.map((s) => s.requestId), failed);
    assert.equal(r.failedTotal, invs.filter((x) => x.error).length);
  });

  test('histogram percentiles are within 2% of the exact nearest-rank percentile', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.02, max: 900_000, noNaN: true }), { minLength: 1, maxLength: 300 }), (xs) => {
        const h = new LatencyHistogram();
        for (const x of xs) h.add(x);
        const sorted = [...xs].sort((a, b) => a - b);
        for (const p of [50, 99]) {
          const exact = percentile(sorted, p)!;
          const got = h.percentile(p)!;
          assert.ok(got >= exact - 0.05 && got <= exact * 1.02 + 0.05, `p${p}: ${got} vs ${exact}`);
        }
      }),
    );
  });
});

describe('waterfall model and inline data', () => {
  test('a 5,000-deep chain of spans nests without exhausting the stack', () => {
    const trace = 'cd'.repeat(16);
    const recs: ParsedRecord[] = [];
    for (let i = 0; i < 5000; i++) {
      recs.push(parseLogLine({ timestamp: 1000 + i, message: JSON.stringify({ type: 'span', traceId: trace, spanId: i.toString(16).padStart(16, '0'), ...(i ? { parentSpanId: (i - 1).toString(16).padStart(16, '0') } : {}), name: `s${i}`, startTime: 1000 + i, durationMs: 1, attributes: i === 0 ? { 'faas.invocation_id': 'x' } : {}, requestId: 'x' }) }, 'fn'));
    }
    const m = waterfallModel(buildCorrelation(correlationTarget(trace), recs, new Set(['x']), new Set([trace])));
    assert.equal(m.spans.length, 5000);
    assert.equal(m.spans[4999]!.depth, 4999);
    assert.equal(m.spans[4999]!.parent, 4998);
  });

  test('inline JSON cannot close its script element, and parses back to the value', () => {
    const values = ['</script><script>alert(1)</script>', '<!--', '\u2028\u2029', 'a & b > c'];
    for (const v of values) {
      const s = inlineJson({ v });
      assert.ok(!/<\/script/i.test(s) && !s.includes('<!--') && !s.includes('\u2028'), s);
      assert.deepEqual(JSON.parse(s), { v });
    }
  });
});
