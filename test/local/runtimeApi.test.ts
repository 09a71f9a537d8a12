// The Runtime API server, driven over real HTTP the way a runtime client drives it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';

import { MAX_RESPONSE_BYTES, startRuntimeApi, type RuntimeApi } from '../../cli/local/runtimeApi.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(api: RuntimeApi, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const [host, port] = api.address.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const NEXT = '/2018-06-01/runtime/invocation/next';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:f';

describe('Runtime API', () => {
  let api: RuntimeApi;
  const seen: string[] = [];
  before(async () => {
    api = await startRuntimeApi({
      onInitDone: () => void seen.push('init-done'),
      onInvocationStart: (id) => void seen.push(`start ${id}`),
    });
  });
  after(() => api.close());

  test('listens on 127.0.0.1 with an OS-chosen port', () => {
    assert.match(api.address, /^127\.0\.0\.1:\d+$/);
    assert.equal(api.initDone, false);
  });

  test('/next hands out the event with Lambda’s headers; /response settles the invocation', async () => {
    const result = api.invoke(
      { order: 42 },
      { requestId: 'req-1', timeoutMs: 3000, traceHeader: 'Root=1-a-b;Parent=c;Sampled=1', invokedFunctionArn: ARN, clientContext: '{"custom":{"k":"v"}}' },
    );
    const before = Date.now();
    const next = await call(api, 'GET', NEXT);
    assert.equal(api.initDone, true);
    assert.equal(next.status, 200);
    assert.deepEqual(JSON.parse(next.body), { order: 42 });
    assert.equal(next.headers['lambda-runtime-aws-request-id'], 'req-1');
    assert.equal(next.headers['lambda-runtime-invoked-function-arn'], ARN);
    assert.equal(next.headers['lambda-runtime-trace-id'], 'Root=1-a-b;Parent=c;Sampled=1');
    assert.equal(next.headers['lambda-runtime-client-context'], '{"custom":{"k":"v"}}');
    assert.equal(next.headers['lambda-runtime-cognito-identity'], undefined);
    const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
    assert.ok(deadline >= before + 3000, `deadline ${deadline} is the hand-out time plus the timeout`);

    const posted = await call(api, 'POST', '/2018-06-01/runtime/invocation/req-1/response', JSON.stringify({ ok: true }));
    assert.equal(posted.status, 202);
    assert.deepEqual(await result, { kind: 'response', requestId: 'req-1', payload: { ok: true } });
    assert.deepEqual(seen, ['init-done', 'start req-1']);
  });

  test('/error settles the invocation with the runtime’s error document', async () => {
    const result = api.invoke(null, { requestId: 'req-2', timeoutMs: 1000, invokedFunctionArn: ARN });
    const next = await call(api, 'GET', NEXT);
    assert.equal(next.body, 'null');
    await call(
      api,
      'POST',
      '/2018-06-01/runtime/invocation/req-2/error',
      JSON.stringify({ errorType: 'TypeError', errorMessage: 'x is not a function', trace: ['TypeError: x', '  at h'] }),
      { 'Lambda-Runtime-Function-Error-Type': 'TypeError' },
    );
    assert.deepEqual(await result, { kind: 'error', requestId: 'req-2', errorType: 'TypeError', errorMessage: 'x is not a function', trace: ['TypeError: x', '  at h'] });
  });

  test('an error body that is not JSON keeps the header’s type and the raw text', async () => {
    const result = api.invoke({}, { requestId: 'req-3', timeoutMs: 1000, invokedFunctionArn: ARN });
    await call(api, 'GET', NEXT);
    await call(api, 'POST', '/2018-06-01/runtime/invocation/req-3/error', 'boom', { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Unknown' });
    assert.deepEqual(await result, { kind: 'error', requestId: 'req-3', errorType: 'Runtime.Unknown', errorMessage: 'boom', trace: [] });
  });

  test('a post for a request id not in flight is refused with 400', async () => {
    const r = await call(api, 'POST', '/2018-06-01/runtime/invocation/nope/response', '{}');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).errorType, 'InvalidRequestID');
  });

  test('an unknown route is a 404', async () => {
    const r = await call(api, 'GET', '/2018-06-01/runtime/invocation/whatever');
    assert.equal(r.status, 404);
  });

  test('a response over 6 MB fails the invocation with Function.ResponseSizeTooLarge', async () => {
    const result = api.invoke({}, { requestId: 'req-big', timeoutMs: 1000, invokedFunctionArn: ARN });
    await call(api, 'GET', NEXT);
    const big = Buffer.alloc(MAX_RESPONSE_BYTES + 10, 0x61);
    const r = await call(api, 'POST', '/2018-06-01/runtime/invocation/req-big/response', big);
    assert.equal(r.status, 413);
    const got = await result;
    assert.equal(got.kind, 'error');
    assert.equal(got.kind === 'error' && got.errorType, 'Function.ResponseSizeTooLarge');
  });

  test('invocations queue until the runtime asks for them, in order', async () => {
    const a = api.invoke('a', { requestId: 'q-a', timeoutMs: 1000, invokedFunctionArn: ARN });
    const b = api.invoke('b', { requestId: 'q-b', timeoutMs: 1000, invokedFunctionArn: ARN });
    const n1 = await call(api, 'GET', NEXT);
    assert.equal(n1.headers['lambda-runtime-aws-request-id'], 'q-a');
    await call(api, 'POST', '/2018-06-01/runtime/invocation/q-a/response', '"A"');
    const n2 = await call(api, 'GET', NEXT);
    assert.equal(n2.headers['lambda-runtime-aws-request-id'], 'q-b');
    await call(api, 'POST', '/2018-06-01/runtime/invocation/q-b/response', '"B"');
    assert.deepEqual([await a, await b].map((r) => r.kind === 'response' && r.payload), ['A', 'B']);
  });

  test('abandonAll ends the invocation in flight with the caller’s result; the runtime’s late post is refused', async () => {
    const result = api.invoke({}, { requestId: 'req-late', timeoutMs: 1000, invokedFunctionArn: ARN });
    await call(api, 'GET', NEXT);
    api.abandonAll((requestId, started) => ({ kind: 'error', requestId, errorType: 'Sandbox.Timedout', errorMessage: `started=${started}`, trace: [] }));
    assert.deepEqual(await result, { kind: 'error', requestId: 'req-late', errorType: 'Sandbox.Timedout', errorMessage: 'started=true', trace: [] });
    const late = await call(api, 'POST', '/2018-06-01/runtime/invocation/req-late/response', '{}');
    assert.equal(late.status, 400);
  });
});

describe('Runtime API init errors', () => {
  test('/init/error fails waiting and later invocations with init-error', async () => {
    const errors: string[] = [];
    const api = await startRuntimeApi({ onInitError: (e) => void errors.push(e.errorType) });
    try {
      const waiting = api.invoke({}, { requestId: 'w-1', timeoutMs: 1000, invokedFunctionArn: ARN });
      const r = await call(
        api,
        'POST',
        '/2018-06-01/runtime/init/error',
        JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'app'", trace: [] }),
        { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' },
      );
      assert.equal(r.status, 202);
      assert.deepEqual(await waiting, {
        kind: 'init-error',
        requestId: 'w-1',
        errorType: 'Runtime.ImportModuleError',
        errorMessage: "Error: Cannot find module 'app'",
        trace: [],
      });
      const later = await api.invoke({}, { requestId: 'w-2', timeoutMs: 1000, invokedFunctionArn: ARN });
      assert.equal(later.kind, 'init-error');
      assert.deepEqual(errors, ['Runtime.ImportModuleError']);
    } finally {
      await api.close();
    }
  });

  test('close() ends a waiting /next poll and pending invocations', async () => {
    const api = await startRuntimeApi();
    const pending = api.invoke({}, { requestId: 'c-1', timeoutMs: 1000, invokedFunctionArn: ARN });
    const [host, port] = api.address.split(':');
    // Take the event, then poll again: that second poll is left waiting.
    await call(api, 'GET', NEXT);
    const poll = new Promise<string>((resolve) => {
      const req = request({ host, port: Number(port), path: NEXT, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve('ended'));
      });
      req.on('error', () => resolve('reset'));
      req.end();
    });
    await api.close();
    assert.equal((await pending).kind, 'error');
    assert.ok(['ended', 'reset'].includes(await poll));
  });
});
