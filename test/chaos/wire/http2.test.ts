// node:http2 client requests, traced and faulted, against a real HTTP/2
// server on 127.0.0.1: the Kinesis client with its default handler
// (NodeHttp2Handler) as a function uses it, and plain http2.connect callers.
// Faults that answer the request never open a stream on the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import { KinesisClient, PutRecordCommand, ProvisionedThroughputExceededException, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Fault } from '../../../src/chaos/ruleTypes.js';
import { PLAIN_BODY, PUT_RECORD_OUTPUT, startHttp2Target } from '../../helpers/http2Server.js';
import { useWireFaults } from '../../helpers/wireFaults.js';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

interface Answer {
  headers: IncomingHttpHeaders;
  body: string;
}

/** Reads one stream to its end: its response headers and body, or its error. */
function read(stream: ClientHttp2Stream): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let headers: IncomingHttpHeaders | undefined;
    let body = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => (headers = h));
    stream.on('data', (c: string) => (body += c));
    stream.on('end', () => (headers === undefined ? reject(new Error('no response')) : resolve({ headers, body })));
    stream.on('error', reject);
  });
}

describe('node:http2 requests traced and faulted at the wire', () => {
  const wire = useWireFaults(startHttp2Target, { reset: (t) => t.reset(), tearDown: () => clients.forEach((c) => c.destroy()) });
  const { engine } = wire;
  const clients: KinesisClient[] = [];
  const kinesis = (config: KinesisClientConfig = {}) => {
    const c = new KinesisClient({ endpoint: wire.server.origin, region: 'eu-west-1', credentials: CREDENTIALS, ...config });
    clients.push(c);
    return c;
  };
  const putRecord = (c: KinesisClient, opts?: { abortSignal?: AbortSignal }) =>
    c.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'p', Data: Buffer.from('{"id":1}') }), opts);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected the call to fail'),
      (e: unknown) => e as Error & { code?: string; $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string } },
    );
  const kinesisSpans = (): ReadableSpan[] => wire.otel.spans().filter((s) => s.name === 'Kinesis.PutRecord');


  describe('Kinesis, default client (NodeHttp2Handler)', () => {
    test('an unfaulted PutRecord: one CLIENT span with the HTTP and rpc attributes, traceparent received by the server', async () => {
      const out = await putRecord(kinesis());
      assert.equal(out.SequenceNumber, PUT_RECORD_OUTPUT.SequenceNumber);
      assert.deepEqual(engine.calls, [{ kind: 'aws', service: 'kinesis', operation: 'PutRecord', host: '127.0.0.1', path: '/' }]);
      const spans = kinesisSpans();
      assert.equal(spans.length, 1, JSON.stringify(wire.otel.spans().map((s) => s.name)));
      const s = spans[0]!;
      assert.equal(s.kind, 2 /* CLIENT */);
      assert.deepEqual(s.attributes, {
        'http.request.method': 'POST',
        'url.full': `${wire.server.origin}/`,
        'server.address': '127.0.0.1',
        'server.port': wire.server.port,
        'rpc.system.name': 'aws-api',
        'rpc.method': 'Kinesis/PutRecord',
        'network.protocol.version': '2',
        'http.response.status_code': 200,
        'aws.request_id': 'req-PutRecord',
      });
      assert.equal(s.status.code, SpanStatusCode.UNSET);
      assert.equal(wire.server.streams, 1);
      assert.equal(wire.server.seen[0]?.headers.traceparent, `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`);
      assert.deepEqual(JSON.parse(wire.server.seen[0]?.body ?? ''), { StreamName: 'orders', PartitionKey: 'p', Data: 'eyJpZCI6MX0=' });
    });

    test('ProvisionedThroughputExceededException: the named exception, retried per the SDK, then raised; no stream reaches the server', async () => {
      engine.reset((c) =>
        c.kind === 'aws' && c.operation === 'PutRecord' ? { type: 'error', error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' } } : undefined,
      );
      const c = kinesis();
      const err = await failure(putRecord(c));
      assert.ok(err instanceof ProvisionedThroughputExceededException, String(err));
      const maxAttempts = await c.config.maxAttempts();
      assert.ok(maxAttempts >= 3);
      assert.equal(err.$metadata?.httpStatusCode, 400);
      assert.equal(err.$metadata?.attempts, maxAttempts, 'every attempt the retry strategy allows');
      assert.match(err.$metadata?.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(wire.server.streams, 0, 'no request reached the server');
      assert.equal(engine.injectedFaults.length, maxAttempts);
      const spans = kinesisSpans();
      assert.equal(spans.length, maxAttempts, 'one span per attempt');
      for (const s of spans) {
        assert.equal(s.attributes['http.response.status_code'], 400);
        assert.match(String(s.attributes['aws.request_id']), /^[0-9a-f-]{36}$/);
        assert.equal(s.status.code, SpanStatusCode.ERROR);
        assert.equal(s.events.find((e) => e.name === 'chaos.fault')?.attributes?.['faultline.chaos.rule_id'], 'r1');
      }
    });

    test('a fault on the first attempt only: the SDK retry reaches the real server and succeeds', async () => {
      let n = 0;
      engine.reset(() => (n++ === 0 ? { type: 'error', error: { kind: 'aws', code: 'InternalFailure' } } : undefined));
      const out = await putRecord(kinesis());
      assert.equal(out.ShardId, PUT_RECORD_OUTPUT.ShardId);
      assert.equal(out.$metadata.attempts, 2);
      assert.equal(wire.server.streams, 1);
    });

    for (const code of ['ECONNRESET', 'ECONNREFUSED'] as const) {
      test(`a ${code} fault: the SDK retries it as the real failure, every attempt answered without the server`, async () => {
        engine.reset(() => ({ type: 'error', error: { kind: 'network', code } }));
        const c = kinesis();
        const err = await failure(putRecord(c));
        const maxAttempts = await c.config.maxAttempts();
        assert.equal(err.$metadata?.attempts, maxAttempts);
        assert.equal(engine.injectedFaults.length, maxAttempts);
        assert.equal(wire.server.streams, 0);
      });
    }

    // Each fault kind as the SDK sees it, with a client of one attempt (retries are the cases above).
    const cases: { name: string; fault: Fault; config?: KinesisClientConfig; abortMs?: number; reaches: boolean; check: (outcome: unknown) => void }[] = [
      {
        name: 'HTTP 503 on the AWS call: the service error with that status',
        fault: { type: 'error', error: { kind: 'http', status: 503 } },
        reaches: false,
        check: (e) => {
          assert.equal((e as Error).name, 'ServiceUnavailable');
          assert.equal((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 503);
        },
      },
      {
        name: 'ECONNRESET: the network error',
        fault: { type: 'error', error: { kind: 'network', code: 'ECONNRESET' } },
        reaches: false,
        check: (e) => assert.equal((e as { code?: string }).code, 'ECONNRESET'),
      },
      {
        name: "ECONNREFUSED: Node's cancel of a pending stream, caused by the refusal",
        fault: { type: 'error', error: { kind: 'network', code: 'ECONNREFUSED' } },
        reaches: false,
        check: (e) => {
          assert.equal((e as { code?: string }).code, 'ERR_HTTP2_STREAM_CANCEL');
          assert.equal(((e as { cause?: { code?: string } }).cause)?.code, 'ECONNREFUSED');
        },
      },
      {
        name: 'recorded response: the SDK parses the canned answer',
        fault: {
          type: 'respond',
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'placebo' },
          body: JSON.stringify({ ShardId: 'shardId-000000000009', SequenceNumber: '7' }),
        },
        reaches: false,
        check: (out) => {
          assert.equal((out as { ShardId: string }).ShardId, 'shardId-000000000009');
          assert.equal((out as { $metadata: { requestId: string } }).$metadata.requestId, 'placebo');
        },
      },
      {
        name: "timeout: held until the SDK's own requestTimeout",
        fault: { type: 'timeout', timeoutMs: undefined },
        config: { requestHandler: { requestTimeout: 150 } },
        reaches: false,
        check: (e) => assert.equal((e as Error).name, 'TimeoutError'),
      },
      {
        name: "timeout: held until the caller's abortSignal",
        fault: { type: 'timeout', timeoutMs: undefined },
        abortMs: 150,
        reaches: false,
        check: (e) => assert.equal((e as Error).name, 'AbortError'),
      },
      {
        name: 'timeout without a client timeout: the rule budget ends it as ETIMEDOUT',
        fault: { type: 'timeout', timeoutMs: 150 },
        reaches: false,
        check: (e) => assert.equal((e as { code?: string }).code, 'ETIMEDOUT'),
      },
      {
        name: 'latency: the real request after the delay',
        fault: { type: 'latency', latencyMs: 150, jitterMs: 0 },
        reaches: true,
        check: (out) => assert.equal((out as { SequenceNumber: string }).SequenceNumber, PUT_RECORD_OUTPUT.SequenceNumber),
      },
      {
        name: 'corrupt json: the real response with values of the wrong types',
        fault: { type: 'corrupt', corruption: 'json' },
        reaches: true,
        // The SDK keeps what it is given: a string field arrives as a number.
        check: (out) => assert.equal((out as { ShardId: unknown }).ShardId, PUT_RECORD_OUTPUT.ShardId.length),
      },
      {
        name: 'corrupt garble: the real response, unparseable',
        fault: { type: 'corrupt', corruption: 'garble' },
        reaches: true,
        check: (e) => assert.ok(e instanceof Error && /Deserialization|JSON|Unexpected/i.test(`${e.name} ${e.message}`), String(e)),
      },
    ];
    for (const c of cases) {
      test(`each fault kind as the SDK sees it — ${c.name}`, async () => {
        engine.reset(() => c.fault);
        const client = kinesis({ maxAttempts: 1, ...c.config });
        const t0 = Date.now();
        const outcome = await putRecord(client, c.abortMs === undefined ? undefined : { abortSignal: AbortSignal.timeout(c.abortMs) }).catch((e: unknown) => e);
        c.check(outcome);
        if (c.fault.type === 'latency') assert.ok(Date.now() - t0 >= 140, 'held back'); // a lower bound only
        assert.equal(wire.server.streams, c.reaches ? 1 : 0, c.reaches ? 'the real request went out once' : 'no stream reached the server');
        assert.equal(engine.injectedFaults.length, 1);
        const spans = kinesisSpans();
        assert.equal(spans.length, 1);
        assert.equal(spans[0]!.events.filter((e) => e.name === 'chaos.fault').length, 1);
        assert.equal(spans[0]!.attributes['network.protocol.version'], '2');
        if (outcome instanceof Error && !c.reaches) assert.equal(spans[0]!.status.code, SpanStatusCode.ERROR);
      });
    }
  });

  describe('plain http2.connect callers', () => {
    let session: ClientHttp2Session;
    before(() => {
      session = http2.connect(wire.server.origin);
    });
    after(() => session.close());

    test('a GET: span, traceparent, the response as sent', async () => {
      const got = await read(session.request({ ':path': '/items?id=1' }));
      assert.equal(got.headers[':status'], 200);
      assert.deepEqual(JSON.parse(got.body), PLAIN_BODY);
      const spans = wire.otel.spans();
      assert.equal(spans.length, 1);
      assert.equal(spans[0]!.name, 'GET');
      assert.equal(spans[0]!.attributes['url.full'], `${wire.server.origin}/items?id=1`);
      assert.equal(spans[0]!.attributes['http.response.status_code'], 200);
      assert.equal(wire.server.seen[0]?.headers.traceparent, `00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-01`);
    });

    test("the caller's headers object is not changed, and a caller's own traceparent is replaced, not doubled", async () => {
      const headers = {
        ':path': '/x',
        ':method': 'POST',
        'Content-Type': 'text/plain',
        Traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
        'x-secret': 's3cr3t',
        [http2.sensitiveHeaders]: ['x-secret'],
      };
      const copy = { ...headers };
      const stream = session.request(headers);
      stream.end('hello');
      await read(stream);
      assert.deepEqual(headers, copy);
      const sent = wire.server.seen[0]!.headers;
      assert.equal(sent['content-type'], 'text/plain');
      assert.deepEqual((sent as Record<symbol, unknown>)[http2.sensitiveHeaders], ['x-secret'], 'the caller\'s never-indexed headers stay never-indexed');
      assert.equal(sent.traceparent, `00-${wire.otel.spans()[0]!.spanContext().traceId}-${wire.otel.spans()[0]!.spanContext().spanId}-01`);
      assert.equal(wire.server.seen[0]!.body, 'hello');
    });

    test('a faulted request on an open session never opens a stream; the session serves the next request', async () => {
      engine.reset(() => ({ type: 'respond', status: 418, headers: { 'x-placebo': '1' }, body: 'teapot' }));
      const got = await read(session.request({ ':path': '/brew', ':method': 'POST' }).end('beans') as ClientHttp2Stream);
      assert.equal(got.headers[':status'], 418);
      assert.equal(got.headers['x-placebo'], '1');
      assert.equal(got.headers['content-length'], '6');
      assert.equal(got.body, 'teapot');
      assert.equal(wire.server.streams, 0);
      engine.reset();
      assert.equal((await read(session.request({ ':path': '/after' }))).headers[':status'], 200);
      assert.equal(wire.server.streams, 1);
      assert.equal(wire.otel.spans().length, 2);
      assert.equal(wire.otel.spans()[0]!.attributes['http.response.status_code'], 418);
      assert.equal(wire.otel.spans()[0]!.status.code, SpanStatusCode.ERROR);
    });

    test("a canned answer to a request still sending: once its end is read the stream closes, as after a server's early answer and reset", async () => {
      engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 429 } }));
      const stream = session.request({ ':path': '/stream', ':method': 'POST' });
      stream.write('first event');
      const closed = new Promise<void>((resolve) => stream.on('close', () => resolve()));
      const got = await read(stream);
      assert.equal(got.headers[':status'], 429);
      await closed;
      assert.equal(stream.rstCode, http2.constants.NGHTTP2_NO_ERROR);
      assert.equal(stream.writableEnded, false, 'the caller never ended its side');
      assert.equal(wire.server.streams, 0);
    });

    test('latency holds a POST whose body the caller writes in pieces, then sends all of it', async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 100, jitterMs: 0 }));
      const stream = session.request({ ':path': '/upload', ':method': 'POST' });
      stream.write('one,');
      stream.write('two,');
      stream.end('three');
      const got = await read(stream);
      assert.deepEqual(JSON.parse(got.body), PLAIN_BODY);
      assert.equal(wire.server.seen[0]?.body, 'one,two,three');
      assert.equal(wire.server.streams, 1);
    });

    test("latency and a caller that sends trailers (waitForTrailers): the request completes with the caller's trailers", async () => {
      engine.reset(() => ({ type: 'latency', latencyMs: 50, jitterMs: 0 }));
      const stream = session.request({ ':path': '/with-trailers', ':method': 'POST' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc' }));
      stream.end('payload');
      assert.deepEqual(JSON.parse((await read(stream)).body), PLAIN_BODY);
      assert.equal(wire.server.seen[0]?.body, 'payload');
      assert.equal(wire.server.seen[0]?.trailers?.['x-checksum'], 'abc');
      assert.equal(wire.server.streams, 1);
    });

    test('corrupt truncate: half the real body, content-length fixed up', async () => {
      engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
      const full = JSON.stringify(PLAIN_BODY);
      const got = await read(session.request({ ':path': '/c' }));
      assert.equal(got.headers['content-length'], String(Math.floor(full.length / 2)));
      assert.equal(got.body, full.slice(0, Math.floor(full.length / 2)));
      assert.equal(wire.server.streams, 1);
    });

    test('a hung request closed by its caller: the stream closes, the span ends as an error, the server saw nothing', async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const stream = session.request({ ':path': '/hang' });
      const closed = new Promise<void>((resolve) => stream.on('close', () => resolve()));
      stream.setTimeout(50, () => stream.close(http2.constants.NGHTTP2_CANCEL));
      await closed;
      assert.equal(stream.rstCode, http2.constants.NGHTTP2_CANCEL);
      assert.equal(wire.server.streams, 0);
      const spans = wire.otel.spans();
      assert.equal(spans.length, 1);
      assert.equal(spans[0]!.status.code, SpanStatusCode.ERROR);
      assert.equal(spans[0]!.attributes['error.type'], 'ERR_HTTP2_STREAM_CANCEL');
    });

    test('an AbortSignal given to request() ends a hung request with AbortError', async () => {
      engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
      const ac = new AbortController();
      const stream = session.request({ ':path': '/hang' }, { signal: ac.signal });
      const failed = read(stream).then(
        () => assert.fail('expected the abort'),
        (e: unknown) => e as Error,
      );
      ac.abort();
      assert.equal((await failed).name, 'AbortError');
      assert.equal(wire.server.streams, 0);
    });
  });
});
