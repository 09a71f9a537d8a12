// node:http2 is instrumented when the function loads it, never loaded by the
// agent (src/instrument/builtinWatch.ts). Each case is a fresh process with an
// HTTP/2 server of its own on 127.0.0.1, started after the agent so that the
// agent is installed before anything has loaded http2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;

/** Runs `body` (ES module code, with `wrap`, `ctx` and `get(http2, origin)` in scope) in a fresh process; returns stdout lines, parsed. */
function run(body: string): Record<string, any>[] {
  const script = `
    const { wrap } = await import(${JSON.stringify(INDEX)});
    const ctx = { awsRequestId: 'r', functionName: 'f', getRemainingTimeInMillis: () => 30000 };
    const loaded = () => process.moduleLoadList.includes('NativeModule http2');
    const seen = [];
    async function serve(http2) {
      const server = http2.createServer((req, res) => { seen.push(req.headers.traceparent); res.end('ok'); });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, origin: 'http://127.0.0.1:' + server.address().port };
    }
    // One GET on a fresh session, read to its end.
    const get = (connect, origin) => new Promise((resolve, reject) => {
      const session = connect(origin);
      const stream = session.request({ ':path': '/x' });
      stream.on('error', reject);
      stream.resume();
      stream.on('end', () => { session.close(); resolve(); });
    });
    ${body}`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
}

const http2Spans = (lines: Record<string, any>[]) => lines.filter((l) => l.type === 'span' && l.kind === 'CLIENT' && l.attributes['network.protocol.version'] === '2');

test('the agent does not load node:http2 itself', () => {
  const lines = run(`
    const h = wrap(async () => ({ http2Loaded: loaded() }));
    console.log(JSON.stringify(await h({}, ctx)));`);
  assert.ok(lines.some((l) => l.http2Loaded === false && !('level' in l)), JSON.stringify(lines));
});

test('http2 required by the handler is traced from that call on, with traceparent', () => {
  const lines = run(`
    const { createRequire } = await import('node:module');
    const h = wrap(async () => {
      const http2 = createRequire(import.meta.url)('http2');
      const { server, origin } = await serve(http2);
      await get(http2.connect, origin);
      server.close();
      console.log(JSON.stringify({ seen }));
    });
    await h({}, ctx);`);
  const spans = http2Spans(lines);
  assert.equal(spans.length, 1, JSON.stringify(lines));
  assert.equal(spans[0]!.requestId, 'r');
  assert.equal(spans[0]!.attributes['http.response.status_code'], 200);
  // The handler's console.log is a log line of the invocation: its message is the JSON.
  const logged = lines.find((l) => typeof l.message === 'string' && l.message.startsWith('{"seen"'));
  assert.deepEqual((JSON.parse(String(logged?.message)) as { seen: string[] }).seen, [`00-${spans[0]!.traceId}-${spans[0]!.spanId}-01`]);
});

test("http2 imported by the function module before wrap() is traced, its named export 'connect' included", () => {
  const lines = run(`
    const http2 = await import('node:http2');
    const h = wrap(async () => {
      const { server, origin } = await serve(http2.default);
      await get(http2.connect, origin);
      await get(http2.default.connect, origin);
      server.close();
    });
    await h({}, ctx);`);
  assert.equal(http2Spans(lines).length, 2, JSON.stringify(lines));
});
