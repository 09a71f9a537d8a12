// scripts/run-tests.mjs's report flags and totals: spec for a terminal, TAP for CI, totals read from TAP either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain .mjs script without types
import { parseSummary, reporterArgs, verdict } from '../../scripts/test-summary.mjs';

const root = new URL('../..', import.meta.url).pathname;
// Without the outer runner's NODE_TEST_CONTEXT, the inner runner reports as it would in a terminal or CI.
const { NODE_TEST_CONTEXT: _outer, ...env } = process.env;

test('parseSummary reads the top-level totals and ignores a subtest\'s indented lines', () => {
  const tap = ['TAP version 13', '# Subtest: a', '    # pass 7', '    # fail 3', 'ok 1 - a', '# tests 4', '# suites 1', '# pass 3', '# fail 1', '# cancelled 0', '# skipped 0', '# todo 0', '# duration_ms 12.5', ''].join('\n');
  assert.deepEqual(parseSummary(tap), { tests: 4, suites: 1, pass: 3, fail: 1, cancelled: 0, skipped: 0, todo: 0 });
  assert.deepEqual(parseSummary('# pass 2\r\n# fail 0\r\n'), { pass: 2, fail: 0 });
  assert.deepEqual(parseSummary('no summary at all'), {});
});

test('verdict: a run passes only with a summary, no failure, no cancellation and exit 0', () => {
  const table: [Record<string, number>, number | null, string | null, boolean, string][] = [
    [{ pass: 3, fail: 0 }, 0, null, true, ''],
    [{ pass: 3, fail: 1 }, 1, null, false, 'exit 1'],
    [{ pass: 3, fail: 0, cancelled: 1 }, 0, null, false, 'no summary'],
    [{}, 0, null, false, 'no summary'],
    [{ pass: 3 }, null, 'SIGKILL', false, 'killed by SIGKILL'],
  ];
  for (const [counts, code, signal, ok, why] of table) assert.deepEqual(verdict(counts, code, signal), { ok, why }, JSON.stringify([counts, code, signal]));
});

test('the reporter flags give spec on stdout and the totals in the TAP file (terminal), or TAP on stdout (CI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-summary-'));
  try {
    const file = join(dir, 'two.test.mjs');
    writeFileSync(file, "import { test } from 'node:test';\ntest('passes', () => {});\ntest('fails', () => { throw new Error('no'); });\n");
    const tapFile = join(dir, 'report.tap');
    const spec = spawnSync(process.execPath, ['--test', ...reporterArgs(true, tapFile), file], { encoding: 'utf8', cwd: root, env: { ...env, FORCE_COLOR: '0' } });
    assert.match(spec.stdout, /✔ passes/);
    assert.match(spec.stdout, /✖ fails/);
    assert.doesNotMatch(spec.stdout, /^ok \d/m, 'no TAP on a terminal');
    assert.deepEqual(
      { pass: parseSummary(readFileSync(tapFile, 'utf8')).pass, fail: parseSummary(readFileSync(tapFile, 'utf8')).fail },
      { pass: 1, fail: 1 },
    );
    const tap = spawnSync(process.execPath, ['--test', ...reporterArgs(false, tapFile), file], { encoding: 'utf8', cwd: root, env });
    assert.match(tap.stdout, /^TAP version 13/m);
    assert.equal(parseSummary(tap.stdout).pass, 1);
    assert.equal(parseSummary(tap.stdout).fail, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
