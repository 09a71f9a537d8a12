// A log directory holding a file of several MiB without a newline costs only
// that line: `logs correlate`, `coldstarts` (the real bin, in a child process)
// and the scenario runner's telemetry read everything else, skip the line,
// and say so on stderr and in --json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogDirTelemetrySource } from '../../cli/chaos/logDirTelemetry.js';
import { MAX_LINE_BYTES } from '../../cli/logs/lineScanner.js';
import type { SkippedLine } from '../../cli/logs/logDirSource.js';
import { ORDER_ID, RANGE_FLAGS, SHOP_DIR } from '../logs/fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'bin.ts');

let dir: string;
/** 3 MiB without a newline, with the order id inside it: a search hit in a line too long to read. */
const HUGE = Buffer.alloc(3 * MAX_LINE_BYTES, 'x');
HUGE.write(ORDER_ID, MAX_LINE_BYTES);

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-linebound-'));
  await cp(SHOP_DIR, join(dir, 'shop'), { recursive: true });
  await writeFile(join(dir, 'shop', 'checkout', 'huge.log'), HUGE);
});
after(() => rm(dir, { recursive: true, force: true }));

const SHOP = () => ['--functions', 'checkout,payments,shipping', '--source', join(dir, 'shop'), ...RANGE_FLAGS];

describe('log commands over a file of several MiB without a newline', () => {
  test('logs correlate --json: the same 20 lines as without it, the skipped line named on stderr as JSON', async () => {
    const r = await run(['logs', 'correlate', ORDER_ID, ...SHOP(), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 20);
    const warnings = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(warnings, [
      { type: 'warning', warning: 'line skipped: longer than 1 MiB', function: 'checkout', stream: 'huge', offset: 0, maxLineBytes: MAX_LINE_BYTES },
      { type: 'warning', warning: 'lines skipped: longer than 1 MiB', skippedLines: 1 },
    ]);
  });

  test('logs correlate: a warning line naming the file, then the timeline', async () => {
    const r = await run(['logs', 'correlate', ORDER_ID, ...SHOP()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^faultline: warning: skipped a line longer than 1 MiB at byte 0 of checkout\/huge\.log \(CloudWatch's largest event is 1 MB\)$/m);
    assert.match(r.stderr, /^faultline: warning: 1 line longer than 1 MiB skipped unread$/m);
    assert.match(r.stdout, /Waterfall/);
  });

  test('coldstarts --json counts the skipped line', async () => {
    const r = await run(['coldstarts', ...SHOP(), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { skippedLines: number; functions: unknown[] };
    assert.equal(out.skippedLines, 1);
    assert.equal(out.functions.length, 3);
  });
});

describe('scenario telemetry over a log directory', () => {
  test('a line too long to read, written across two samples, is skipped once; the invocations around it count', async () => {
    const logs = join(dir, 'telemetry');
    await mkdir(join(logs, 'orders'), { recursive: true });
    const file = join(logs, 'orders', 's.log');
    const report = (id: string, ts: number) =>
      JSON.stringify({ timestamp: ts, message: `REPORT RequestId: ${id}\tDuration: 10.00 ms\tBilled Duration: 10 ms` }) + '\n';
    const skipped: SkippedLine[] = [];
    const source = new LogDirTelemetrySource(logs, { onSkippedLine: (l) => skipped.push(l) });
    await writeFile(file, report('r1', 1000));
    await appendFile(file, HUGE.subarray(0, 2 * MAX_LINE_BYTES));
    assert.equal((await source.sample(0, 10_000, ['orders'])).invocations, 1);
    await appendFile(file, HUGE.subarray(2 * MAX_LINE_BYTES));
    await appendFile(file, '\n' + report('r2', 2000));
    assert.equal((await source.sample(0, 10_000, ['orders'])).invocations, 2);
    assert.deepEqual(skipped, [{ function: 'orders', stream: 's', offset: Buffer.byteLength(report('r1', 1000)) }]);
  });
});
