// The local game day end to end, as a user runs it (`faultline local`), short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { runtimeNode } from '../helpers/runtimeNodes.js';
import { painter } from '../../cli/common.js';
import { planRule } from '../../cli/chaos/operations.js';
import { GAMEDAY_RULE_ID, gameDayRuleSpec, runPathsText } from '../../cli/local/gameDay.js';
import type { GameDayReport } from '../../cli/report/model.js';
import { chromiumPath, launch, NO_CHROMIUM, openFile } from '../report/browser.js';

const root = new URL('../..', import.meta.url).pathname;

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'dist/cli/bin.js'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    // A safety net against a hung run, not an assertion on speed.
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

test('faultline local: baseline, throttling through the CLI, recovery, a failed request correlated across functions, and the report page', async (t) => {
  const node24 = runtimeNode('nodejs24.x');
  const logDir = mkdtempSync(join(tmpdir(), 'faultline-gameday-'));
  try {
    const res = await run(['local', '--duration', '14s', '--rps', '5', '--rate', '1', '--log-dir', logDir, '--json'], 240_000);
    assert.equal(res.code, 0, `exit 0\n${res.stderr}\n${res.stdout.slice(-3000)}`);
    const lines = res.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const result = lines.find((l) => l.type === 'gameday');
    assert.ok(result, `a gameday result line in ${res.stdout.slice(-2000)}`);
    // The default runtime, the newest, on its own Node (the cache holds it: runtimeNode fetched it if needed).
    assert.equal(result.runtime, 'nodejs24.x');
    assert.equal(result.node.path, node24.path);
    assert.match(result.node.version, /^v24\./);
    const phase = (name: string) => result.phases.find((p: any) => p.name === name)?.summary;
    assert.ok(phase('baseline').requests > 0, 'baseline traffic');
    assert.ok(phase('chaos').errors > 0, 'the throttling rule made requests fail');
    assert.ok(phase('chaos').errorRate > phase('baseline').errorRate, 'more errors under the rule than before it');
    assert.ok(result.coldStarts >= 3, 'every function cold-started');
    assert.ok(typeof result.failedTraceId === 'string');
    // The rule went in through setRule (validated, expiry from --for 15m, audit fields) and out through clearRules.
    const item = result.rule.item;
    assert.equal(item.id, GAMEDAY_RULE_ID);
    assert.ok([900, 901].includes(item.expiresAt - item.createdAt), 'expiresAt from --for 15m (rounded up to the second), as validateRuleSpec computes it');
    assert.equal(typeof item.createdBy, 'string');
    assert.deepEqual(lines.find((l) => l.type === 'chaos-set')?.item, item);
    assert.deepEqual(lines.find((l) => l.type === 'chaos-clear')?.deleted, [{ scope: 'payments', id: GAMEDAY_RULE_ID }]);
    // Recovery for the error rate and for latency, with the tolerance stated.
    assert.equal(result.recoveryMs, result.recovery.errors.ms ?? undefined);
    assert.deepEqual(result.recovery.latency.tolerance, { ratio: 0.2, floorMs: 25 });
    for (const k of ['p50Ms', 'p99Ms', 'ms']) assert.ok(k in result.recovery.latency, `recovery.latency.${k}`);
    // The correlated timeline of the failed request spans several functions.
    const timeline = lines.filter((l) => l.traceId === result.failedTraceId && typeof l.timestamp === 'number');
    const functions = new Set(timeline.map((l) => l.function));
    assert.ok(functions.has('orders-api') && functions.has('payments'), `timeline across functions: ${[...functions].join(', ')}`);
    assert.ok(timeline.some((l) => l.type === 'span'));
    assert.ok(timeline.some((l) => /chaos fault injected/.test(l.message ?? '')), 'the injected fault is in the timeline');
    // Logs where the local mode promises them: this run's own directory, and latest pointing at it.
    assert.equal(realpathSync(dirname(result.logDir)), realpathSync(logDir));
    assert.match(basename(result.logDir), /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.equal(realpathSync(result.latestLogDir), realpathSync(result.logDir));
    for (const fn of ['orders-api', 'payments', 'fulfilment']) {
      const files = readdirSync(join(result.logDir, fn));
      assert.ok(files.length > 0 && files.every((f) => /^[A-Za-z0-9_][A-Za-z0-9._-]*\.log$/.test(f)), `${fn}: shell-safe log files ${files.join(' ')}`);
    }
    // The commands printed at the end work as printed (split as a shell splits them).
    const text = runPathsText({ dir: result.logDir, latest: result.latestLogDir }, result.failedTraceId, painter(false));
    const commands = text.split('\n').filter((l) => l.startsWith('  faultline ')).map((l) => l.trim().split(/ +/).slice(1));
    assert.equal(commands.length, 2);
    for (const args of commands) {
      const r = await run([...args, '--json'], 60_000);
      assert.equal(r.code, 0, `faultline ${args.join(' ')}\n${r.stderr}`);
      assert.ok(r.stdout.includes(args[0] === 'logs' ? result.failedTraceId : '"payments"'), `faultline ${args.join(' ')}: ${r.stdout.slice(0, 500)}`);
      if (args[0] === 'coldstarts') {
        // The run's directory also holds the report and its request pages: they are no function.
        const record = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { functions: Array<{ function: string }> };
        assert.deepEqual(record.functions.map((f) => f.function), ['fulfilment', 'orders-api', 'payments']);
      }
    }
    // The report, written by default into the run's directory, from the game day's own rule window and recovery.
    assert.equal(realpathSync(result.reportPath), realpathSync(join(result.logDir, 'report.html')));
    assert.ok(existsSync(result.reportPath));
    assert.equal(result.rules.length, 1);
    const window = result.rules[0];
    assert.equal(window.ruleId, GAMEDAY_RULE_ID);
    assert.ok(window.setAtMs < window.clearedAtMs);
    await t.test('the report page in headless Chromium: the game day\'s band and recovery figures', { skip: chromiumPath() === undefined ? NO_CHROMIUM : false }, async () => {
      const browser = await launch();
      try {
        const p = await openFile(browser, result.reportPath, 1280);
        try {
          const embedded = JSON.parse((await p.page.locator('#data').textContent()) ?? '{}') as GameDayReport;
          const band = embedded.bands.find((b) => b.ruleId === GAMEDAY_RULE_ID);
          assert.deepEqual(band && [band.fromMs, band.toMs], [window.setAtMs, window.clearedAtMs], 'the band is the rule as set and cleared');
          const rows = await p.page.locator('#recovery tbody tr').evaluateAll((trs) => trs.map((tr) => ({ rule: tr.getAttribute('data-rule'), errors: tr.getAttribute('data-errors-ms'), latency: tr.getAttribute('data-latency-ms') })));
          const fig = (x: number | null) => String(x ?? 'none');
          assert.deepEqual(rows, [{ rule: GAMEDAY_RULE_ID, errors: fig(result.recovery.errors.ms), latency: fig(result.recovery.latency.ms) }], 'the page shows the game day\'s recovery');
          assert.deepEqual(p.errors, []);
          assert.deepEqual(p.requests, []);
        } finally {
          await p.close();
        }
      } finally {
        await browser.close();
      }
    });
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
});

test('the game day’s rule is exactly the rule the chaos set flags make (same validation, same item)', async () => {
  const flags = ['--target', 'aws:dynamodb', '--fault', 'error', '--error', 'ProvisionedThroughputExceededException', '--rate', '0.5', '--for', '15m', '--id', GAMEDAY_RULE_ID, '--note', 'local game day'];
  const res = await run(['chaos', 'set', 'payments', ...flags, '--dry-run', '--json'], 30_000);
  assert.equal(res.code, 0, res.stderr);
  const cli = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { item: Record<string, unknown> };
  const ours = planRule(gameDayRuleSpec('payments', 0.5), { nowMs: Number(cli.item.createdAt) * 1000 });
  // The times differ by the instant each was made at (expiresAt rounds up to the second); everything else is identical.
  const timeless = ({ createdAt, expiresAt, ...rest }: Record<string, unknown>) => (assert.ok(Number(expiresAt) - Number(createdAt) >= 900), rest);
  assert.deepEqual(timeless(ours.item), timeless(cli.item));
  // A rule the agent would refuse is refused on the way in too.
  assert.throws(() => planRule(gameDayRuleSpec('payments', 2)), /rate/);
});

test('faultline local rejects bad options with exit 2', async () => {
  const res = await run(['local', '--rps', 'lots'], 30_000);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--rps lots: expected/);
});

test('Ctrl-C stops the game day early, clears the rule and leaves no environment process behind', async () => {
  const { execFileSync } = await import('node:child_process');
  const logDir = mkdtempSync(join(tmpdir(), 'faultline-sigint-'));
  const child = spawn(process.execPath, [join(root, 'dist/cli/bin.js'), 'local', '--duration', '120s', '--rps', '4', '--log-dir', logDir], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const guard = setTimeout(() => child.kill('SIGKILL'), 180_000); // safety net only
  try {
    let environments: number[] = [];
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c;
        if (stdout.includes('── baseline') && environments.length === 0) {
          // The environments are children of the CLI process (each under its own process group).
          environments = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
            .split('\n')
            .map((l) => Number(l.trim()))
            .filter((n) => n > 0);
          child.kill('SIGINT');
          resolve();
        }
      });
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, `exit 130 after Ctrl-C\n${stderr}`);
    assert.match(stderr, /stopping/);
    assert.ok(!stdout.includes('── chaos'), 'no fault phase after Ctrl-C');
    assert.ok(environments.length >= 3, `environments seen: ${environments.join(', ')}`);
    for (const pid of environments) {
      assert.throws(() => process.kill(pid, 0), /ESRCH/, `environment process ${pid} is gone`);
    }
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
    rmSync(logDir, { recursive: true, force: true });
  }
});
