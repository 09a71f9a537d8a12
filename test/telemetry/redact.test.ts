// The redactor (src/telemetry/redaction/redact.ts, scrubText.ts): one key list for log
// fields, console arguments, span attributes and both directions' query
// strings; free text scrubbed of credentials and otherwise left readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createRedactor, REDACTED } from '../../src/telemetry/redaction/redact.js';
import { captureConsole, createLogger } from '../../src/telemetry/logging/logger.js';
import { readConfig } from '../../src/config.js';
import { fullUrl } from '../../src/instrument/clientSpan.js';
import { httpAttributes } from '../../src/telemetry/triggers/index.js';
import { MemorySink, TEST_ENV } from '../helpers/memorySink.js';
import { runAsInvocation, type InvocationState } from '../../src/invocationState.js';

const ENV_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const r = createRedactor(['ssn'], [ENV_SECRET]);

test('scrubText: credentials in free text are replaced, the rest of the text stays as it was', () => {
  const cases: [string, string][] = [
    ['connect postgres://app:pw@db/x failed', `connect postgres://app:${REDACTED}@db/x failed`],
    ['redis://:s3cr3t@cache:6379/0', `redis://:${REDACTED}@cache:6379/0`],
    ['mongodb://u:p@ss@h/db', `mongodb://u:${REDACTED}@h/db`],
    ['Authorization: Bearer abc123def456', `Authorization: ${REDACTED}`],
    ['got 401 for bearer abc123def456 from api', `got 401 for bearer ${REDACTED} from api`],
    ['proxy sent Basic dXNlcjpwYXNz back', `proxy sent Basic ${REDACTED} back`],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl expired', `jwt ${REDACTED} expired`],
    ['{"user":"bob","password":"hunter2"}', `{"user":"bob","password":"${REDACTED}"}`],
    ["{ password: 'hunter2', user: 'bob' }", `{ password: '${REDACTED}', user: 'bob' }`],
    ['password=hunter2 host=db', `password=${REDACTED} host=db`],
    ['ssn: 078-05-1120 ok', `ssn: ${REDACTED} ok`],
    ['Cookie: theme=dark; session=abc', `Cookie: ${REDACTED}`],
    ['https://h/p?sig=abc&b=1', `https://h/p?sig=${REDACTED}&b=1`],
    [`key ${ENV_SECRET} in text`, `key ${REDACTED} in text`],
    ['x-api-key: k-123 refused', `x-api-key: ${REDACTED} refused`],
    // readable text with the same words, untouched
    ['basic settings loaded', 'basic settings loaded'],
    ['Bearer authentication failed', 'Bearer authentication failed'],
    ['Secrets Manager GetSecretValue failed', 'Secrets Manager GetSecretValue failed'],
    ['lesson: 3', 'lesson: 3'],
    ['http://host:8080/a@b', 'http://host:8080/a@b'],
    ['https://user@host/x', 'https://user@host/x'],
    ['    at handler (/var/task/secrets.js:12:5)', '    at handler (/var/task/secrets.js:12:5)'],
    ['order 1234 shipped to Berlin', 'order 1234 shipped to Berlin'],
    ['', ''],
  ];
  for (const [input, want] of cases) assert.equal(r.scrubText(input), want, input);
});

/** Secrets in the shapes the scrubber recognises, each with the part that must go. */
const secretShapes = fc.oneof(
  fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9!$*+-]{1,24}$/)).map(([u, p]) => ({
    text: `postgres://${u}:${p}@db.internal:5432/x`,
    secret: `:${p}@`,
  })),
  fc.stringMatching(/^[A-Za-z0-9._~+/-]{7,40}[0-9A-Z]$/).map((t) => ({ text: `Authorization: Bearer ${t}`, secret: t })),
  fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/).map((p) => ({ text: `eyJhbGciOiJIUzI1NiJ9.eyJ${p}.${p}`, secret: `eyJ${p}` })),
  fc.tuple(fc.constantFrom('password', 'db_password', 'apiKey', 'x-api-key', 'client_secret', 'ssn', 'Token'), fc.constantFrom('=', ': ', '":"'), fc.stringMatching(/^[A-Za-z0-9]{6,30}$/)).map(
    ([k, sep, v]) => ({ text: sep === '":"' ? `{"${k}":"${v}Z9"}` : `${k}${sep}${v}Z9`, secret: `${v}Z9` }),
  ),
  fc.constant({ text: ENV_SECRET, secret: ENV_SECRET }),
);
const prose = fc.stringMatching(/^[a-z0-9 ,.()\n-]{0,40}$/);

test('scrubText (property): a secret in any recognised shape, anywhere in text, never survives; text without one is unchanged', () => {
  fc.assert(
    fc.property(prose, secretShapes, prose, (before, s, after) => {
      const out = r.scrubText(`${before} ${s.text} ${after}`);
      assert.ok(!out.includes(s.secret), out);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9 ,.()-]{0,80}$/), (plain) => {
      assert.equal(r.scrubText(plain), plain);
    }),
    { numRuns: 300 },
  );
});

test('scrubText: hostile text (long runs of trigger fragments) is handled in one pass each, whatever the input length', () => {
  const n = 200_000;
  const inputs = [
    'eyJ'.repeat(n / 3),
    `eyJ${'a'.repeat(n)}`,
    `eyJ${'a'.repeat(n)}.${'b'.repeat(n)}`,
    'bearer '.repeat(n / 7),
    `Bearer ${'A'.repeat(n)}`,
    '://'.repeat(n / 3),
    `a://${'b:'.repeat(n / 2)}`,
    `x://${'@'.repeat(n)}`,
    'password='.repeat(n / 9),
    'token'.repeat(n / 5),
    `password="${'\\'.repeat(n)}`,
    'secret:'.repeat(n / 7),
  ];
  for (const input of inputs) {
    const out = r.scrubText(input);
    assert.equal(typeof out, 'string');
  }
});

test('redact: sensitive keys at any depth, shared objects redacted each time, cycles and deep or huge values bounded', () => {
  const shared = { password: 'p1' };
  const cyclic: Record<string, unknown> = { token: 't1', name: 'n' };
  cyclic.self = cyclic;
  let deep: Record<string, unknown> = { password: 'deep-p' };
  for (let i = 0; i < 20; i++) deep = { child: deep };
  const out = r.redact({ a: shared, b: shared, c: cyclic, d: deep, s: 'Bearer abcdef123456', list: [{ secret: 's' }] }) as Record<string, any>;
  assert.equal(out.a.password, REDACTED);
  assert.equal(out.b.password, REDACTED, 'a second reference to the same object is redacted too');
  assert.equal(out.c.token, REDACTED);
  assert.equal(out.c.self, '[Circular]');
  assert.equal(out.s, `Bearer ${REDACTED}`);
  assert.equal(out.list[0].secret, REDACTED);
  assert.ok(!JSON.stringify(out).includes('deep-p'), 'beyond the depth bound nothing is written unredacted');
  assert.equal(shared.password, 'p1', 'the caller\'s objects are never changed');
  const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, { password: `p${i}` }]));
  assert.ok(!/"password":"p\d/.test(JSON.stringify(r.redact(wide))), 'beyond the size bound nothing is written unredacted');
  const throwing = { get boom(): string { throw new Error('getter'); } };
  assert.doesNotThrow(() => r.redact({ x: throwing }));
});

test('redact: an Error keeps its class and is scrubbed in message, stack and own properties', () => {
  const err = new TypeError('failed postgres://app:pw@db/x');
  Object.assign(err, { config: { headers: { Authorization: 'Bearer abcdef123456' } } });
  const out = r.redact(err) as TypeError & { config: any };
  assert.ok(out instanceof TypeError);
  assert.equal(out.message, `failed postgres://app:${REDACTED}@db/x`);
  assert.ok(!out.stack!.includes(':pw@'));
  assert.equal(out.config.headers.Authorization, REDACTED);
  assert.equal(err.message, 'failed postgres://app:pw@db/x', 'the original is untouched');
});

test('console capture: object arguments (one, several, nested, in a format string, inside an Error) never print a sensitive value', () => {
  const sink = new MemorySink();
  const config = readConfig(TEST_ENV);
  const logger = createLogger(config, createRedactor(config.redactKeys), sink);
  const con = new console.Console({ stdout: process.stdout });
  const restore = captureConsole(logger, con);
  // console is captured inside an invocation only.
  const invocation = { requestId: 'req-r', traceId: 't'.repeat(32), spanId: 's'.repeat(16), coldStart: false, logKeys: undefined } as unknown as InvocationState;
  try {
    runAsInvocation(invocation, () => {
      con.log('x', { password: 'p-1' });
      con.log({ password: 'p-2' });
      con.log({ user: { credentials: { password: 'p-3' } } });
      con.log('%o', { token: 'p-4' });
      con.log('%j', { api_key: 'p-5' });
      con.info([{ authorization: 'p-6' }]);
      const e = Object.assign(new Error('boom'), { response: { headers: { cookie: 'p-7' } } });
      con.error('failed', e);
      con.warn('login with password=p-8 failed');
    });
  } finally {
    restore();
  }
  const out = sink.lines.join('\n');
  for (let i = 1; i <= 8; i++) assert.ok(!out.includes(`p-${i}`), `p-${i} leaked: ${out}`);
  assert.equal(sink.logs().length, 8);
  assert.ok(out.includes(REDACTED));
});

test('query strings: one list for incoming url.query, outgoing url.full and log fields, FAULTLINE_REDACT included', () => {
  const redactor = createRedactor(['ssn']);
  const query = 'sig=abc&X-Amz-Signature=def&token=t&ssn=123&page=2&redirect=postgres%3A%2F%2Fa%3Apw%40db';
  const want = 'sig=REDACTED&X-Amz-Signature=REDACTED&token=REDACTED&ssn=REDACTED&page=2&redirect=REDACTED';
  const event = {
    version: '2.0',
    rawPath: '/p',
    rawQueryString: query,
    headers: { host: 'api.example.com' },
    requestContext: { http: { method: 'GET', path: '/p' }, apiId: 'a', stage: '$default', domainName: 'api.example.com' },
  };
  assert.equal(httpAttributes(event, undefined, redactor)['url.query'], want, 'incoming');
  assert.equal(fullUrl('https:', 'api.example.com', 443, `/p?${query}`, redactor), `https://api.example.com/p?${want}`, 'outgoing');
  for (const key of ['sig', 'X-Amz-Signature', 'token', 'ssn']) assert.ok(redactor.isSensitive(key), `log field ${key}`);
  assert.ok(!redactor.isSensitive('page'));
});
