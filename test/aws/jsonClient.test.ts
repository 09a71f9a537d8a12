// The CLI's AWS JSON client against real HTTP servers on 127.0.0.1: what it
// sends (signed as SigV4 wants), how it reads errors, when it retries, and
// that it gives up in bounded time and lets go of its connections.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { NodeSha256 } from '../helpers/sdkSha256.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsNetworkError, AwsServiceError } from '../../cli/aws/awsError.js';
import type { CredentialProvider } from '../../cli/aws/credentials.js';
import { createJsonClient, DYNAMODB_JSON, LOGS_JSON, type AwsJsonClient, type JsonClientOptions } from '../../cli/aws/jsonClient.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Answer = { status: number; headers?: Record<string, string>; body: string } | 'hang';

interface Scripted {
  readonly server: Server;
  readonly url: string;
  readonly received: Received[];
  /** Sockets the server accepted, and whether each has closed. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

const servers: Scripted[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

/** A server answering the n-th request (from 0) with `script(n, request)`. */
async function scripted(script: (n: number, req: Received) => Answer): Promise<Scripted> {
  const received: Received[] = [];
  const sockets: Socket[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const answer = script(received.length - 1, r);
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
      res.end(answer.body);
    });
  });
  server.on('connection', (s) => sockets.push(s));
  const port = await listen(server);
  const s = { server, url: `http://127.0.0.1:${port}`, received, sockets, close: () => closeServer(server) };
  servers.push(s);
  return s;
}

const KEYS = { accessKeyId: 'AKIDJSONTEST', secretAccessKey: 'json-secret', sessionToken: undefined };
const fixed = (c: { accessKeyId: string; secretAccessKey: string; sessionToken: string | undefined } = KEYS): CredentialProvider => () => Promise.resolve(c);

/** Records the waits between attempts instead of sleeping them. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

async function client(url: string, opts: Partial<JsonClientOptions> = {}): Promise<AwsJsonClient> {
  return createJsonClient({
    protocol: DYNAMODB_JSON,
    endpoint: { url: new URL(url), region: 'eu-west-3', from: 'test' },
    credentials: fixed(),
    sleep: recordingSleep().sleep,
    ...opts,
  });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a rejection');
}


/** The Authorization the SDK's signer computes for the request as it arrived, over the headers it names as signed. */
async function sdkAuthorization(r: Received, credentials: typeof KEYS | { accessKeyId: string; secretAccessKey: string; sessionToken: string }, region: string, service: string): Promise<string> {
  const signed = /SignedHeaders=([^,]+)/.exec(String(r.headers['authorization']))![1]!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signed) if (name !== 'x-amz-date' && name !== 'x-amz-security-token') headers[name] = String(r.headers[name]);
  const date = String(r.headers['x-amz-date']);
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const signer = new SignatureV4({ credentials, region, service, sha256: NodeSha256, applyChecksum: false });
  const [hostname, port] = String(r.headers['host']).split(':');
  const out = (await signer.sign(
    { method: r.method, protocol: 'http:', hostname, port: port === undefined ? undefined : Number(port), path: r.url, query: {}, headers, body: r.body } as never,
    { signingDate, signableHeaders: new Set(signed) },
  )) as unknown as { headers: Record<string, string> };
  return out.headers['authorization']!;
}

const ok = (body: unknown = {}): Answer => ({ status: 200, body: JSON.stringify(body) });

test('the request: POST /, JSON body, X-Amz-Target, content type, SigV4 authorization for the region and service', async () => {
  const s = await scripted(() => ok({ Table: { TableStatus: 'ACTIVE' } }));
  const c = await client(s.url);
  try {
    const out = await c.call<{ Table: { TableStatus: string } }>('DescribeTable', { TableName: 'rules' });
    assert.deepEqual(out, { Table: { TableStatus: 'ACTIVE' } });
  } finally {
    c.destroy();
  }
  const [r] = s.received;
  assert.equal(r?.method, 'POST');
  assert.equal(r?.url, '/');
  assert.deepEqual(JSON.parse(r!.body), { TableName: 'rules' });
  assert.equal(r?.headers['x-amz-target'], 'DynamoDB_20120810.DescribeTable');
  assert.equal(r?.headers['content-type'], 'application/x-amz-json-1.0');
  assert.equal(r?.headers['content-length'], String(Buffer.byteLength(r!.body)));
  const date = r?.headers['x-amz-date'];
  assert.match(String(date), /^\d{8}T\d{6}Z$/);
  const auth = String(r?.headers['authorization']);
  assert.match(auth, new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDJSONTEST/${String(date).slice(0, 8)}/eu-west-3/dynamodb/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`));
  for (const h of ['host', 'x-amz-date', 'x-amz-target', 'content-type']) assert.match(auth, new RegExp(`SignedHeaders=[^,]*\\b${h}\\b`), h);
  assert.equal(r?.headers['x-amz-security-token'], undefined);
  assert.equal(auth, await sdkAuthorization(r!, KEYS, 'eu-west-3', 'dynamodb'), 'the signature the SDK computes for the request as it arrived');
});

test('a session token goes in x-amz-security-token and is signed; CloudWatch Logs speaks awsJson1_1 as logs', async () => {
  const s = await scripted(() => ok());
  const c = await client(s.url, { protocol: LOGS_JSON, credentials: fixed({ ...KEYS, sessionToken: 'session/token+1' }) });
  try {
    await c.call('DescribeLogGroups', {});
  } finally {
    c.destroy();
  }
  const [r] = s.received;
  assert.equal(r?.headers['x-amz-security-token'], 'session/token+1');
  assert.match(String(r?.headers['authorization']), /\/eu-west-3\/logs\/aws4_request, SignedHeaders=[^,]*x-amz-security-token/);
  assert.equal(r?.headers['x-amz-target'], 'Logs_20140328.DescribeLogGroups');
  assert.equal(r?.headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(r?.headers['authorization'], await sdkAuthorization(r!, { ...KEYS, sessionToken: 'session/token+1' }, 'eu-west-3', 'logs'));
});

test('an endpoint with a path posts to that path', async () => {
  const s = await scripted(() => ok());
  const c = await client(`${s.url}/dynamo/`);
  try {
    await c.call('ListTables', {});
  } finally {
    c.destroy();
  }
  assert.equal(s.received[0]?.url, '/dynamo/');
});

test('errors: the code from __type (namespace dropped), code, or x-amzn-errortype; message, status and request id kept', async () => {
  const cases: Array<[string, Answer, { name: string; message: string; statusCode: number; requestId?: string }]> = [
    ['__type with namespace', { status: 400, headers: { 'x-amzn-requestid': 'req-1' }, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }) },
      { name: 'ResourceNotFoundException', message: 'Requested resource not found', statusCode: 400, requestId: 'req-1' }],
    ['coral namespace, Message', { status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', Message: 'The security token included in the request is invalid.' }) },
      { name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', statusCode: 400 }],
    ['code in the body', { status: 400, body: JSON.stringify({ code: 'AccessDeniedException', message: 'no' }) }, { name: 'AccessDeniedException', message: 'no', statusCode: 400 }],
    ['Code in any case', { status: 400, body: JSON.stringify({ Code: 'ValidationException', message: 'bad' }) }, { name: 'ValidationException', message: 'bad', statusCode: 400 }],
    ['header only, with a trailing URL', { status: 403, headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' }, body: '' },
      { name: 'AccessDeniedException', message: 'HTTP 403', statusCode: 403 }],
    ['body type before the header, as the SDK reads JSON-RPC', { status: 400, headers: { 'x-amzn-errortype': 'HeaderName' }, body: JSON.stringify({ __type: 'a.b#BodyName' }) },
      { name: 'BodyName', message: 'HTTP 400', statusCode: 400 }],
    ['several codes: the first', { status: 400, body: JSON.stringify({ __type: 'ns#FirstException,ns#Second' }) }, { name: 'FirstException', message: 'HTTP 400', statusCode: 400 }],
    ['non-JSON body', { status: 400, body: '<html>bad gateway</html>' }, { name: 'HTTP400', message: 'HTTP 400', statusCode: 400 }],
    ['JSON that is not an object', { status: 400, body: '["x"]' }, { name: 'HTTP400', message: 'HTTP 400', statusCode: 400 }],
    ['2xx with a body that is not JSON', { status: 200, body: 'not json' }, { name: 'BadResponse', message: 'HTTP 200 with a body that is not a JSON object', statusCode: 200 }],
    ['2xx with a JSON array', { status: 200, body: '[1,2]' }, { name: 'BadResponse', message: 'HTTP 200 with a body that is not a JSON object', statusCode: 200 }],
    ['2xx with JSON null', { status: 200, body: 'null' }, { name: 'BadResponse', message: 'HTTP 200 with a body that is not a JSON object', statusCode: 200 }],
  ];
  for (const [name, answer, want] of cases) {
    const s = await scripted(() => answer);
    const c = await client(s.url);
    try {
      const err = await rejection(c.call('GetItem', {}));
      assert.ok(err instanceof AwsServiceError, `${name}: ${String(err)}`);
      assert.deepEqual({ name: err.name, message: err.message, statusCode: err.statusCode, ...(err.requestId && { requestId: err.requestId }) }, want, name);
      assert.equal(s.received.length, 1, `${name}: not retried`);
    } finally {
      c.destroy();
    }
  }
});

test('an empty 2xx body is an empty answer', async () => {
  const s = await scripted(() => ({ status: 200, body: '' }));
  const c = await client(s.url);
  try {
    assert.deepEqual(await c.call('UpdateTimeToLive', {}), {});
  } finally {
    c.destroy();
  }
});

test('retries: a 503 then 200 is one success after two requests, with one backoff wait', async () => {
  const s = await scripted((n) => (n === 0 ? { status: 503, body: '' } : ok({ Items: [] })));
  const { waits, sleep } = recordingSleep();
  const c = await client(s.url, { sleep, maxAttempts: 2 });
  try {
    assert.deepEqual(await c.call('Scan', { TableName: 't' }), { Items: [] });
  } finally {
    c.destroy();
  }
  assert.equal(s.received.length, 2);
  assert.equal(waits.length, 1);
  assert.ok(waits[0]! >= 0 && waits[0]! < 100, `first backoff within 100 ms: ${waits[0]}`);
  assert.equal(s.received[0]?.body, s.received[1]?.body);
});

test('retries: throttling (by code and by 429) is retried with the throttling base', async () => {
  for (const first of [
    { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' }) },
    { status: 400, body: JSON.stringify({ __type: 'ThrottlingException' }) },
    { status: 429, body: '' },
  ]) {
    const s = await scripted((n) => (n === 0 ? first : ok()));
    const { waits, sleep } = recordingSleep();
    const c = await client(s.url, { sleep, maxAttempts: 3 });
    try {
      await c.call('PutItem', {});
    } finally {
      c.destroy();
    }
    assert.equal(s.received.length, 2, first.body);
    assert.equal(waits.length, 1);
    assert.ok(waits[0]! < 500, `throttled backoff within 500 ms: ${waits[0]}`);
  }
});

test('a 400 ValidationException, a conditional check failure and an access denied are not retried', async () => {
  for (const type of ['ValidationException', 'ConditionalCheckFailedException', 'AccessDeniedException']) {
    const s = await scripted(() => ({ status: 400, body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: 'no' }) }));
    const { waits, sleep } = recordingSleep();
    const c = await client(s.url, { sleep, maxAttempts: 5 });
    try {
      const err = await rejection(c.call('PutItem', {}));
      assert.equal(err.name, type);
    } finally {
      c.destroy();
    }
    assert.equal(s.received.length, 1, type);
    assert.deepEqual(waits, []);
  }
});

test('maxAttempts bounds the requests; the last error is the one thrown', async () => {
  for (const maxAttempts of [1, 2, 4]) {
    const s = await scripted((n) => ({ status: 500, body: JSON.stringify({ __type: 'InternalServerError', message: `attempt ${n + 1}` }) }));
    const { waits, sleep } = recordingSleep();
    const c = await client(s.url, { sleep, maxAttempts });
    try {
      const err = await rejection(c.call('Query', {}));
      assert.ok(err instanceof AwsServiceError);
      assert.equal(err.message, `attempt ${maxAttempts}`);
    } finally {
      c.destroy();
    }
    assert.equal(s.received.length, maxAttempts);
    assert.equal(waits.length, maxAttempts - 1);
  }
});

test('a server that never answers: TimeoutError after the request timeout', async () => {
  const s = await scripted(() => 'hang');
  const c = await client(s.url, { requestTimeoutMs: 150, maxAttempts: 1 });
  try {
    const err = await rejection(c.call('Scan', {}));
    assert.ok(err instanceof AwsNetworkError, String(err));
    assert.equal(err.code, 'TimeoutError');
    assert.equal(err.name, 'TimeoutError');
  } finally {
    c.destroy();
  }
});

test('a timed-out attempt is retried like a network failure', async () => {
  const s = await scripted((n) => (n === 0 ? 'hang' : ok({ Count: 0 })));
  const c = await client(s.url, { requestTimeoutMs: 150, maxAttempts: 2 });
  try {
    assert.deepEqual(await c.call('Scan', {}), { Count: 0 });
  } finally {
    c.destroy();
  }
  assert.equal(s.received.length, 2);
});

test('connection refused: AwsNetworkError ECONNREFUSED, after maxAttempts tries', async () => {
  const port = await closedPort();
  const { waits, sleep } = recordingSleep();
  const c = await client(`http://127.0.0.1:${port}`, { sleep, maxAttempts: 2 });
  try {
    const err = await rejection(c.call('Scan', {}));
    assert.ok(err instanceof AwsNetworkError, String(err));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(waits.length, 1);
  } finally {
    c.destroy();
  }
});

test('an abort signal ends the call with AbortError and no retry, also when aborted before the call', async () => {
  const s = await scripted(() => 'hang');
  const c = await client(s.url, { maxAttempts: 3 });
  try {
    const abort = new AbortController();
    const call = c.call('Scan', {}, { signal: abort.signal });
    while (s.received.length === 0) await new Promise((r) => setImmediate(r));
    abort.abort();
    const err = await rejection(call);
    assert.equal(err.name, 'AbortError');
    assert.equal(s.received.length, 1);

    const early = await rejection(c.call('Scan', {}, { signal: AbortSignal.abort() }));
    assert.equal(early.name, 'AbortError');
    assert.equal(s.received.length, 1);
  } finally {
    c.destroy();
  }
});

test('credentials that cannot be had end the call with the provider\'s error, before any request', async () => {
  const s = await scripted(() => ok());
  const failing: CredentialProvider = () => Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  const c = await client(s.url, { credentials: failing, maxAttempts: 3 });
  try {
    const err = await rejection(c.call('Scan', {}));
    assert.equal(err.name, 'CredentialsProviderError');
  } finally {
    c.destroy();
  }
  assert.equal(s.received.length, 0);
});

test('connections are kept alive between calls, and destroy() closes them (the server sees the close)', async () => {
  const s = await scripted(() => ok());
  const c = await client(s.url);
  await c.call('Scan', {});
  await c.call('Scan', {});
  assert.equal(s.sockets.length, 1, 'one connection for both calls');
  const socket = s.sockets[0]!;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  c.destroy();
  await closed;
  assert.equal(socket.destroyed, true);
});

test('an IPv6 endpoint (http://[::1]:port) is reached, and the host header keeps its brackets', async (t) => {
  const hosts: string[] = [];
  const server = createServer((req, res) => {
    hosts.push(String(req.headers.host));
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  const port = await new Promise<number | undefined>((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(0, '::1', () => resolve((server.address() as { port: number }).port));
  });
  if (port === undefined) return t.skip('no IPv6 loopback here');
  const c = await client(`http://[::1]:${port}`, { maxAttempts: 1 });
  try {
    assert.deepEqual(await c.call('ListTables', {}), {});
  } finally {
    c.destroy();
    await closeServer(server);
  }
  assert.deepEqual(hosts, [`[::1]:${port}`]);
});
