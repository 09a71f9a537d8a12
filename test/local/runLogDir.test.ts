import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createRunLogDir, runDirName } from '../../cli/local/runLogDir.js';
import { tempLogDir } from './support.js';

test('run directory names sort by time and are shell-safe', () => {
  assert.equal(runDirName(Date.UTC(2026, 11, 3, 19, 19, 19, 123), '3f9a2c'), '20261203T191919Z-3f9a2c');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), (a, b) => {
      const na = runDirName(a, 'aaaaaa');
      const nb = runDirName(b, 'aaaaaa');
      assert.match(na, /^\d{8}T\d{6}Z-aaaaaa$/);
      if (Math.floor(a / 1000) < Math.floor(b / 1000)) assert.ok(na < nb, `${na} < ${nb}`);
    }),
  );
});

test('each run gets its own directory and latest points at the newest', () => {
  const tmp = tempLogDir();
  try {
    const first = createRunLogDir(tmp.dir, Date.UTC(2026, 11, 3, 10, 0, 0), 'aaaaaa');
    writeFileSync(join(first.dir, 'marker'), 'first');
    const second = createRunLogDir(tmp.dir, Date.UTC(2026, 11, 3, 11, 0, 0), 'bbbbbb');
    assert.notEqual(first.dir, second.dir);
    assert.equal(second.latest, join(tmp.dir, 'latest'));
    // A relative link: the log directory can be moved or copied whole.
    assert.equal(readlinkSync(second.latest), '20261203T110000Z-bbbbbb');
    assert.equal(realpathSync(second.latest), realpathSync(second.dir));
    assert.equal(readFileSync(join(first.dir, 'marker'), 'utf8'), 'first', 'the earlier run is kept');
    assert.equal(readFileSync(join(tmp.dir, 'latest.txt'), 'utf8').trim(), second.dir);
  } finally {
    tmp.remove();
  }
});

test('a real directory named latest is the user’s: left alone, the run still gets its directory', () => {
  const tmp = tempLogDir();
  try {
    mkdirSync(join(tmp.dir, 'latest'));
    writeFileSync(join(tmp.dir, 'latest', 'mine'), 'x');
    const run = createRunLogDir(tmp.dir, Date.UTC(2026, 11, 3, 10, 0, 0), 'cccccc');
    assert.equal(run.latest, undefined);
    assert.ok(lstatSync(join(tmp.dir, 'latest')).isDirectory());
    assert.equal(readFileSync(join(tmp.dir, 'latest', 'mine'), 'utf8'), 'x');
    assert.equal(readFileSync(join(tmp.dir, 'latest.txt'), 'utf8').trim(), run.dir, 'latest.txt names the run instead');
  } finally {
    tmp.remove();
  }
});
