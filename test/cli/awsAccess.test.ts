// The built CLI (dist/cli/bin.js, `npm run build` first) in a child process
// against a real HTTP server standing in for DynamoDB and STS: which
// credentials and region it signs with (a profile from the shared files, or
// the environment's keys), and that the chaos commands load no AWS SDK
// client (the environment's keys: no SDK module at all).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeServer, listen } from '../helpers/targetServer.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const RECORDER = join(ROOT, 'test', 'helpers', 'loadRecorder.mjs');
const CALLER_ARN = 'arn:aws:iam::123456789012:user/access-test';

let server: Server;
let url: string;
let tmp: string;
const seen: Array<{ target: string | undefined; headers: IncomingHttpHeaders; body: string }> = [];

/** DynamoDB (an empty rule table) and STS (query protocol, told apart by the body) on one port. */
before(async () => {
  assert.ok(existsSync(BIN), `${BIN} missing: run npm run build`);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const target = req.headers['x-amz-target'] as string | undefined;
      seen.push({ target, headers: req.headers, body });
      if (body.startsWith('Action=GetCallerIdentity')) {
        res.writeHead(200, { 'content-type': 'text/xml' });
        return res.end(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>${CALLER_ARN}</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`);
      }
      const op = target?.split('.')[1];
      const answer = op === 'Scan' || op === 'Query' ? { Items: [], Count: 0, ScannedCount: 0 } : op === 'PutItem' ? {} : undefined;
      res.writeHead(answer ? 200 : 400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer ?? { __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: `not here: ${op}` }));
    });
  });
  url = `http://127.0.0.1:${await listen(server)}`;
  tmp = mkdtempSync(join(tmpdir(), 'faultline-aws-access-'));
  writeFileSync(join(tmp, 'credentials'), '[p]\naws_access_key_id = AKIDPROFILEP\naws_secret_access_key = p-secret\n');
  writeFileSync(join(tmp, 'config'), '[profile p]\nregion = eu-west-3\n');
});

after(async () => {
  await closeServer(server);
  rmSync(tmp, { recursive: true, force: true });
});

/** An environment with nothing of this machine's AWS setup in it. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tmp,
    XDG_CACHE_HOME: join(tmp, 'cache'),
    NO_COLOR: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
    AWS_CONFIG_FILE: join(tmp, 'config'),
    USER: 'access-tester',
    ...extra,
  };
}

/** Runs the built CLI; with `record`, also returns every module URL it resolved. */
function run(args: string[], env: NodeJS.ProcessEnv, record = false): Promise<{ code: number; stdout: string; stderr: string; loaded: string[] }> {
  const log = join(tmp, `loads-${Math.random().toString(36).slice(2)}.txt`);
  const nodeArgs = record ? ['--import', RECORDER, BIN, ...args] : [BIN, ...args];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, nodeArgs, { cwd: ROOT, env: record ? { ...env, FAULTLINE_LOAD_LOG: log } : env }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      const loaded = record && existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr, loaded });
    });
  });
}

const credentialOf = (headers: IncomingHttpHeaders) => /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(String(headers['authorization']))?.slice(1);

test('chaos list --profile p signs with p\'s keys from AWS_SHARED_CREDENTIALS_FILE and p\'s region from AWS_CONFIG_FILE, not the environment\'s keys', async () => {
  seen.length = 0;
  const r = await run(['chaos', 'list', '--profile', 'p', '--table', 'rules', '--json'], cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDENVIGNORED', AWS_SECRET_ACCESS_KEY: 'env-secret' }));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).type, 'chaos-state');
  assert.ok(seen.length > 0, 'the stand-in saw the request');
  for (const s of seen) assert.deepEqual(credentialOf(s.headers), ['AKIDPROFILEP', 'eu-west-3', 'dynamodb'], s.target);
});

test('chaos list with keys in the environment and no profile signs with those keys and AWS_REGION', async () => {
  seen.length = 0;
  const r = await run(['chaos', 'list', '--table', 'rules'], cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDENVKEYS', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token', AWS_REGION: 'ca-central-1' }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /no rules/);
  assert.ok(seen.length > 0);
  for (const s of seen) {
    assert.deepEqual(credentialOf(s.headers), ['AKIDENVKEYS', 'ca-central-1', 'dynamodb']);
    assert.equal(s.headers['x-amz-security-token'], 'env-token');
  }
});

const SDK_CLIENTS = /\/@aws-sdk\/client-(dynamodb|sts)\//;
const ANY_SDK = /\/(@aws-sdk|@smithy)\//;

const COMMANDS: Array<[string, string[]]> = [
  ['chaos list', ['chaos', 'list', '--table', 'rules']],
  ['chaos set --dry-run', ['chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '5', '--dry-run']],
  ['chaos clear', ['chaos', 'clear', '--all', '--table', 'rules']],
  ['chaos set', ['chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '5', '--table', 'rules']],
];

for (const [name, args] of COMMANDS) {
  test(`${name} with the environment's keys loads no AWS SDK module at all`, async () => {
    seen.length = 0;
    const r = await run(args, cleanEnv({ AWS_ACCESS_KEY_ID: 'AKIDENVKEYS', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_REGION: 'us-east-1' }), true);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.loaded.some((u) => u.includes('/dist/cli/bin.')), 'the recorder saw the built CLI load');
    assert.ok(r.loaded.some((u) => /\/dist\/cli\/commands\/chaos\//.test(u)), 'and the chaos commands');
    assert.deepEqual(r.loaded.filter((u) => ANY_SDK.test(u)), []);
    if (name === 'chaos set') {
      assert.ok(seen.some((s) => s.body.startsWith('Action=GetCallerIdentity')), 'createdBy asked STS');
      const put = seen.find((s) => s.target === 'DynamoDB_20120810.PutItem');
      assert.equal((JSON.parse(put!.body) as { Item: { createdBy: { S: string } } }).Item.createdBy.S, CALLER_ARN);
    }
  });
}

test('chaos set and list with a profile load the SDK\'s credential chain but no SDK client', async () => {
  for (const [, args] of COMMANDS) {
    const r = await run([...args, '--profile', 'p'], cleanEnv({}), true);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.deepEqual(r.loaded.filter((u) => SDK_CLIENTS.test(u)), [], args.join(' '));
    if (!args.includes('--dry-run')) assert.ok(r.loaded.some((u) => /\/@aws-sdk\/credential-provider-node\//.test(u)), `${args.join(' ')}: the chain read the profile`);
  }
});
