// A function that registers its own OpenTelemetry context manager before
// faultline starts (wrap() mode with its own SDK set-up): faultline keeps
// theirs, enters the invocation's context through it, and still attributes
// logs and spans to the invocation. A fresh process, so the globals are clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const INDEX = new URL('../../src/index.ts', import.meta.url).pathname;

test("with the function's own context manager registered first, logs and spans still belong to the invocation", () => {
  const script = `
    import http from 'node:http';
    import { context, trace } from '@opentelemetry/api';
    import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
    const theirs = new AsyncLocalStorageContextManager().enable();
    if (!context.setGlobalContextManager(theirs)) throw new Error('could not register the test context manager');
    const { wrap, logger } = await import(${JSON.stringify(INDEX)});
    const server = http.createServer((req, res) => res.end(req.headers.traceparent ?? 'none'));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    const h = wrap(async () => {
      await new Promise((r) => setTimeout(r, 1));
      logger.info('inside');
      const active = trace.getActiveSpan()?.spanContext().spanId;
      const body = await new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/x' }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      return { active, body, theirs: context['_getContextManager']() === theirs };
    });
    const out = await h({}, { awsRequestId: 'req-foreign', functionName: 'f', getRemainingTimeInMillis: () => 30000 });
    process.stdout.write('RESULT ' + JSON.stringify(out) + '\\n');
    server.close();`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_REGION: 'eu-west-1' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
  const lines = res.stdout.split('\n');
  const result = JSON.parse(lines.find((l) => l.startsWith('RESULT '))!.slice(7)) as { active: string; body: string; theirs: boolean };
  const records = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
  assert.equal(result.theirs, true, "the function's context manager stays the global one");
  const invocationSpan = records.find((r) => r.type === 'span' && r.kind === 'SERVER')!;
  const client = records.find((r) => r.type === 'span' && r.kind === 'CLIENT')!;
  const log = records.find((r) => r.message === 'inside')!;
  assert.equal(result.active, invocationSpan.spanId, 'the invocation span is active in the handler');
  assert.equal(log.requestId, 'req-foreign');
  assert.equal(log.spanId, invocationSpan.spanId);
  assert.equal(client.parentSpanId, invocationSpan.spanId);
  assert.equal(client.requestId, 'req-foreign');
  assert.match(result.body, new RegExp(`^00-${invocationSpan.traceId}-${client.spanId}-01$`), 'traceparent names the client span');
});
