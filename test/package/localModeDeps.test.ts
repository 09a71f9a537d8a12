// Where `faultline local` finds its runtime client and embedded DynamoDB, and what it
// says when it must install them: resolution over fake cache directories, no real build.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
  ensureLocalModeDeps,
  installNotice,
  LOCAL_MODE_DEPS,
  localModeCacheDir,
  localModeDepsFor,
  missingTools,
  resolveLocalModeDep,
} from '../../cli/local/localModeDeps.js';
import { awsLambdaRic4, nodejs22Client } from '../../cli/local/runtimeNode.js';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const requireRepo = createRequire(join(root, 'package.json'));

async function withDir(fn: (dir: string) => unknown): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-localdeps-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A cache directory holding the repository's own installs of the given packages (symlinked, as npm would place them). */
function fakeCache(dir: string, ids: readonly string[]): string {
  const cache = join(dir, 'cache');
  mkdirSync(join(cache, 'node_modules'), { recursive: true });
  writeFileSync(join(cache, 'package.json'), '{"private":true}');
  for (const id of ids) symlinkSync(dirname(requireRepo.resolve(`${id}/package.json`)), join(cache, 'node_modules', id));
  return cache;
}

/** A PATH of one directory with node in it and nothing else: no compiler, no cmake. */
function bareNodePath(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

describe('the local mode\'s dependencies', () => {
  test('are not dependencies of the package, and are pinned to exactly the devDependencies the repository tests with', () => {
    for (const dep of Object.values(LOCAL_MODE_DEPS)) {
      assert.equal(pkg.dependencies[dep.id], undefined, `${dep.id} is not a dependency`);
      const spec = pkg.devDependencies[dep.id];
      assert.ok(spec !== undefined, `${dep.id} is a devDependency`);
      const version = /@(\d+\.\d+\.\d+)$/.exec(dep.spec)?.[1];
      assert.ok(version !== undefined, `${dep.spec} is an exact version`);
      assert.ok(spec.endsWith(version), `${dep.spec} is the devDependency's ${spec}`);
      assert.equal(JSON.parse(readFileSync(requireRepo.resolve(`${dep.id}/package.json`), 'utf8')).version, version);
    }
  });

  test('each runtime needs its own client and the embedded DynamoDB', () => {
    assert.deepEqual(localModeDepsFor('nodejs24.x').map((d) => d.id), ['aws-lambda-ric', 'dynalite']);
    assert.deepEqual(localModeDepsFor('nodejs22.x').map((d) => d.id), ['aws-lambda-ric-3', 'dynalite']);
  });

  test('the cache is per faultline version, under XDG_CACHE_HOME when set, else ~/.cache', () => {
    assert.equal(localModeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, '1.2.3'), '/x/cache/faultline/local-mode/1.2.3');
    assert.match(localModeCacheDir({}, '1.2.3'), /\/\.cache\/faultline\/local-mode\/1\.2\.3$/);
    assert.equal(localModeCacheDir({ XDG_CACHE_HOME: '/x' }), `/x/faultline/local-mode/${pkg.version}`);
  });

  test('resolution takes the first root that has the package: beside faultline, then the cache', () =>
    withDir((dir) => {
      const empty = join(dir, 'empty');
      mkdirSync(empty);
      const cache = fakeCache(dir, ['dynalite', 'aws-lambda-ric']);
      assert.equal(resolveLocalModeDep('dynalite', [empty]), undefined);
      assert.equal(resolveLocalModeDep('aws-lambda-ric-3', [empty, cache]), undefined);
      assert.equal(resolveLocalModeDep('dynalite', [empty, cache]), requireRepo.resolve('dynalite'));
      assert.equal(awsLambdaRic4([empty, cache]).entry, requireRepo.resolve('aws-lambda-ric'));
      assert.throws(() => awsLambdaRic4([empty]), /aws-lambda-ric@4\.0\.2 .*is not installed: faultline local installs it on first run/);
    }),
  );

  test('a package installed after a lookup missed it is found by the same process (as after an on-demand install)', () =>
    withDir((dir) => {
      const cache = fakeCache(dir, []);
      assert.equal(resolveLocalModeDep('dynalite', [cache]), undefined);
      const pkgDir = join(cache, 'node_modules', 'dynalite');
      mkdirSync(pkgDir, { recursive: true });
      writeFileSync(join(pkgDir, 'package.json'), '{"name":"dynalite","version":"4.0.0","main":"index.js"}');
      writeFileSync(join(pkgDir, 'index.js'), 'module.exports = () => {};');
      assert.equal(resolveLocalModeDep('dynalite', [cache]), join(pkgDir, 'index.js'));
    }),
  );

  test('nodejs22.x runs 3.x from a cache through an entry written beside its node_modules', () =>
    withDir((dir) => {
      // A copy of the package's JavaScript (not a link to the repository's, which is faultline's own devDependency).
      const cache = fakeCache(dir, []);
      const ric3 = dirname(requireRepo.resolve('aws-lambda-ric-3/package.json'));
      for (const part of ['package.json', 'dist']) cpSync(join(ric3, part), join(cache, 'node_modules', 'aws-lambda-ric-3', part), { recursive: true });
      const client = nodejs22Client((id) => resolveLocalModeDep(id, [join(dir, 'nowhere'), cache]));
      assert.equal(client.fallback, undefined);
      assert.match(client.name, /^aws-lambda-ric 3\.\d+\.\d+$/);
      assert.equal(client.entry, join(cache, 'faultline-nodejs22-runtime.mjs'));
      assert.match(readFileSync(client.entry, 'utf8'), /import \{ run \} from 'aws-lambda-ric-3'/);
      assert.equal(createRequire(client.entry).resolve('aws-lambda-ric-3'), join(cache, 'node_modules', 'aws-lambda-ric-3', 'dist', 'index.mjs'));
      assert.equal(client.dir, join(cache, 'node_modules', 'aws-lambda-ric-3', 'dist'));
    }),
  );

  test('nothing to install when every root-found dependency is there: no notice, no npm', async () =>
    withDir(async (dir) => {
      const cache = fakeCache(dir, ['aws-lambda-ric', 'aws-lambda-ric-3', 'dynalite']);
      const said: string[] = [];
      for (const runtime of ['nodejs24.x', 'nodejs22.x'] as const) {
        await ensureLocalModeDeps(runtime, { roots: [cache], env: { PATH: bareNodePath(join(dir, runtime)) }, write: (t) => said.push(t), npm: join(dir, 'no-npm') });
      }
      assert.deepEqual(said, []);
    }),
  );

  test('without the build tools, it names the missing ones and the line that installs them, and installs nothing', async () =>
    withDir(async (dir) => {
      const env = { PATH: bareNodePath(dir), XDG_CACHE_HOME: join(dir, 'xdg') };
      const cache = localModeCacheDir(env);
      const cases = [
        ['nodejs24.x', /aws-lambda-ric@4\.0\.2 and dynalite@4\.0\.0 \(not installed\).*missing build tools: cmake, make, g\+\+\..*apt-get install -y cmake make g\+\+\n.*brew install cmake/s],
        ['nodejs22.x', /aws-lambda-ric-3@npm:aws-lambda-ric@3\.3\.0 and dynalite@4\.0\.0.*missing build tools: cmake, make, g\+\+, autoconf, automake, libtoolize\..*apt-get install -y cmake make g\+\+ autoconf automake libtool\n.*brew install cmake autoconf automake libtool/s],
      ] as const;
      for (const [runtime, message] of cases) {
        const said: string[] = [];
        await assert.rejects(ensureLocalModeDeps(runtime, { env, roots: [join(dir, 'nowhere'), cache], write: (t) => said.push(t) }), message);
        assert.deepEqual(said, [], 'no install notice when the install cannot start');
      }
      assert.equal(existsSync(cache), false, 'nothing written to the cache');
    }),
  );

  test('the notice before an install says what, why, where, how big, and which build tools it runs', () => {
    const notice = installNotice(localModeDepsFor('nodejs24.x'), '/c/local-mode/1.0.0');
    assert.match(notice, /needs aws-lambda-ric@4\.0\.2 \(AWS's runtime client 4\.x, as nodejs24\.x runs it\) and dynalite@4\.0\.0 \(the embedded DynamoDB server\)/);
    assert.match(notice, /Installing them once into \/c\/local-mode\/1\.0\.0 \(about 29 MB; .*compiles native code with cmake, make, g\+\+\)/);
    assert.match(installNotice([LOCAL_MODE_DEPS.dynalite], '/c'), /\(about 4 MB, seconds\)/);
  });

  test('missingTools lists each missing tool once, in the order the dependencies need them', () => {
    const deps = [LOCAL_MODE_DEPS['aws-lambda-ric-3'], LOCAL_MODE_DEPS['aws-lambda-ric'], LOCAL_MODE_DEPS.dynalite];
    assert.deepEqual(missingTools(deps, (c) => c === 'make').map((t) => t[0]), ['cmake', 'g++', 'autoconf', 'automake', 'libtoolize']);
    assert.deepEqual(missingTools(deps, () => true), []);
    assert.deepEqual(missingTools([LOCAL_MODE_DEPS.dynalite], () => false), []);
  });
});

test('no package of the repository imports a local-mode dependency except through localModeDeps', () => {
  const offenders: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, name.name);
      if (name.isDirectory()) walk(p);
      else if (/\.(ts|mjs)$/.test(name.name) && !name.name.endsWith('.d.ts')) {
        const text = readFileSync(p, 'utf8');
        if (/^import (?!type )[^;]*from '(aws-lambda-ric|dynalite)'/m.test(text) || /require(\.resolve)?\('(aws-lambda-ric|dynalite)'\)/.test(text)) offenders.push(p);
      }
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'cli'));
  assert.deepEqual(offenders, [], 'src/ and cli/ load aws-lambda-ric and dynalite only through cli/local/localModeDeps.ts');
});
