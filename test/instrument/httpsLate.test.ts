// node:https is instrumented when the function loads it, not loaded by the
// agent (src/instrument/builtinWatch.ts). Each case is a fresh process, so
// nothing else has loaded https before the agent starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;

/** Runs `body` (ES module code, with `wrap`, `ctx` and `call(https)` in scope) in a fresh process; returns stdout lines, parsed. */
function run(body: string): { lines: Record<string, any>[]; stderr: string } {
  const script = `
    const { wrap } = await import(${JSON.stringify(INDEX)});
    const ctx = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 30000 };
    // A call that fails fast (nothing listens on port 9), enough for a client span.
    const call = (https) => new Promise((resolve) => {
      const req = https.request('https://127.0.0.1:9/x');
      req.on('error', () => resolve());
      req.end();
    });
    const loaded = () => process.moduleLoadList.includes('NativeModule https');
    ${body}`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  return { lines: res.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>), stderr: res.stderr };
}

const httpsSpans = (lines: Record<string, any>[]) =>
  lines.filter((l) => l.type === 'span' && l.kind === 'CLIENT' && String(l.attributes['url.full']).startsWith('https://'));

test('the agent loads neither node:http nor node:https itself', () => {
  const { lines } = run(`
    const h = wrap(async () => ({ httpsLoaded: loaded(), httpLoaded: process.moduleLoadList.includes('NativeModule http') }));
    console.log(JSON.stringify(await h({}, ctx)));`);
  assert.ok(lines.some((l) => l.httpsLoaded === false && l.httpLoaded === false && !('level' in l)), JSON.stringify(lines));
});

test('node:http required by the handler is traced from that call on, with traceparent', () => {
  const { lines } = run(`
    const { createRequire } = await import('node:module');
    const h = wrap(async () => {
      const http = createRequire(import.meta.url)('http');
      await new Promise((resolve) => {
        const req = http.request('http://127.0.0.1:9/x');
        req.on('error', () => resolve());
        req.end();
      });
    });
    await h({}, ctx);`);
  const spans = lines.filter((l) => l.type === 'span' && l.kind === 'CLIENT' && String(l.attributes['url.full']).startsWith('http://'));
  assert.equal(spans.length, 1, JSON.stringify(lines));
  assert.equal(spans[0]!.requestId, 'r');
});

test('https required by the handler during an invocation is traced from that call on', () => {
  const { lines } = run(`
    const { createRequire } = await import('node:module');
    const h = wrap(async () => { await call(createRequire(import.meta.url)('https')); });
    await h({}, ctx);`);
  const spans = httpsSpans(lines);
  assert.equal(spans.length, 1, JSON.stringify(lines));
  assert.equal(spans[0]!.attributes['url.full'], 'https://127.0.0.1:9/x');
  assert.equal(spans[0]!.status.code, 'ERROR');
  assert.equal(spans[0]!.requestId, 'r');
});

test('https imported by the function module before wrap() is traced, named exports included', () => {
  const { lines } = run(`
    const https = await import('node:https');
    const h = wrap(async () => {
      await call(https.default);
      await call({ request: https.request });
    });
    await h({}, ctx);`);
  assert.equal(httpsSpans(lines).length, 2, JSON.stringify(lines));
});

test('https imported with import() inside a handler is traced from the next invocation', () => {
  const { lines } = run(`
    const h = wrap(async () => { await call((await import('node:https')).default); });
    await h({}, ctx);
    await h({}, ctx);`);
  assert.equal(httpsSpans(lines).length, 1, JSON.stringify(lines));
});
