import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ColdStartTally, COLD_START_TERMS, durationStats, percentile } from '../../cli/logs/coldStarts.js';
import { logDirSource } from '../../cli/logs/logDirSource.js';
import { parseLogLine } from '../../cli/logs/parseLogLine.js';
import { FUNCTIONS, RANGE, SHOP_DIR } from './fixtures.js';

const rec = (message: string, fn = 'f') => parseLogLine({ timestamp: 1, message }, fn);
const report = (id: string, extra = '') => rec(`REPORT RequestId: ${id}\tDuration: 10.00 ms\tBilled Duration: 11 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB${extra}`);
const emf = (id: string, fields: Record<string, unknown>) => rec(JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [] }, FunctionName: 'f', Duration: 10, Error: 0, FaultsInjected: 0, requestId: id, ...fields }));

describe('percentiles', () => {
  test('nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 100)], [50, 95, 99, 100]);
    assert.equal(percentile([], 50), undefined);
    assert.deepEqual(durationStats([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
  });
});

describe('ColdStartTally', () => {
  test('REPORT lines: on-demand inits and SnapStart restores', () => {
    const t = new ColdStartTally();
    t.add(report('a', '\tInit Duration: 300.00 ms'));
    t.add(report('b'));
    t.add(report('c'));
    t.add(report('d', '\tRestore Duration: 450.00 ms\tBilled Restore Duration: 100 ms'));
    const [f] = t.result();
    assert.equal(f!.invocations, 4);
    assert.equal(f!.coldStarts, 2);
    assert.equal(f!.share, 0.5);
    assert.equal(f!.byInitType['on-demand']?.max, 300);
    assert.equal(f!.byInitType['snap-start']?.max, 450);
    assert.equal(f!.initDuration.count, 2);
  });
  test('EMF and REPORT of the same invocation count once; Lambda\'s init figure wins', () => {
    const t = new ColdStartTally();
    t.add(emf('a', { ColdStart: 1, InitDuration: 290, initType: 'on-demand' }));
    t.add(report('a', '\tInit Duration: 300.00 ms'));
    t.add(emf('b', { ColdStart: 0 }));
    t.add(report('b'));
    const [f] = t.result();
    assert.equal(f!.invocations, 2);
    assert.equal(f!.coldStarts, 1);
    assert.deepEqual(f!.initDuration, { count: 1, p50: 300, p95: 300, p99: 300, max: 300 });
  });
  test('provisioned concurrency inits are reported by type but are no cold start a caller waited for', () => {
    const t = new ColdStartTally();
    t.add(emf('a', { ColdStart: 0, InitDuration: 800, initType: 'provisioned-concurrency' }));
    t.add(report('a'));
    t.add(report('b'));
    const [f] = t.result();
    assert.equal(f!.coldStarts, 0);
    assert.equal(f!.byInitType['provisioned-concurrency']?.count, 1);
    assert.equal(f!.byInitType['provisioned-concurrency']?.p50, 800);
  });
  test('functions with no invocations are listed with zeros', () => {
    const [f] = new ColdStartTally(['idle']).result();
    assert.deepEqual({ n: f!.invocations, c: f!.coldStarts, s: f!.share }, { n: 0, c: 0, s: 0 });
  });
  test('over the fixture directory, text and JSON formats', async () => {
    const t = new ColdStartTally(FUNCTIONS);
    await logDirSource(SHOP_DIR).search({ functions: FUNCTIONS, terms: COLD_START_TERMS, range: RANGE }, (e) => t.add(parseLogLine(e, e.function)));
    const byFn = Object.fromEntries(t.result().map((r) => [r.function, r]));
    assert.deepEqual(
      Object.fromEntries(Object.entries(byFn).map(([k, r]) => [k, [r.invocations, r.coldStarts, Object.keys(r.byInitType).join(','), r.initDuration.max]])),
      { checkout: [2, 1, 'on-demand', 320.1], payments: [2, 1, 'on-demand', 250], shipping: [2, 1, 'snap-start', 400.5] },
    );
  });
});
