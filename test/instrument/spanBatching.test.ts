// Client span lines of a running invocation are written together with its
// invocation span (one stdout write per invocation instead of one per call),
// so still before the response is returned; a call that outlives its
// invocation is written when it ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgent, installAgent } from '../../src/agent.js';
import { wrap } from '../../src/wrap.js';
import { MemorySink, lambdaContext, TEST_ENV } from '../helpers/memorySink.js';

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

test('client spans are written with their invocation span, before the response', async () => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url === '/hold') held.push(res);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    const sink = new MemorySink();
    installAgent(createAgent({ env: TEST_ENV, sink, captureConsole: false }));
    let linesDuringInvocation = -1;
    let background: Promise<Response> | undefined;
    const handler = wrap(async () => {
      assert.equal(await get(port, '/a'), 200);
      const res = await fetch(`http://127.0.0.1:${port}/b`);
      await res.text();
      linesDuringInvocation = sink.spans().length;
      background = fetch(`http://127.0.0.1:${port}/hold`); // outlives the invocation
      background.catch(() => {});
      return 'done';
    });
    assert.equal(await handler({}, lambdaContext('req-batch') as any), 'done');
    assert.equal(linesDuringInvocation, 0, 'the two finished client spans wait for the invocation span');

    const records = sink.records();
    const kinds = records.map((r) => (r.type === 'span' ? `${r.kind} ${r.attributes['url.full'] ?? ''}`.trim() : r._aws !== undefined ? 'EMF' : 'log'));
    assert.deepEqual(kinds, [`CLIENT http://127.0.0.1:${port}/a`, `CLIENT http://127.0.0.1:${port}/b`, 'SERVER', 'EMF']);
    assert.ok(records.slice(0, 3).every((r) => r.requestId === 'req-batch'));

    // The held call ends after the invocation: its line goes out as soon as it ends.
    while (held.length === 0) await new Promise((r) => setImmediate(r));
    held[0]!.end('late');
    await (await background!).text();
    while (sink.spans().length < 4) await new Promise((r) => setImmediate(r));
    const late = sink.spans()[3]!;
    assert.equal(late.kind, 'CLIENT');
    assert.equal(late.attributes['url.full'], `http://127.0.0.1:${port}/hold`);
    assert.equal(late.requestId, 'req-batch');
  } finally {
    installAgent(null);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
