// Every directory faultline creates for a path it is given ends in bounded
// time: made, or refused with an error naming the path. Node's own recursive
// mkdir spins forever where the kernel answers ENOENT under an existing parent
// (/proc), so an output flag pointing there hung the command at full CPU.
// Each case runs in a child process, so a hang ends in the spawn's timeout
// and fails the test instead of stalling the suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { SHOP_DIR, TRACE } from '../logs/fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const MAKE_DIRS = join(ROOT, 'cli', 'makeDirs.ts');
const RUN_LOG_DIR = join(ROOT, 'cli', 'local', 'runLogDir.ts');
// Far above what any case needs: only a hang reaches it.
const HANG_MS = 30_000;

const tmp = mkdtempSync(join(tmpdir(), 'faultline-outpaths-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const aFile = join(tmp, 'a-file');
writeFileSync(aFile, 'x');

function run(args: readonly string[], opts: { tsx?: boolean } = {}) {
  const r = spawnSync(process.execPath, [...(opts.tsx ? ['--import', 'tsx'] : []), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: HANG_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.signal, null, `${args.join(' ')} did not end within ${HANG_MS} ms (killed by ${r.signal})`);
  return r;
}

/** Paths that cannot be made, each with what the error must name. */
const unmakeable: Array<[string, string, RegExp]> = [
  ['under /proc', '/proc/faultline-no/x', /\/proc\/faultline-no/],
  ['under a file', join(aFile, 'x'), /ENOTDIR|ENOENT|EEXIST/],
];

describe('makeDirs and makeDirsSync', () => {
  const script = (fn: string, path: string) =>
    `import(${JSON.stringify(MAKE_DIRS)}).then(async (m) => { try { await m.${fn}(${JSON.stringify(path)}); console.log('made'); } catch (e) { console.log('refused: ' + e.message + ' ' + e.code); } })`;
  for (const fn of ['makeDirs', 'makeDirsSync']) {
    for (const [name, path, names] of unmakeable) {
      test(`${fn}: ${name} is refused, naming it`, () => {
        const r = run(['-e', script(fn, path)], { tsx: true });
        assert.match(r.stdout, /^refused: /, r.stderr);
        assert.match(r.stdout, names);
      });
    }
    test(`${fn}: a new nested path is made, an existing one is fine`, () => {
      const path = join(tmp, fn, 'a', 'b', 'c');
      assert.match(run(['-e', script(fn, path)], { tsx: true }).stdout, /^made/);
      assert.ok(statSync(path).isDirectory());
      assert.match(run(['-e', script(fn, path)], { tsx: true }).stdout, /^made/);
    });
  }
});

describe('output flags that name a directory that cannot be made', () => {
  const range = ['--since', '2026-11-22T00:00:00Z', '--until', '2026-11-25T00:00:00Z'];
  const commands: Array<[string, (dir: string) => string[]]> = [
    ['report --out', (dir) => ['report', '--source', SHOP_DIR, ...range, '--out', join(dir, 'report.html')]],
    ['logs correlate --html', (dir) => ['logs', 'correlate', TRACE, '--source', SHOP_DIR, ...range, '--html', join(dir, 'w.html')]],
    ['dashboards export --out', (dir) => ['dashboards', 'export', '--out', dir]],
  ];
  for (const [name, args] of commands) {
    for (const [where, dir, names] of unmakeable) {
      test(`${name} ${where}: exits with an error naming the path`, () => {
        assert.ok(existsSync(BIN), `${BIN} missing: run npm run build`);
        const r = run([BIN, ...args(dir)]);
        assert.notEqual(r.status, 0, r.stdout);
        assert.match(r.stderr, names);
      });
    }
  }

  test('local --log-dir under /proc: the run directory is refused, naming it', () => {
    const code = `import(${JSON.stringify(RUN_LOG_DIR)}).then((m) => { try { m.createRunLogDir('/proc/faultline-no/logs'); console.log('made'); } catch (e) { console.log('refused: ' + e.message); } })`;
    assert.match(run(['-e', code], { tsx: true }).stdout, /^refused: .*\/proc\/faultline-no/);
  });
});
