// "Never leak", as a rule: a fixed corpus of secrets (AWS secret keys and
// session tokens, JWTs, Bearer/Basic credentials, URL passwords, cookies,
// x-api-key, passwords, a key named in FAULTLINE_REDACT) is placed in every
// input an invocation has — the event's headers, query string and body, the
// environment, console arguments (flat, nested, as errors), logger fields and
// messages, the function's own span, an outgoing call's URL and headers, the
// thrown error — and appears nowhere in what faultline writes. In-process through wrap(), with a real
// HTTP server on 127.0.0.1 for the outgoing call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import type { AddressInfo } from 'node:net';
import { createAgent, installAgent } from '../../src/agent.js';
import { wrap } from '../../src/wrap.js';
import { captureConsole } from '../../src/telemetry/logging/logger.js';
import { MemorySink, lambdaContext, TEST_ENV } from '../helpers/memorySink.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleSessionTokenValue0123456789abcdef';
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

interface Entry {
  readonly name: string;
  /** What must appear nowhere. */
  readonly secret: string;
  /** The secret the way a header carries it. */
  readonly header: readonly [string, string];
  /** The secret the way a query string carries it. */
  readonly query: readonly [string, string];
  /** The secret under a key of an object. */
  readonly field: readonly [string, string];
  /** The secret in free text (messages, error messages and stacks). */
  readonly text: string;
}

const CORPUS: readonly Entry[] = [
  {
    name: 'AWS secret access key (also in the environment)',
    secret: AWS_SECRET,
    header: ['x-aws-secret-access-key', AWS_SECRET],
    query: ['aws_secret_access_key', AWS_SECRET],
    field: ['secretAccessKey', AWS_SECRET],
    text: `signing with ${AWS_SECRET} failed`,
  },
  {
    name: 'AWS session token (also in the environment)',
    secret: SESSION_TOKEN,
    header: ['x-amz-security-token', SESSION_TOKEN],
    query: ['X-Amz-Security-Token', SESSION_TOKEN],
    field: ['sessionToken', SESSION_TOKEN],
    text: `credentials expired: ${SESSION_TOKEN}`,
  },
  {
    name: 'JWT',
    secret: JWT.split('.')[1]!,
    header: ['authorization', `Bearer ${JWT}`],
    query: ['access_token', JWT],
    field: ['idToken', JWT],
    text: `rejected ${JWT} as expired`,
  },
  {
    name: 'Bearer token',
    secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    header: ['authorization', 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    query: ['token', '9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    field: ['authorization', 'Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'],
    text: 'upstream said 401 for Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  },
  {
    name: 'Basic credentials',
    secret: 'YXBwOmh1bnRlcjJodW50ZXIy',
    header: ['authorization', 'Basic YXBwOmh1bnRlcjJodW50ZXIy'],
    query: ['authorization', 'Basic YXBwOmh1bnRlcjJodW50ZXIy'],
    field: ['Authorization', 'Basic YXBwOmh1bnRlcjJodW50ZXIy'],
    text: 'sent Basic YXBwOmh1bnRlcjJodW50ZXIy to the proxy',
  },
  {
    name: 'URL password',
    secret: 'Pg-S3cret-pw',
    header: ['x-database-url', 'postgres://app:Pg-S3cret-pw@db.internal:5432/orders'],
    query: ['redirect', 'postgres://app:Pg-S3cret-pw@db.internal:5432/orders'],
    field: ['databaseUrl', 'postgres://app:Pg-S3cret-pw@db.internal:5432/orders'],
    text: 'connect ECONNREFUSED postgres://app:Pg-S3cret-pw@db.internal:5432/orders',
  },
  {
    name: 'cookie',
    secret: 'c00kie-5e55ion-value',
    header: ['cookie', 'theme=dark; session=c00kie-5e55ion-value'],
    query: ['cookie', 'session=c00kie-5e55ion-value'],
    field: ['cookie', 'session=c00kie-5e55ion-value'],
    text: 'Cookie: theme=dark; session=c00kie-5e55ion-value',
  },
  {
    name: 'x-api-key',
    secret: 'k3y-4p1-0123456789abcdef',
    header: ['x-api-key', 'k3y-4p1-0123456789abcdef'],
    query: ['api_key', 'k3y-4p1-0123456789abcdef'],
    field: ['x-api-key', 'k3y-4p1-0123456789abcdef'],
    text: 'x-api-key: k3y-4p1-0123456789abcdef was refused',
  },
  {
    name: 'password',
    secret: 'hunter2-pw-value',
    header: ['x-password', 'hunter2-pw-value'],
    query: ['password', 'hunter2-pw-value'],
    field: ['password', 'hunter2-pw-value'],
    text: 'login failed: {"user":"bob","password":"hunter2-pw-value"}',
  },
  {
    name: 'key named in FAULTLINE_REDACT',
    secret: '078-05-1120-ssn',
    header: ['ssn', '078-05-1120-ssn'],
    query: ['ssn', '078-05-1120-ssn'],
    field: ['ssn', '078-05-1120-ssn'],
    text: 'customer record ssn=078-05-1120-ssn rejected',
  },
];

let server: Server;
let port: number;
before(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function eventWith(e: Entry) {
  const [h, hv] = e.header;
  const [q, qv] = e.query;
  const [f, fv] = e.field;
  return {
    version: '2.0',
    routeKey: 'POST /orders',
    rawPath: '/orders',
    rawQueryString: `${encodeURIComponent(q)}=${encodeURIComponent(qv)}&page=2`,
    queryStringParameters: { [q]: qv, page: '2' },
    cookies: e.header[0] === 'cookie' ? [hv] : undefined,
    headers: { 'content-type': 'application/json', 'user-agent': 'curl/8', [h]: hv },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      http: { method: 'POST', path: '/orders', protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'curl/8' },
      requestId: 'r',
      routeKey: 'POST /orders',
      stage: '$default',
      time: '23/Nov/2026:19:00:00 +0000',
      timeEpoch: 1795460400000,
    },
    body: JSON.stringify({ [f]: fv, note: e.text }),
    isBase64Encoded: false,
  };
}

for (const entry of CORPUS) {
  test(`secret corpus: ${entry.name} appears nowhere in what faultline writes`, async () => {
    const sink = new MemorySink();
    const agent = createAgent({
      env: { ...TEST_ENV, FAULTLINE_REDACT: 'ssn', AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE00', AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_SESSION_TOKEN: SESSION_TOKEN },
      sink,
      captureConsole: false,
    });
    installAgent(agent);
    const con = new console.Console({ stdout: process.stdout });
    const restore = captureConsole(agent.logger, con);
    const [f, fv] = entry.field;
    const [q, qv] = entry.query;
    const [h, hv] = entry.header;
    const thrown = new Error(`failed: ${entry.text}`);
    Object.assign(thrown, { config: { headers: { [h]: hv } }, response: { [f]: fv } });
    const handler = wrap(async (event: { body: string }) => {
      const { logger } = await import('../../src/index.js');
      const body = JSON.parse(event.body) as Record<string, unknown>;
      con.log('request body', body);
      con.log(body);
      con.info('nested', { level1: { level2: { level3: { [f]: fv, list: [{ [f]: fv }, entry.text] } } } });
      con.warn(entry.text);
      con.warn('%s and %o', entry.text, { [f]: fv });
      con.error('call failed', thrown);
      logger.info(entry.text, { [f]: fv, note: entry.text, nested: { [f]: fv } });
      // The function's own OpenTelemetry span (the agent's tracer is the global one in a function's process;
      // here each test has an agent of its own): attributes, an exception event and a status message.
      const own = agent.tracer.startSpan('own work', { attributes: { [f]: fv, note: entry.text } });
      own.setAttribute('list', [entry.text, 'plain']);
      own.recordException(thrown);
      own.addEvent('retry', { reason: entry.text });
      own.setStatus({ code: SpanStatusCode.ERROR, message: entry.text });
      own.end();
      agent.tracer.startSpan(`GET ${entry.text}`).updateName(`retry ${entry.text}`).end();
      logger.appendKeys({ [f]: fv });
      logger.warn('with appended keys');
      const url = `http://127.0.0.1:${port}/call?${encodeURIComponent(q)}=${encodeURIComponent(qv)}&raw=${qv.includes('://') ? qv : 'x'}`;
      const res = await fetch(url, { headers: { [h]: hv } });
      await res.text();
      await new Promise<void>((resolve, reject) => {
        import('node:http').then(({ request }) => {
          const req = request(url, { headers: { [h]: hv } }, (r) => {
            r.resume();
            r.on('end', resolve);
          });
          req.on('error', reject);
          req.end();
        }, reject);
      });
      throw thrown;
    });
    await assert.rejects(handler(eventWith(entry), lambdaContext('req-corpus') as any), (err) => err === thrown);
    restore();
    installAgent(null);

    // The function's own error is untouched: only what faultline writes is redacted.
    assert.ok(thrown.message.includes(entry.secret));
    const out = sink.lines.join('\n');
    assert.ok(sink.spans().some((s) => s.kind === 'CLIENT'), 'the outgoing calls were traced');
    assert.ok(sink.spans().some((s) => s.name === 'own work' && s.events.length === 2), 'the function\'s own span was written');
    assert.ok(sink.spans().some((s) => s.kind === 'SERVER' && s.status?.code === 'ERROR'), 'the invocation span records the error');
    assert.ok(sink.logs().length >= 8, 'the console and logger lines were written');
    for (const line of sink.lines) assert.ok(!line.includes(entry.secret), `${entry.name} leaked in:\n${line}`);
    assert.ok(!out.includes(AWS_SECRET) && !out.includes(SESSION_TOKEN), 'environment credentials leaked');
  });
}
