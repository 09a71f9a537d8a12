// `faultline local --runtime`: which runtime is emulated, its AWS_EXECUTION_ENV
// and Node-specific paths in the environment, and which node runs it (this one,
// the cached one, or this one said so when the runtime's is missing).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { createFunctionPool } from '../../cli/local/functionPool.js';
import { buildLambdaEnv, LOCAL_CREDENTIALS, runtimeVersion } from '../../cli/local/lambdaEnv.js';
import {
  awsLambdaRic4,
  cachedNodePath,
  DEFAULT_RUNTIME,
  describeRuntimeNode,
  executionEnvOf,
  findRuntimeNode,
  LAMBDA_NODE_RUNTIMES,
  nodejs22Client,
  parseRuntime,
  runtimeClientOf,
  runtimeMajor,
  runtimeNodeDiffers,
} from '../../cli/local/runtimeNode.js';
import { runtimeNode } from '../helpers/runtimeNodes.js';
import { fixture } from './support.js';

const root = new URL('../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'faultline-runtime-node-'));
after(() => rmSync(work, { recursive: true, force: true }));
const OWN_MAJOR = Number(process.versions.node.split('.')[0]);

describe('parseRuntime', () => {
  for (const [text, expected] of [
    ['nodejs24.x', 'nodejs24.x'],
    ['nodejs22.x', 'nodejs22.x'],
    [' NodeJS22.x ', 'nodejs22.x'],
  ] as const) {
    test(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(parseRuntime(text), expected));
  }
  for (const bad of ['nodejs20.x', 'nodejs18.x', 'node24', '24', '', 'python3.12', 'nodejs26.x']) {
    test(`${JSON.stringify(bad)} is refused, naming it and the runtimes there are`, () => {
      assert.throws(() => parseRuntime(bad), (err: Error) => err.message.includes(JSON.stringify(bad)) && err.message.includes('nodejs24.x, nodejs22.x'));
    });
  }
  test('the default is the newest runtime', () => {
    assert.equal(DEFAULT_RUNTIME, 'nodejs24.x');
    assert.deepEqual(LAMBDA_NODE_RUNTIMES.map(runtimeMajor), [24, 22]);
  });
});

describe('findRuntimeNode', () => {
  for (const runtime of LAMBDA_NODE_RUNTIMES) {
    const major = runtimeMajor(runtime);
    test(`${runtime} with an empty cache: ${major === OWN_MAJOR ? 'this node' : 'this node, said so, with how to get Node ' + major}`, () => {
      const env = { XDG_CACHE_HOME: join(work, 'empty') };
      const node = findRuntimeNode(runtime, env);
      assert.equal(node.path, process.execPath);
      assert.equal(node.matches, major === OWN_MAJOR);
      if (!node.matches) {
        assert.match(describeRuntimeNode(node), new RegExp(`no Node ${major} found .*npm pack node-${process.platform}-${process.arch}@${major}`));
      }
    });

    test(`${runtime}: the cached Node ${major} when this node is another major`, () => {
      const real = runtimeNode(runtime);
      const cacheHome = join(work, `cache-${major}`);
      const link = cachedNodePath(major, { XDG_CACHE_HOME: cacheHome });
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(real.path, link);
      const node = findRuntimeNode(runtime, { XDG_CACHE_HOME: cacheHome });
      assert.equal(node.matches, true);
      assert.equal(node.version.split('.')[0], `v${major}`);
      assert.equal(node.path, major === OWN_MAJOR ? process.execPath : link);
      assert.match(describeRuntimeNode(node), new RegExp(`^runtime ${runtime.replace('.', '\\.')} on Node v${major}\\.`));
    });
  }
});

test('the environment of each runtime: its AWS_EXECUTION_ENV, its Node first on PATH, its layer path, its runtime version', () => {
  for (const runtime of LAMBDA_NODE_RUNTIMES) {
    const major = runtimeMajor(runtime);
    const node = { runtime, major, path: `/opt/node-${major}/bin/node`, version: `v${major}.3.1`, matches: true, client: runtimeClientOf(runtime) };
    const env = buildLambdaEnv(
      { name: 'fn', handler: 'index.handler', codeDir: '/var/task', layers: ['/opt/layer'] },
      { runtime: node, runtimeApi: '127.0.0.1:9001', logStreamName: 's', region: 'eu-west-1', initializationType: 'on-demand', runtimeDir: '/var/runtime', credentials: LOCAL_CREDENTIALS },
    );
    assert.equal(env.AWS_EXECUTION_ENV, executionEnvOf(runtime));
    assert.equal(env.AWS_EXECUTION_ENV, `AWS_Lambda_nodejs${major}.x`);
    assert.equal(env.PATH!.split(':')[0], `/opt/node-${major}/bin`);
    assert.equal(env.NODE_PATH!.split(':')[0], `/opt/layer/nodejs/node${major}/node_modules`);
    assert.equal(runtimeVersion('eu-west-1', node).version, `nodejs:${major}.v3`);
  }
});

test('faultline local --runtime refuses a runtime it does not emulate, naming the ones it does', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', 'bin.js'), 'local', '--runtime', 'nodejs20.x', '--log-dir', join(work, 'logs')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    timeout: 60_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--runtime nodejs20\.x: expected one of nodejs24\.x, nodejs22\.x/);
});

describe('the runtime client of each runtime, as Lambda runs it', () => {
  test('nodejs24.x runs aws-lambda-ric 4.x; nodejs22.x runs 3.x (the devDependency aws-lambda-ric-3), and the runtime line names it', () => {
    const c24 = runtimeClientOf('nodejs24.x');
    const c22 = runtimeClientOf('nodejs22.x');
    assert.match(c24.name, /^aws-lambda-ric 4\.\d+\.\d+$/);
    assert.match(c22.name, /^aws-lambda-ric 3\.\d+\.\d+$/);
    assert.equal(c24.fallback, undefined);
    assert.equal(c22.fallback, undefined, 'aws-lambda-ric-3 is a devDependency: npm install in faultline\'s repository installs it');
    const node = findRuntimeNode('nodejs22.x');
    assert.match(describeRuntimeNode(node), / with aws-lambda-ric 3\.\d+\.\d+/);
  });

  test('without aws-lambda-ric-3 (an installed faultline), nodejs22.x runs 4.x and the runtime line says so', () => {
    const missing = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    const client = nodejs22Client(missing);
    assert.equal(client.entry, awsLambdaRic4().entry);
    assert.match(client.name, /^aws-lambda-ric 4\./);
    const node = { runtime: 'nodejs22.x' as const, major: 22, path: '/opt/node-22/bin/node', version: 'v22.3.1', matches: true, client };
    const line = describeRuntimeNode(node);
    assert.match(line, /^runtime nodejs22\.x on Node v22\.3\.1 \(\/opt\/node-22\/bin\/node\) with aws-lambda-ric 4\.\d+\.\d+: /);
    assert.match(line, /runtime client 3\.x of nodejs22\.x is not installed \(aws-lambda-ric-3.*callback handlers are refused, as on Lambda Managed Instances/);
    assert.equal(runtimeNodeDiffers(node), true);
    assert.equal(runtimeNodeDiffers({ ...node, client: awsLambdaRic4() }), false);
  });

  test('a callback handler answers under nodejs22.x (through its callback) and is refused at init under nodejs24.x', async () => {
    const outcomes = new Map<string, unknown>();
    for (const runtime of LAMBDA_NODE_RUNTIMES) {
      const pool = createFunctionPool({
        logDir: join(work, `callback-${runtime}`),
        runtime: runtimeNode(runtime),
        functions: [{ name: 'callback', handler: 'index.handler', codeDir: fixture('callback'), timeoutSeconds: 30 }],
        initTimeoutMs: 60_000,
      });
      try {
        const r = await pool.invoke('callback', { hello: runtime });
        outcomes.set(runtime, r.kind === 'response' ? { kind: r.kind, payload: r.payload } : { kind: r.kind, errorType: r.errorType });
      } finally {
        await pool.close();
      }
    }
    assert.deepEqual(outcomes.get('nodejs22.x'), { kind: 'response', payload: { ok: true, format: 'callback', echo: { hello: 'nodejs22.x' } } });
    assert.deepEqual(outcomes.get('nodejs24.x'), { kind: 'init-error', errorType: 'Runtime.CallbackHandlerDeprecated' });
  });
});
