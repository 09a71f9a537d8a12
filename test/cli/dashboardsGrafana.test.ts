// The pure parts of `faultline dashboards import`: flags to auth and URL,
// Grafana answers and socket errors to one-line messages, dashboard files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authorizationHeader, parseGrafanaAuth, parseGrafanaUrl, withoutUserInfo, type GrafanaAuth } from '../../cli/grafana/grafanaAuth.js';
import { credentialScrubber, REDACTED, scrubJson } from '../../cli/grafana/credentialScrub.js';
import { grafanaMessage, httpError, networkError } from '../../cli/grafana/grafanaErrors.js';
import { parseDashboardFile } from '../../cli/grafana/dashboardFiles.js';
import { isFaultlineDashboard } from '../../cli/grafana/importDashboards.js';
import { OperationError, UsageError } from '../../cli/common.js';

test('parseGrafanaAuth: token, basic, anonymous, and the conflicts', () => {
  assert.deepEqual(parseGrafanaAuth({ token: 't' }), { kind: 'token', token: 't' });
  assert.deepEqual(parseGrafanaAuth({ user: 'u', password: 'p' }), { kind: 'basic', user: 'u', password: 'p' });
  assert.deepEqual(parseGrafanaAuth({ user: 'u', password: '' }), { kind: 'basic', user: 'u', password: '' });
  assert.deepEqual(parseGrafanaAuth({}), { kind: 'anonymous' });
  assert.deepEqual(parseGrafanaAuth({ token: '  ' }), { kind: 'anonymous' });
  const bad: Array<[Parameters<typeof parseGrafanaAuth>[0], RegExp]> = [
    [{ token: 't', user: 'u', password: 'p' }, /--token cannot be combined/],
    [{ user: 'u' }, /--user u without --password/],
    [{ password: 'p' }, /--password without --user/],
  ];
  for (const [opts, message] of bad) assert.throws(() => parseGrafanaAuth(opts), (e: unknown) => e instanceof UsageError && message.test(e.message));
});

test('authorizationHeader', () => {
  assert.equal(authorizationHeader({ kind: 'token', token: 'glsa_x' }), 'Bearer glsa_x');
  assert.equal(authorizationHeader({ kind: 'basic', user: 'admin', password: 'pä:ss' }), `Basic ${Buffer.from('admin:pä:ss').toString('base64')}`);
  assert.equal(authorizationHeader({ kind: 'anonymous' }), undefined);
});

test('parseGrafanaUrl keeps a sub-path and rejects what is not an http(s) URL', () => {
  assert.equal(parseGrafanaUrl('https://g.example.com').href, 'https://g.example.com/');
  assert.equal(parseGrafanaUrl('https://g.example.com/grafana').href, 'https://g.example.com/grafana/');
  assert.equal(parseGrafanaUrl('http://127.0.0.1:3000/?orgId=1#x').href, 'http://127.0.0.1:3000/');
  for (const [raw, message] of [
    ['g.example.com', /--grafana-url g\.example\.com: expected an http\(s\) URL/],
    ['ftp://g.example.com', /--grafana-url ftp:\/\/g\.example\.com: expected an http\(s\) URL/],
    ['https://admin:pw@g.example.com', /credentials in --token or --user\/--password, not in the URL/],
  ] as const) {
    assert.throws(() => parseGrafanaUrl(raw), (e: unknown) => e instanceof UsageError && message.test(e.message));
  }
});

test('grafanaMessage reads Grafana error bodies and shortens anything else', () => {
  assert.equal(grafanaMessage('{"message":"Dashboard not found"}'), 'Dashboard not found');
  assert.equal(grafanaMessage('{"message":"changed","status":"version-mismatch"}'), 'changed: version-mismatch');
  assert.equal(grafanaMessage('<html>\n <body>Bad gateway</body></html>'), '<html> <body>Bad gateway</body></html>');
  assert.equal(grafanaMessage('x'.repeat(200)).length, 120);
  assert.equal(grafanaMessage(''), '');
});

test('httpError: one line per status, naming the call and what to check', () => {
  const at = { base: 'https://g', method: 'POST', path: '/api/dashboards/import', body: '{"message":"m"}' };
  const cases: Array<[number, RegExp]> = [
    [401, /^Grafana at https:\/\/g rejected the credentials \(401 Unauthorized\) on POST \/api\/dashboards\/import \(Grafana said: m\): check --token/],
    [403, /denied POST \/api\/dashboards\/import \(403 Forbidden\) \(Grafana said: m\): .*Editor role/],
    [404, /has no POST \/api\/dashboards\/import \(404 Not Found\)/],
    [412, /\(412 Precondition Failed\) \(Grafana said: m\)/],
    [502, /answered 502 to POST \/api\/dashboards\/import \(Grafana said: m\)$/],
  ];
  for (const [status, message] of cases) {
    const e = httpError({ ...at, status });
    assert.ok(e instanceof OperationError);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'));
  }
});

test('networkError finds the socket error code wherever Node put it', () => {
  const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
  const aggregate = Object.assign(new AggregateError([refused], 'all failed'), {});
  const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) });
  assert.match(networkError('http://g', 'GET', '/api/datasources', refused, 1000).message, /connection refused/);
  assert.match(networkError('http://g', 'GET', '/api/datasources', aggregate, 1000).message, /connection refused/);
  assert.match(networkError('http://g', 'GET', '/api/datasources', wrapped, 1500).message, /did not answer GET \/api\/datasources within 1500 ms/);
  assert.match(networkError('http://g', 'GET', '/', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 1).message, /cannot resolve the host/);
  assert.match(networkError('http://g', 'GET', '/', new Error('odd'), 1).message, /cannot reach Grafana at http:\/\/g \(odd\)/);
});

test('parseDashboardFile accepts faultline dashboards only', () => {
  const good = JSON.stringify({ __inputs: [{ name: 'DS_CLOUDWATCH' }], uid: 'faultline-x', title: 'X' });
  assert.equal(parseDashboardFile('x.json', good).uid, 'faultline-x');
  const bad: Array<[string, RegExp]> = [
    ['{', /x\.json: not valid JSON/],
    ['[]', /x\.json: expected a dashboard object/],
    [JSON.stringify({ uid: 'other', title: 'X', __inputs: [{ name: 'DS_CLOUDWATCH' }] }), /uid "other": expected a faultline dashboard uid/],
    [JSON.stringify({ uid: 'faultline-x', title: 'X' }), /expected an __inputs entry named DS_CLOUDWATCH/],
    [JSON.stringify({ uid: 'faultline-x', __inputs: [{ name: 'DS_CLOUDWATCH' }] }), /expected a title/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseDashboardFile('x.json', text), message);
});

test('isFaultlineDashboard needs both our uid prefix and our tag', () => {
  assert.equal(isFaultlineDashboard('faultline-functions', ['faultline']), true);
  assert.equal(isFaultlineDashboard('faultline-functions', ['team']), false);
  assert.equal(isFaultlineDashboard('functions', ['faultline']), false);
});

test('credentialScrubber: no form of a token or password survives, whatever surrounds it', () => {
  const secret = fc.string({ minLength: 8, maxLength: 40 }).filter((s) => !s.includes('[') && !s.includes(']'));
  fc.assert(
    fc.property(secret, fc.string({ minLength: 1, maxLength: 20 }), fc.string(), fc.string(), fc.boolean(), (s, user, before, afterText, asToken) => {
      const auth: GrafanaAuth = asToken ? { kind: 'token', token: s } : { kind: 'basic', user, password: s };
      const header = authorizationHeader(auth)!;
      const scrub = credentialScrubber(auth);
      const echoed = [s, JSON.stringify(s), encodeURIComponent(s), header, JSON.stringify({ h: header }), encodeURIComponent(header)];
      for (const e of echoed) {
        const out = scrub(before + e + afterText);
        const b64 = header.startsWith('Basic ') ? header.slice(6).replace(/=+$/, '') : undefined;
        for (const f of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), ...(b64 ? [b64] : [])]) {
          assert.ok(!out.includes(f) || (before + afterText).includes(f), `${JSON.stringify(f)} in ${JSON.stringify(out)}`);
        }
      }
      assert.deepEqual(scrubJson({ [s]: [s, 1, null, { x: `a${s}b` }] }, scrub), { [REDACTED]: [REDACTED, 1, null, { x: `a${REDACTED}b` }] });
    }),
  );
});

test('withoutUserInfo: a URL shown in a message never carries its credentials', () => {
  assert.equal(withoutUserInfo('https://u:p@w@g.example.com/x'), 'https://g.example.com/x');
  assert.equal(withoutUserInfo('ftp://u:secret@h'), 'ftp://h');
  assert.equal(withoutUserInfo('g.example.com'), 'g.example.com');
});
