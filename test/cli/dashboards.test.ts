// `faultline dashboards import|export`, run as the real CLI in a child
// process against a local stand-in for Grafana's HTTP API.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeGrafana, type Failure as FakeGrafanaFailure } from '../dashboards/fakeGrafana.js';
import { runCliCaptured } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dashboardsDir = join(root, 'dashboards');
const committed = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort();
const OUR_UIDS = committed.map((f) => (JSON.parse(readFileSync(join(dashboardsDir, f), 'utf8')) as { uid: string }).uid);

const CW = { uid: 'cw-prod', name: 'CloudWatch prod', type: 'cloudwatch' };
const PROM = { uid: 'prom', name: 'Prometheus', type: 'prometheus' };
const TOKEN = 'glsa_test_token';
const BEARER = `Bearer ${TOKEN}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function faultline(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GRAFANA_')) cleanEnv[k] = v;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'cli/bin.ts'), ...args],
      { cwd: root, env: { ...cleanEnv, NO_COLOR: '1', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The CLI in this process (in-memory streams), for cases that only need the exit code and stderr. */
const inProcess = (args: string[]) => runCliCaptured(args);

for (const k of Object.keys(process.env)) if (k.startsWith('GRAFANA_')) delete process.env[k];
process.env.NO_COLOR = '1';

const importArgs = (g: FakeGrafana, ...rest: string[]) => ['dashboards', 'import', '--grafana-url', g.url, ...rest];

describe('dashboards import', () => {
  let grafana: FakeGrafana;
  before(async () => {
    grafana = await FakeGrafana.start({ authorization: BEARER, datasources: [PROM, CW] });
  });
  after(() => grafana.stop());

  test('imports every dashboard with DS_CLOUDWATCH mapped to the only CloudWatch datasource', async () => {
    const run = await faultline(importArgs(grafana, '--token', TOKEN, '--json'));
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.datasource, { uid: 'cw-prod', name: 'CloudWatch prod' });
    assert.equal(out.folder, null);
    assert.deepEqual(out.dashboards.map((d: any) => d.uid).sort(), [...OUR_UIDS].sort());
    for (const d of out.dashboards) {
      assert.equal(d.version, 1);
      assert.equal(d.url, `${grafana.url}/d/${d.uid}/${d.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`);
    }

    // Every call authenticated, the way Grafana checks it.
    assert.ok(grafana.requests.every((r) => r.authorization === BEARER));
    const imports = grafana.requests.filter((r) => r.method === 'POST' && r.path === '/api/dashboards/import');
    assert.equal(imports.length, OUR_UIDS.length);
    for (const r of imports) {
      assert.equal(r.contentType, 'application/json');
      assert.deepEqual(Object.keys(r.body!).sort(), ['dashboard', 'folderUid', 'inputs', 'overwrite']);
      assert.equal(r.body!.overwrite, true);
      assert.equal(r.body!.folderUid, '');
      assert.deepEqual(r.body!.inputs, [{ name: 'DS_CLOUDWATCH', type: 'datasource', pluginId: 'cloudwatch', value: 'cw-prod' }]);
    }
    // What Grafana stored no longer mentions the input, and the datasource variable preselects cw-prod.
    for (const uid of OUR_UIDS) {
      const stored = grafana.dashboards.get(uid)!.dashboard;
      assert.ok(!JSON.stringify(stored).includes('DS_CLOUDWATCH'), `${uid} still mentions DS_CLOUDWATCH`);
      const dsVar = stored.templating.list.find((v: any) => v.name === 'datasource');
      assert.equal(dsVar.current.value, 'cw-prod');
    }
  });

  test('importing again overwrites our own dashboards and bumps their versions', async () => {
    const run = await faultline(importArgs(grafana, '--token', TOKEN, '--json'));
    assert.equal(run.code, 0, run.stderr);
    for (const d of JSON.parse(run.stdout).dashboards) assert.equal(d.version, 2, d.uid);
  });

  test('the human output names each dashboard, its version and URL', async () => {
    const run = await faultline(importArgs(grafana, '--token', TOKEN));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /datasource CloudWatch prod \(cw-prod\), the General folder/);
    for (const uid of OUR_UIDS) assert.match(run.stdout, new RegExp(`imported .* version 3 {2}${grafana.url}/d/${uid}/`));
  });

  test('Grafana under a sub-path: calls and URLs keep it', async () => {
    const g = await FakeGrafana.start({ datasources: [CW], basePath: '/grafana' });
    try {
      const run = await faultline(importArgs(g, '--json').map((a) => (a === g.url ? `${g.url}/grafana` : a)));
      assert.equal(run.code, 0, run.stderr);
      assert.ok(g.requests.some((r) => r.path === '/grafana/api/dashboards/import'), 'the imports went under the sub-path');
      assert.ok(g.requests.every((r) => r.path.startsWith('/grafana/api/')));
      for (const d of JSON.parse(run.stdout).dashboards) assert.ok(d.url.startsWith(`${g.url}/grafana/d/${d.uid}/`), d.url);
    } finally {
      await g.stop();
    }
  });

  test('a token from GRAFANA_TOKEN and the URL from GRAFANA_URL work too', async () => {
    const run = await faultline(['dashboards', 'import', '--json'], { GRAFANA_URL: grafana.url, GRAFANA_TOKEN: TOKEN });
    assert.equal(run.code, 0, run.stderr);
  });

  test('a wrong token: exit 1 and a one-line 401 error naming --token', async () => {
    const run = await inProcess(importArgs(grafana, '--token', 'wrong'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^faultline: Grafana at http:\/\/127\.0\.0\.1:\d+ rejected the credentials \(401 Unauthorized\) on GET \/api\/datasources .*--token/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  test('--json errors are one JSON object on stderr', async () => {
    const run = await inProcess(importArgs(grafana, '--json'));
    assert.equal(run.code, 1);
    const err = JSON.parse(run.stderr);
    assert.equal(err.exitCode, 1);
    assert.match(err.error, /401 Unauthorized/);
  });
});

describe('dashboards import: datasource, folder and ownership', () => {
  test('basic auth, --datasource among several, and --folder created once then reused', async () => {
    const basic = `Basic ${Buffer.from('admin:s3cret').toString('base64')}`;
    const g = await FakeGrafana.start({ authorization: basic, datasources: [CW, { ...CW, uid: 'cw-staging', name: 'CloudWatch staging' }] });
    try {
      const args = importArgs(g, '--user', 'admin', '--password', 's3cret', '--datasource', 'cw-staging', '--folder', 'Game days', '--json');
      const first = await faultline(args);
      assert.equal(first.code, 0, first.stderr);
      const out = JSON.parse(first.stdout);
      assert.deepEqual(out.folder, { uid: 'folder-1', title: 'Game days', created: true });
      assert.equal(out.datasource.uid, 'cw-staging');
      assert.ok(g.requests.some((r) => r.method === 'GET' && r.path === '/api/datasources/uid/cw-staging'));
      assert.ok(!g.requests.some((r) => r.path === '/api/datasources'), 'no listing when --datasource names one');
      const posts = g.requests.filter((r) => r.path === '/api/dashboards/import');
      assert.ok(posts.length > 0, 'dashboards were imported');
      assert.ok(posts.every((r) => r.body!.folderUid === 'folder-1' && r.body!.inputs[0].value === 'cw-staging'));

      const second = await faultline(args);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(JSON.parse(second.stdout).folder, { uid: 'folder-1', title: 'Game days', created: false });
      assert.equal(g.requests.filter((r) => r.method === 'POST' && r.path === '/api/folders').length, 1);
    } finally {
      await g.stop();
    }
  });

  test('several CloudWatch datasources and no --datasource: exit 1 listing them', async () => {
    const g = await FakeGrafana.start({ datasources: [CW, { ...CW, uid: 'cw-2', name: 'CW two' }] });
    try {
      const run = await inProcess(importArgs(g));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /has 2 CloudWatch datasources \(CloudWatch prod \(cw-prod\), CW two \(cw-2\)\): expected --datasource UID/);
      assert.ok(!g.requests.some((r) => r.path === '/api/dashboards/import'));
    } finally {
      await g.stop();
    }
  });

  test('no CloudWatch datasource: exit 1', async () => {
    const g = await FakeGrafana.start({ datasources: [PROM] });
    try {
      const run = await inProcess(importArgs(g));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /has no CloudWatch datasource/);
    } finally {
      await g.stop();
    }
  });

  test('--datasource that is unknown or not CloudWatch: exit 1 naming it', async () => {
    const g = await FakeGrafana.start({ datasources: [PROM, CW] });
    try {
      const unknown = await inProcess(importArgs(g, '--datasource', 'nope'));
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /--datasource nope: .* has no datasource with that uid/);
      const prom = await inProcess(importArgs(g, '--datasource', 'prom'));
      assert.equal(prom.code, 1);
      assert.match(prom.stderr, /--datasource prom: Prometheus is a prometheus datasource; expected a CloudWatch one/);
    } finally {
      await g.stop();
    }
  });

  test('a dashboard of someone else with our uid is not overwritten', async () => {
    const foreign = { uid: OUR_UIDS[0], title: 'Not ours', tags: ['team-x'], panels: [] };
    const g = await FakeGrafana.start({ datasources: [CW], dashboards: [foreign] });
    try {
      const run = await inProcess(importArgs(g));
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`dashboard uid ${OUR_UIDS[0]} already exists .* not a faultline dashboard`));
      assert.ok(!g.requests.some((r) => r.path === '/api/dashboards/import'));
      assert.equal(g.dashboards.get(OUR_UIDS[0]!)!.dashboard.title, 'Not ours');
    } finally {
      await g.stop();
    }
  });
});

describe('dashboards import: Grafana refusals and unreachable URLs', () => {
  let grafana: FakeGrafana;
  before(async () => {
    grafana = await FakeGrafana.start({ datasources: [CW] });
  });
  after(() => grafana.stop());

  const cases = [
    { status: 403 as const, method: 'POST', path: '/api/dashboards/import', message: 'Permission denied', expect: /denied POST \/api\/dashboards\/import \(403 Forbidden\) \(Grafana said: Permission denied\): .*Editor role/ },
    { status: 404 as const, method: 'GET', path: '/api/datasources', message: 'Not found', expect: /has no GET \/api\/datasources \(404 Not Found\).*root URL/ },
    {
      status: 412 as const,
      method: 'POST',
      path: '/api/dashboards/import',
      message: 'The dashboard has been changed by someone else',
      statusText: 'version-mismatch',
      expect: /refused POST \/api\/dashboards\/import \(412 Precondition Failed\) \(Grafana said: The dashboard has been changed by someone else: version-mismatch\)/,
    },
    { status: 500 as const, method: 'GET', path: '/api/dashboards/uid/', message: 'database is locked', expect: /answered 500 to GET \/api\/dashboards\/uid\/faultline-[a-z]+ \(Grafana said: database is locked\)/ },
  ];
  for (const c of cases) {
    test(`${c.status} on ${c.method} ${c.path}: exit 1 and one line`, async () => {
      grafana.failures = [c];
      try {
        const run = await inProcess(importArgs(grafana));
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, c.expect);
        assert.equal(run.stderr.trim().split('\n').length, 1);
      } finally {
        grafana.failures = [];
      }
    });
  }

  test('a closed port: exit 1, connection refused', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const run = await inProcess(['dashboards', 'import', '--grafana-url', `http://127.0.0.1:${port}`]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`cannot reach Grafana at http://127\\.0\\.0\\.1:${port} \\(connection refused\\)`));
  });

  test('a server that never answers: exit 1 after --timeout', async () => {
    const g = await FakeGrafana.start({ hang: true });
    try {
      const run = await inProcess(importArgs(g, '--timeout', '300'));
      assert.equal(run.code, 1);
      assert.match(run.stderr, /did not answer GET \/api\/datasources within 300 ms/);
    } finally {
      await g.stop();
    }
  });
});

describe('dashboards import never prints a credential the user gave', () => {
  // Characters that JSON escapes, URLs encode, and base64 pads around.
  const token = 'glsa_Q"u\\o/te+ sp';
  const user = 'admin';
  const password = 'p"w\\d/+ x:y';
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const forms = (secret: string) => [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  const leaks = (text: string) =>
    [...forms(token), ...forms(password), basic.slice(6).replace(/=+$/, '')].filter((f) => text.includes(f));

  const runs: Array<{ name: string; auth: string | undefined; failures?: FakeGrafanaFailure[]; args: string[]; code: number }> = [
    { name: 'a wrong token (401)', auth: 'Bearer right', args: ['--token', token], code: 1 },
    { name: 'wrong basic credentials (401), --json', auth: 'Bearer right', args: ['--user', user, '--password', password, '--json'], code: 1 },
    { name: 'a 500 on the import', auth: `Bearer ${token}`, failures: [{ status: 500, method: 'POST', path: '/api/dashboards/import', message: 'boom' }], args: ['--token', token], code: 1 },
    { name: 'a 403 on the import, --json', auth: basic, failures: [{ status: 403, method: 'POST', path: '/api/dashboards/import', message: 'denied' }], args: ['--user', user, '--password', password, '--json'], code: 1 },
    { name: 'success, human output', auth: `Bearer ${token}`, args: ['--token', token], code: 0 },
    { name: 'success, --json', auth: basic, args: ['--user', user, '--password', password, '--json'], code: 0 },
  ];
  for (const r of runs) {
    test(`${r.name}: no form of the credential on stdout or stderr`, async () => {
      const g = await FakeGrafana.start({ authorization: r.auth, datasources: [CW], echoAuthorization: true });
      g.failures = r.failures ?? [];
      try {
        const run = await faultline(importArgs(g, ...r.args));
        assert.equal(run.code, r.code, run.stdout + run.stderr);
        assert.deepEqual(leaks(run.stdout), [], run.stdout);
        assert.deepEqual(leaks(run.stderr), [], run.stderr);
        // The server did echo it: what reached the terminal was scrubbed, not silent.
        assert.match(run.stdout + run.stderr, /\[redacted\]/);
        if (r.args.includes('--json')) JSON.parse(r.code === 0 ? run.stdout : run.stderr);
      } finally {
        await g.stop();
      }
    });
  }

  test('a URL with credentials in it is refused without showing them', async () => {
    for (const url of [`ftp://${user}:${encodeURIComponent(password)}@g.example.com`, `http://${user}:pa ss@g.example.com`, `https://${user}:s3cret@g.example.com`]) {
      const run = await inProcess(['dashboards', 'import', '--grafana-url', url]);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(!run.stderr.includes('s3cret') && !run.stderr.includes('pa ss') && !run.stderr.includes(encodeURIComponent(password)), run.stderr);
    }
  });
});

describe('dashboards import: usage errors exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['dashboards', 'import'], /required option '--grafana-url <url>' not specified/],
    [['dashboards', 'import', '--grafana-url', 'grafana.local'], /--grafana-url grafana\.local: expected an http\(s\) URL/],
    [['dashboards', 'import', '--grafana-url', 'http://127.0.0.1:1', '--token', 't', '--user', 'u', '--password', 'p'], /--token cannot be combined with --user\/--password/],
    [['dashboards', 'import', '--grafana-url', 'http://127.0.0.1:1', '--user', 'u'], /--user u without --password/],
    [['dashboards', 'import', '--grafana-url', 'http://127.0.0.1:1', '--timeout', '5s'], /--timeout 5s: expected a whole number of milliseconds/],
    [['dashboards', 'export'], /required option '--out <dir>' not specified/],
  ];
  for (const [args, expect] of cases) {
    test(args.join(' '), async () => {
      const run = await inProcess(args);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, expect);
    });
  }
});

describe('dashboards export', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-dash-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('writes the committed dashboard files, byte for byte', async () => {
    const out = join(tmp, 'nested', 'out');
    const run = await faultline(['dashboards', 'export', '--out', out, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const listed = JSON.parse(run.stdout).dashboards;
    assert.deepEqual(listed.map((d: any) => d.file), committed.map((f) => join(out, f)));
    assert.deepEqual(readdirSync(out).sort(), committed);
    for (const f of committed) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(dashboardsDir, f), 'utf8'));
  });

  test('--out that is a file: exit 1 naming it', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const run = await inProcess(['dashboards', 'export', '--out', file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, new RegExp(`--out ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write there \\(E`));
  });
});
