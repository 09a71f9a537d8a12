// The package as users get it: `npm pack`, installed into another project.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync, statSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { localModeCacheDir } from '../../cli/local/localModeDeps.js';
import { cachedNodePath } from '../../cli/local/runtimeNode.js';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
let work: string;
let project: string;
let installLog: string;
/** PATH for the install and the installed commands: node and npm, and no cmake, make, g++ or cc. */
let barePath: string;

/** The file `command` runs from PATH. */
function which(command: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  throw new Error(`${command} is not on PATH`);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
  // npm test has built dist/ and the layer; prepack would rebuild them under the other tests' feet.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  for (const required of [
    'dist/src/index.js',
    'dist/src/handler.js',
    'dist/cli/bin.js',
    'layer/faultline-wrapper',
    'README.md',
    // The layer faultline local attaches, and the zips layer/template.yaml deploys.
    'dist/layer/faultline/faultline-wrapper',
    'dist/layer/faultline/nodejs/node_modules/faultline/index.js',
    'dist/layer/faultline/nodejs/node_modules/faultline/handler.js',
    'dist/layer/faultline.zip',
    'dist/layer/faultline-observe.zip',
  ]) {
    assert.ok(paths.includes(required), `${required} is in the tarball`);
  }
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('src/')), 'no tests or TypeScript sources shipped');
  project = join(work, 'app');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync(which('npm'), join(bin, 'npm'));
  barePath = bin;
  // Install scripts run, as for a user; dependencies come from the npm cache that `npm ci` filled.
  const install = spawnSync('npm', ['install', join(work, filename), '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project,
    encoding: 'utf8',
    env: { PATH: barePath, HOME: process.env.HOME, npm_config_cache: process.env.npm_config_cache },
  });
  installLog = `${install.stdout}\n${install.stderr}`;
  assert.equal(install.status, 0, `npm install with no compiler on PATH: ${installLog}`);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('import { wrap } from "faultline" works in an installed project', () => {
  writeFileSync(
    join(project, 'fn.mjs'),
    `import { wrap, logger } from 'faultline';
     export const handler = wrap(async (event) => { logger.info('hi', { n: event.n }); return event.n * 2; });
     const r = await handler({ n: 21 }, { awsRequestId: 'r-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:app', getRemainingTimeInMillis: () => 3000 });
     process.stderr.write('RESULT ' + r + '\\n');`,
  );
  const res = spawnSync(process.execPath, ['fn.mjs'], { cwd: project, encoding: 'utf8', env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'app' } });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /RESULT 42/);
  const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.message === 'hi' && l.n === 21 && l.requestId === 'r-1'));
  assert.ok(lines.some((l) => l.type === 'span'));
  assert.ok(lines.some((l) => l._aws));
});

test('faultline/handler loads FAULTLINE_HANDLER from LAMBDA_TASK_ROOT', () => {
  writeFileSync(join(project, 'user.cjs'), `exports.main = async (e) => ({ got: e.x });`);
  writeFileSync(
    join(project, 'run.mjs'),
    `const { handler } = await import('faultline/handler');
     process.stderr.write('RESULT ' + JSON.stringify(await handler({ x: 1 }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 })) + '\\n');`,
  );
  const res = spawnSync(process.execPath, ['run.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: project, FAULTLINE_HANDLER: 'user.main' },
  });
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stderr, /RESULT \{"got":1\}/);
});

test('the faultline bin is installed and executable', () => {
  const bin = join(project, 'node_modules', '.bin', 'faultline');
  assert.ok(existsSync(bin));
  assert.ok(statSync(join(project, 'node_modules', 'faultline', 'dist', 'cli', 'bin.js')).mode & 0o111);
  const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: faultline/);
  const bad = spawnSync(bin, ['chaos', 'set', 'orders', '--target', 'nope:x', '--fault', 'error', '--error', '503', '--table', 't'], { encoding: 'utf8' });
  assert.equal(bad.status, 2, `usage error exits 2: ${bad.stderr}`);
  assert.match(bad.stderr, /target/);
  assert.ok(readdirSync(join(project, 'node_modules', 'faultline', 'dashboards')).some((f) => f.endsWith('.json')));
});

/** Every package directory under a node_modules tree. */
function installedPackages(modules: string): string[] {
  const out: string[] = [];
  for (const name of existsSync(modules) ? readdirSync(modules) : []) {
    if (name.startsWith('.')) continue;
    const dir = join(modules, name);
    if (name.startsWith('@')) {
      for (const sub of readdirSync(dir)) out.push(join(dir, sub), ...installedPackages(join(dir, sub, 'node_modules')));
    } else out.push(dir, ...installedPackages(join(dir, 'node_modules')));
  }
  return out;
}

test('npm install faultline is pure JavaScript: no install scripts, no native code, no local-mode dependencies', () => {
  const packages = installedPackages(join(project, 'node_modules'));
  assert.ok(packages.some((p) => p.endsWith('/faultline')));
  const native = packages.filter((dir) => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
    const scripts = manifest.scripts ?? {};
    return 'preinstall' in scripts || 'install' in scripts || 'postinstall' in scripts || manifest.gypfile === true || existsSync(join(dir, 'binding.gyp'));
  });
  assert.deepEqual(native, [], 'packages that build or run code on install');
  for (const heavy of ['aws-lambda-ric', 'dynalite']) assert.ok(!existsSync(join(project, 'node_modules', heavy)), `${heavy} is not installed`);
});

test('the install warns of no engine mismatch on the Node versions faultline supports', (t) => {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) return t.skip(`Node ${process.version} is below engines.node ${pkg.engines.node}`);
  assert.doesNotMatch(installLog, /EBADENGINE/);
});

test('faultline --help and faultline chaos --help run from the installed package', () => {
  const bin = join(project, 'node_modules', '.bin', 'faultline');
  for (const args of [['--help'], ['chaos', '--help']]) {
    const r = spawnSync(bin, args, { encoding: 'utf8', env: { PATH: barePath, HOME: process.env.HOME } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: faultline/);
  }
});

test('faultline local, its dependencies not installed and no compiler: it says what it needs and how to get it', () => {
  const xdg = join(work, 'xdg-empty');
  const r = spawnSync(join(project, 'node_modules', '.bin', 'faultline'), ['local', '--duration', '8s'], {
    cwd: project,
    encoding: 'utf8',
    env: { PATH: barePath, HOME: process.env.HOME, XDG_CACHE_HOME: xdg },
    timeout: 60_000,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /faultline local needs aws-lambda-ric@4\.0\.2 and dynalite@4\.0\.0 \(not installed\)/);
  assert.match(r.stderr, /missing build tools: cmake, make, g\+\+/);
  assert.match(r.stderr, /apt-get install -y cmake make g\+\+/);
  assert.doesNotMatch(r.stderr, /layer is not built/);
  assert.equal(existsSync(localModeCacheDir({ XDG_CACHE_HOME: xdg }, pkg.version)), false, 'nothing half-installed');
});

test('faultline local runs a game day from the installed package with its dependencies in the cache', () => {
  // The cache as an on-demand install leaves it, holding the repository's own builds (no 2-minute native build here).
  const xdg = join(work, 'xdg');
  const cache = localModeCacheDir({ XDG_CACHE_HOME: xdg }, pkg.version);
  mkdirSync(join(cache, 'node_modules'), { recursive: true });
  writeFileSync(join(cache, 'package.json'), '{"private":true}');
  for (const id of ['aws-lambda-ric', 'dynalite']) symlinkSync(join(root, 'node_modules', id), join(cache, 'node_modules', id));
  // The runtime's Node, where npm run runtimes keeps it.
  const node24 = cachedNodePath(24);
  if (existsSync(node24)) {
    mkdirSync(join(xdg, 'faultline'), { recursive: true });
    symlinkSync(join(node24, '..', '..'), join(xdg, 'faultline', 'node-24'));
  }
  const r = spawnSync(join(project, 'node_modules', '.bin', 'faultline'), ['local', '--duration', '8s', '--rps', '4', '--log-dir', join(work, 'logs')], {
    cwd: project,
    encoding: 'utf8',
    env: { PATH: barePath, HOME: process.env.HOME, XDG_CACHE_HOME: xdg, NO_COLOR: '1' },
    timeout: 180_000,
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /runtime nodejs24\.x on Node v[\d.]+ .* with aws-lambda-ric 4\.0\.2/);
  assert.doesNotMatch(r.stderr, /Installing them once/);
  assert.ok(readdirSync(join(work, 'logs')).length > 0, 'the functions logged');
});
