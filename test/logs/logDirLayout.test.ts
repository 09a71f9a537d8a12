// Which directory `--source DIR` reads, and which functions it holds: a run
// directory (functions as `<fn>.log` files or `<fn>/<stream>.log`
// directories) or a directory of runs (its `latest`, else its newest run).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFunctions, listStreams, resolveLogDir } from '../../cli/logs/logDirLayout.js';
import { selectFromLogDir } from '../../cli/logs/selectFunctions.js';
import { logDirSource } from '../../cli/logs/logDirSource.js';
import type { SourceEvent } from '../../cli/logs/records.js';

/** A tree as paths: `a/b.log` a log file (one event), `f=text` a file holding text, `a/` a directory, `x -> y` a symlink. */
async function build(root: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const link = p.split(' -> ');
    if (link.length === 2) {
      await symlink(link[1]!, join(root, link[0]!));
    } else if (p.endsWith('/')) {
      await mkdir(join(root, p), { recursive: true });
    } else {
      const [file, text] = p.split('=') as [string, string | undefined];
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), text ?? JSON.stringify({ timestamp: 1000, message: `line of ${file}` }) + '\n');
    }
  }
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'faultline-layout-'));
});
after(() => rm(root, { recursive: true, force: true }));

let n = 0;
async function tree(paths: readonly string[]): Promise<string> {
  const dir = join(root, `t${n++}`);
  await mkdir(dir);
  await build(dir, paths);
  return dir;
}

describe('resolveLogDir: the run a --source directory stands for', () => {
  // [name, tree, run read (relative; '' = the directory itself), note expected]
  const cases: Array<[string, string[], string, RegExp | undefined]> = [
    ['function subdirectories of streams (CloudWatch-like)', ['checkout/2026-11-23-[$LATEST]aaa.log', 'payments/s.log'], '', undefined],
    ['one log file per function', ['checkout.log', 'payments.log'], '', undefined],
    ['both shapes side by side', ['checkout.log', 'payments/s.log'], '', undefined],
    ['empty', [], '', undefined],
    ['runs of log files, latest a symlink', ['run-1/checkout.log', 'run-2/checkout.log', 'run-2/payments.log', 'latest -> run-2'], 'latest', /^reading the latest run, .*latest$/],
    ['runs of function directories, latest a symlink', ['20261203T1900/checkout/s.log', '20261203T1910/checkout/s.log', 'latest -> 20261203T1900'], 'latest', /latest run/],
    ['latest a file naming the run', ['a/checkout.log', 'b/checkout.log', 'latest=a'], 'a', /latest run/],
    ['latest a file naming nothing there: not a run pointer', ['checkout/s.log', 'latest=../etc'], '', undefined],
    ['runs of function directories, no latest: the newest', ['old/checkout/s.log', 'new/checkout/s.log'], 'new', /^reading the newest run, .*new$/],
  ];
  for (const [name, paths, run, note] of cases) {
    test(name, async () => {
      const dir = await tree(paths);
      if (name.endsWith('the newest')) {
        await utimes(join(dir, 'old'), new Date(1_000_000), new Date(1_000_000));
        await utimes(join(dir, 'new'), new Date(2_000_000), new Date(2_000_000));
      }
      const got = await resolveLogDir(dir);
      assert.equal(got.dir, run === '' ? dir : join(dir, run));
      if (note) assert.match(got.note ?? '', note);
      else assert.equal(got.note, undefined);
    });
  }
  test('a missing directory is ENOENT (named by the caller with its fix)', async () => {
    await assert.rejects(resolveLogDir(join(root, 'missing')), { code: 'ENOENT' });
  });
});

describe('functions and streams of a run directory', () => {
  // What a run directory may hold beside its functions: the game day's report and its request pages, notes, an empty directory.
  const layouts: Array<[string, string[], string[]]> = [
    ['both shapes', ['orders-api.log', 'payments/a.log'], ['orders-api', 'payments']],
    ['a game-day run with its report', ['payments/a.log', 'report.html=<html>', 'report-requests/abc.html=<html>'], ['payments']],
    ['an empty directory is no function', ['payments/a.log', 'fulfilment/'], ['payments']],
    ['a directory of other files is no function', ['payments/a.log', 'notes/todo.txt=x', 'notes.txt=x'], ['payments']],
    ['latest is a link to a function, not one', ['payments/a.log', 'latest -> payments'], ['payments']],
    ['a .log file inside makes a function', ['checkout/2026-12-03-LATEST-ab12.log', 'report-requests/x.html=<html>'], ['checkout']],
  ];
  for (const [name, paths, functions] of layouts) {
    test(`functions of a run: ${name}`, async () => assert.deepEqual(await listFunctions(await tree(paths)), functions));
  }

  test('<fn>.log files and <fn>/ directories with log files are functions; latest and other files are not', async () => {
    const dir = await tree(['orders-api.log', 'payments/a.log', 'payments/b.log', 'fulfilment/', 'notes.txt', 'latest -> payments']);
    assert.deepEqual(await listFunctions(dir), ['orders-api', 'payments']);
    assert.deepEqual(
      (await listStreams(dir, 'orders-api')).map((s) => s.stream),
      ['orders-api'],
    );
    assert.deepEqual(
      (await listStreams(dir, 'payments')).map((s) => s.stream),
      ['a', 'b'],
    );
    assert.deepEqual(await listStreams(dir, 'fulfilment'), []);
    assert.deepEqual(await listStreams(dir, 'nope'), []);
  });

  test('selection: none = every function; --functions narrows and accepts either shape; empty directory is an error with the fix', async () => {
    const dir = await tree(['orders-api.log', 'payments/a.log']);
    assert.deepEqual(await selectFromLogDir(dir, { by: 'all' }), ['orders-api', 'payments']);
    assert.deepEqual(await selectFromLogDir(dir, { by: 'names', names: ['orders-api'] }), ['orders-api']);
    assert.deepEqual(await selectFromLogDir(dir, { by: 'prefix', prefix: 'pay' }), ['payments']);
    await assert.rejects(selectFromLogDir(dir, { by: 'names', names: ['ship'] }), /function ship: unknown in .* \(functions there: orders-api, payments\)/);
    const empty = await tree([]);
    await assert.rejects(selectFromLogDir(empty, { by: 'all' }), /no function logs in it; expected DIR\/<function>\.log or DIR\/<function>\/<stream>\.log \(run faultline local first\)/);
  });

  test('logDirSource reads both shapes: search and fetchInvocations', async () => {
    const dir = await tree(['orders-api.log', 'payments/a.log']);
    const src = logDirSource(dir);
    const seen: SourceEvent[] = [];
    await src.search({ functions: ['orders-api', 'payments'], terms: ['line of'], range: { startMs: 0, endMs: 2000 } }, (e) => seen.push(e));
    assert.deepEqual(seen.map((e) => [e.function, e.stream, e.message]).sort(), [
      ['orders-api', 'orders-api', 'line of orders-api.log'],
      ['payments', 'a', 'line of payments/a.log'],
    ]);
    const again: SourceEvent[] = [];
    await src.fetchInvocations([{ function: 'orders-api', stream: 'orders-api', requestIds: ['line'] }], { startMs: 0, endMs: 2000 }, (e) => again.push(e));
    assert.deepEqual(again.map((e) => e.message), ['line of orders-api.log']);
  });
});
