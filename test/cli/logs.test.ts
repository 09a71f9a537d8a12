// `faultline logs …` and `faultline coldstarts` as a user runs them: the real
// bin in a child process, over real files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../helpers/targetServer.js';
import { CHECKOUT_REQ, ORDER_ID, RANGE_FLAGS, SHOP_DIR, TRACE, XRAY_TRACE } from '../logs/fixtures.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'cli', 'bin.ts');
const SHOP = ['--functions', 'checkout,payments,shipping', '--source', SHOP_DIR, ...RANGE_FLAGS];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-1' }): { child: ChildProcess; done: Promise<Run>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stderrSoFar: () => stderr };
}

const run = (args: string[], env?: NodeJS.ProcessEnv) => start(args, env).done;

/** Resolves when the child's stderr has said `text`; rejects if the child ends first (with what it said). */
function stderrSays(t: ReturnType<typeof start>, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!t.stderrSoFar().includes(text)) return;
      t.child.stderr!.off('data', check);
      resolve();
    };
    t.child.stderr!.on('data', check);
    void t.done.then((r) => reject(new Error(`exited (${r.code}) before saying ${JSON.stringify(text)}; stderr:\n${r.stderr}`)));
    check();
  });
}

describe('faultline logs correlate', () => {
  test('human output: waterfall across functions and merged lines', async () => {
    const r = await run(['logs', 'correlate', XRAY_TRACE, ...SHOP]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`trace ${TRACE} · 3 function\\(s\\) · 3 invocation\\(s\\)`));
    assert.match(r.stdout, /Waterfall/);
    assert.match(r.stdout, /checkout\s+POST \/checkout SERVER\s+cold start \(init 320\.1ms\)/);
    assert.match(r.stdout, /DynamoDB\.PutItem CLIENT\s+ERROR ⚡ fault error ProvisionedThroughputExceededException \(rule ddb-throttle\)/);
    assert.match(r.stdout, /payments\s+POST \/charge SERVER/);
    assert.match(r.stdout, /shipping\s+WARN\s+carrier slow/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when NO_COLOR / not a terminal');
  });

  test('--json: NDJSON in time order, one object per line', async () => {
    const r = await run(['logs', 'correlate', ORDER_ID, ...SHOP, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 20);
    for (const l of lines) {
      assert.deepEqual(Object.keys(l).slice(0, 7), ['timestamp', 'function', 'requestId', 'traceId', 'level', 'message', 'type']);
      assert.equal(l.traceId, TRACE);
    }
    const times = lines.map((l) => l.timestamp as number);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(lines[0]!.message, `START RequestId: ${CHECKOUT_REQ} Version: $LATEST`);
  });

  test('an id found nowhere: exit 1 and one clear line', async () => {
    const r = await run(['logs', 'correlate', 'ord-0000', ...SHOP]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^faultline: ord-0000: found in no log line of checkout, payments, shipping between .*\n$/);
  });

  test('usage errors exit 2 naming the bad value', async () => {
    const bad = await run(['logs', 'correlate', TRACE, ...SHOP, '--since', 'yesterday']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since yesterday: expected a duration like 90s, 15m, 2h or 7d, or an ISO 8601 time/);
    const none = await run(['logs', 'correlate', TRACE]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no functions chosen: expected --functions a,b, --prefix P or --stack S to read CloudWatch Logs/);
    const missingArg = await run(['logs', 'correlate']);
    assert.equal(missingArg.code, 2);
  });

  test('an unknown function or directory: exit 1 naming it', async () => {
    const fn = await run(['logs', 'correlate', TRACE, '--functions', 'checkout,nope', '--source', SHOP_DIR]);
    assert.equal(fn.code, 1);
    assert.match(fn.stderr, /function nope: unknown in .* \(functions there: checkout, payments, shipping\)/);
    const dir = await run(['logs', 'correlate', TRACE, '--prefix', 'x', '--source', join(SHOP_DIR, 'missing')]);
    assert.equal(dir.code, 1);
    assert.match(dir.stderr, /no such log directory/);
  });

  test('--help shows an example and exits 0', async () => {
    const r = await run(['logs', 'correlate', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n\s+faultline logs correlate/);
    // How the id is matched, in the user's words.
    assert.match(r.stdout.replace(/\s+/g, ' '), /matched exactly as the value of a JSON log field or span attribute, or as a whole token of a log message/);
    assert.match(r.stdout.replace(/\s+/g, ' '), /--functions <names> comma-separated function names \(default with a log directory: every function in it\)/);
  });
});

describe('CloudWatch without credentials or region', () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'faultline-nocreds-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });
  // Only what the process needs to run: no AWS keys, no profile files, no instance metadata.
  const bareEnv = (extra: NodeJS.ProcessEnv = {}) => ({
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  });

  test('missing credentials: exit 1 and the fix in one line', async () => {
    const r = await run(['logs', 'correlate', TRACE, '--functions', 'orders'], bareEnv({ AWS_REGION: 'eu-west-1' }));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'faultline: no AWS credentials found: set AWS_PROFILE (or --profile) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or read a log directory with --source DIR\n');
  });
  test('missing region, --json: the error as JSON on stderr', async () => {
    const r = await run(['coldstarts', '--functions', 'orders', '--json'], bareEnv());
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stderr), { type: 'error', error: 'no AWS region: pass --region or set AWS_REGION', exitCode: 1 });
  });
  // Refused before any request: a region that is not a region name is never pasted into a host name.
  for (const [what, args, env, message] of [
    ['a bad --region', ['logs', 'tail', '--functions', 'orders', '--region', 'eu-west-1.evil.example'], {}, 'region "eu-west-1.evil.example" is not an AWS region name (such as eu-west-1)'],
    ['a bad AWS_REGION, with --stack', ['coldstarts', '--stack', 'shop'], { AWS_REGION: 'EU WEST' }, 'region "EU WEST" is not an AWS region name (such as eu-west-1)'],
    ['a bad endpoint URL', ['logs', 'correlate', TRACE, '--functions', 'orders', '--region', 'eu-west-1'], { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'localhost:4566' }, 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=localhost:4566: expected an http:// or https:// URL'],
  ] as const) {
    test(`${what}: exit 1 and the setting to fix in one line`, async () => {
      const r = await run([...args], bareEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', ...env }));
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `faultline: ${message}\n`);
    });
  }
  test('an endpoint that refuses: exit 1, one line naming the failure and what to check', async () => {
    const port = await closedPort();
    const r = await run(['logs', 'correlate', TRACE, '--functions', 'orders', '--region', 'eu-west-1'], bareEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^faultline: cannot reach AWS \(ECONNREFUSED\): .*127\.0\.0\.1.*; check the network, or AWS_ENDPOINT_URL_CLOUDWATCH_LOGS \/ AWS_ENDPOINT_URL when set\n$/);
  });
});

describe('faultline coldstarts', () => {
  test('--json over the fixture directory', async () => {
    const r = await run(['coldstarts', ...SHOP, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { functions: Array<{ function: string; invocations: number; coldStarts: number; share: number; byInitType: Record<string, unknown> }> };
    assert.deepEqual(
      doc.functions.map((f) => [f.function, f.invocations, f.coldStarts, f.share, Object.keys(f.byInitType)]),
      [
        ['checkout', 2, 1, 0.5, ['on-demand']],
        ['payments', 2, 1, 0.5, ['on-demand']],
        ['shipping', 2, 1, 0.5, ['snap-start']],
      ],
    );
  });
  test('table output', async () => {
    const r = await run(['coldstarts', '--prefix', 'ship', '--source', SHOP_DIR, ...RANGE_FLAGS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /function\s+invocations\s+cold starts\s+share\s+init p50/);
    assert.match(r.stdout, /shipping\s+2\s+1\s+50\.0%\s+401ms/);
    assert.match(r.stdout, /snap-start\s+1\s+401ms/);
  });
});

describe('faultline logs tail', () => {
  let dir: string;
  const event = (message: string, timestamp = Date.now()) => JSON.stringify({ timestamp, message }) + '\n';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-tail-'));
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'a', 's1.log'), event('old line in a', Date.now() - 10 * 60_000));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('follows appended lines and new streams of several functions, then stops at --max-events', async () => {
    // --until bounds the wait: events that never come fail the test with what the tail printed, instead of hanging it.
    const t = start(['logs', 'tail', '--functions', 'a,b', '--source', dir, '--max-events', '2', '--until', '30s']);
    await stderrSays(t, 'following a, b');
    await appendFile(join(dir, 'a', 's1.log'), event('new line in a'));
    await writeFile(join(dir, 'b', 'fresh-stream.log'), event(`2026-11-23T10:00:00.000Z\t${CHECKOUT_REQ}\tERROR\tboom in b`));
    const r = await t.done;
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n');
    assert.equal(out.length, 2, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.ok(out.some((l) => /\ba\s+INFO\s+new line in a$/.test(l)), r.stdout);
    assert.ok(out.some((l) => /\bb\s+ERROR\s+boom in b$/.test(l)), r.stdout);
    assert.doesNotMatch(r.stdout, /old line/);
  });

  test('--since includes recent lines; --json', async () => {
    const r = await run(['logs', 'tail', '--functions', 'a', '--source', dir, '--since', '1h', '--max-events', '1', '--json', '--until', '30s']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(j.message, 'old line in a');
    assert.equal(j.function, 'a');
    assert.equal(j.stream, 's1');
    assert.equal(j.type, 'log');
  });

  test('stops cleanly on SIGINT', async () => {
    const t = start(['logs', 'tail', '--prefix', 'a', '--source', dir]);
    await stderrSays(t, 'following a');
    t.child.kill('SIGINT');
    const r = await t.done;
    assert.equal(r.code, 0, r.stderr);
  });

  test('--until a duration ends it', async () => {
    const r = await run(['logs', 'tail', '--functions', 'b', '--source', dir, '--until', '1s']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('--stack is not a tail option; --max-events must be a count', async () => {
    assert.equal((await run(['logs', 'tail', '--stack', 's', '--source', dir])).code, 2);
    const r = await run(['logs', 'tail', '--functions', 'a', '--source', dir, '--max-events', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-events 0: expected a whole number of at least 1/);
  });
});

// The three log-reading commands agree on which functions a source means:
// a log directory's every function unless --functions narrows it; CloudWatch
// asks for a choice, naming the flags (exit 2) before any AWS call.
describe('which functions: --source DIR without --functions reads them all', { concurrency: 3 }, () => {
  let several: string;
  let empty: string;
  let runs: string;
  before(async () => {
    const root = await mkdtemp(join(tmpdir(), 'faultline-select-'));
    several = join(root, 'several');
    empty = join(root, 'empty');
    runs = join(root, 'runs');
    await cp(SHOP_DIR, several, { recursive: true });
    await mkdir(empty);
    // The local mode's layout: one directory per run of `<function>.log`, `latest` → the newest.
    await mkdir(join(runs, 'run-1'), { recursive: true });
    await writeFile(join(runs, 'run-1', 'checkout.log'), '');
    await mkdir(join(runs, 'run-2'));
    for (const fn of ['checkout', 'payments', 'shipping']) {
      const files = (await readdir(join(SHOP_DIR, fn))).sort();
      const text = (await Promise.all(files.map((f) => readFile(join(SHOP_DIR, fn, f), 'utf8')))).join('');
      await writeFile(join(runs, 'run-2', `${fn}.log`), text);
    }
    await symlink('run-2', join(runs, 'latest'));
  });
  after(async () => {
    await rm(join(several, '..'), { recursive: true, force: true });
  });

  type Command = 'correlate' | 'tail' | 'coldstarts';
  const argv: Record<Command, string[]> = {
    correlate: ['logs', 'correlate', ORDER_ID, ...RANGE_FLAGS, '--json'],
    // --until bounds a tail that finds nothing to print.
    tail: ['logs', 'tail', '--since', RANGE_FLAGS[1]!, '--max-events', '1', '--until', '20s'],
    coldstarts: ['coldstarts', ...RANGE_FLAGS, '--json'],
  };
  /** The functions a successful run read, as its output tells. */
  const functionsRead: Record<Command, (r: Run) => string[]> = {
    correlate: (r) => [...new Set(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { function: string }).function))].sort(),
    tail: (r) => /following (.*) \(/.exec(r.stderr)![1]!.split(', '),
    coldstarts: (r) => (JSON.parse(r.stdout) as { functions: Array<{ function: string }> }).functions.map((f) => f.function),
  };
  const cases: Array<{ name: string; args: () => string[]; code: number; functions?: string[]; stderr?: Partial<Record<Command, RegExp>> & { all?: RegExp } }> = [
    { name: 'a directory of several functions', args: () => ['--source', several], code: 0, functions: ['checkout', 'payments', 'shipping'] },
    { name: 'a directory of runs: its latest, said on stderr', args: () => ['--source', runs], code: 0, functions: ['checkout', 'payments', 'shipping'], stderr: { all: /reading the latest run, [^\n]*latest\b/ } },
    { name: 'an empty directory', args: () => ['--source', empty], code: 1, stderr: { all: /no function logs in it; expected DIR\/<function>\.log or DIR\/<function>\/<stream>\.log \(run faultline local first\)/ } },
    { name: 'a directory and --functions', args: () => ['--source', several, '--functions', 'checkout'], code: 0, functions: ['checkout'] },
    {
      name: 'CloudWatch without functions',
      args: () => [],
      code: 2,
      stderr: {
        correlate: /no functions chosen: expected --functions a,b, --prefix P or --stack S to read CloudWatch Logs \(or --source DIR/,
        coldstarts: /no functions chosen: expected --functions a,b, --prefix P or --stack S to read CloudWatch Logs \(or --source DIR/,
        tail: /no functions chosen: expected --functions a,b or --prefix P to read CloudWatch Logs \(or --source DIR/,
      },
    },
  ];
  // Every JSON record the commands write, stdout and stderr, says what it is.
  for (const command of ['correlate', 'tail', 'coldstarts'] as const) {
    test(`${command} --json: every record carries a type`, async () => {
      const r = await run([...argv[command], '--json', '--source', runs]);
      assert.equal(r.code, 0, r.stderr);
      const records = (r.stdout + r.stderr).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(records.length >= 2, `${r.stdout}\n${r.stderr}`);
      for (const rec of records) assert.equal(typeof rec.type, 'string', JSON.stringify(rec));
      assert.ok(records.some((rec) => rec.type === 'notice'), 'the run chosen is a notice record');
    });
  }

  for (const c of cases) {
    for (const command of ['correlate', 'tail', 'coldstarts'] as const) {
      test(`${command}: ${c.name}`, async () => {
        const r = await run([...argv[command], ...c.args()]);
        assert.equal(r.code, c.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
        const want = c.stderr?.[command] ?? c.stderr?.all;
        if (want) assert.match(r.stderr, want);
        if (c.functions) assert.deepEqual(functionsRead[command](r), c.functions);
      });
    }
  }
});
