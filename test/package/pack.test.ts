// The package as users get it: `npm pack`, installed into another project.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const root = new URL('../..', import.meta.url).pathname;
let work: string;
let project: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'faultline-pack-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  for (const required of ['dist/src/index.js', 'dist/src/handler.js', 'dist/cli/bin.js', 'layer/faultline-wrapper', 'README.md']) {
    assert.ok(paths.includes(required), `${required} is in the tarball`);
  }
  assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('src/')), 'no tests or TypeScript sources shipped');
  project = join(work, 'app');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  // Dependencies come from the npm cache that `npm ci` filled; install scripts are not needed for these checks.
  execFileSync('npm', ['install', join(work, filename), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: project,
    stdio: 'ignore',
  });
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
