// CLI conventions, table-driven over every command and subcommand of the
// commander tree: help exits 0 and has one `Examples:` section whose every line
// is a `faultline …` command line that parses; `help` and `-v`/`--version`
// behave; light commands (--version, --help) load no AWS SDK, Grafana client
// or local mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { fastAnswer, HELP_WIDTH, type HelpFile } from '../../cli/fastPath.js';
import { buildProgram } from '../../cli/program.js';
import { runCliCaptured } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quiet = { write: () => true };

function program(): Command {
  return buildProgram({ stdout: quiet, stderr: quiet, env: {}, exitCode: 0 });
}

function paths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((sub) => [[...prefix, sub.name()], ...paths(sub, [...prefix, sub.name()])]);
}

/** The lines of the `Examples:` section: up to the first blank line. */
function exampleLines(help: string): string[] {
  const at = help.indexOf('\nExamples:\n');
  if (at < 0) return [];
  const rest = help.slice(at + '\nExamples:\n'.length).split('\n');
  const end = rest.findIndex((l) => l.trim() === '');
  return rest.slice(0, end < 0 ? undefined : end).map((l) => l.trim());
}

/** A shell-like split of one example: quotes group, `# …` is a comment. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

/** Parses argv with every command's action replaced by nothing: usage errors only. */
async function parseOnly(argv: string[]): Promise<void> {
  const p = program();
  const stub = (cmd: Command): void => {
    if (cmd.commands.length === 0) cmd.action(() => {});
    cmd.commands.forEach(stub);
  };
  stub(p);
  await p.parseAsync(argv, { from: 'user' });
}

const ALL = [[], ...paths(program()).filter((p) => p[p.length - 1] !== 'help')];

for (const path of ALL) {
  const name = ['faultline', ...path].join(' ');
  test(`${name} --help: exit 0, an Examples: section of runnable faultline command lines`, async () => {
    const r = await runCliCaptured([...path, '--help'], { env: {} });
    assert.equal(r.code, 0, r.stderr);
    const lines = exampleLines(r.stdout);
    assert.ok(lines.length > 0, `${name} --help has no Examples: section:\n${r.stdout}`);
    assert.equal(r.stdout.split('\nExamples:\n').length, 2, `${name} --help has one Examples: section`);
    assert.doesNotMatch(r.stdout, /\nExample:\n/);
    for (const line of lines) {
      assert.ok(line.startsWith('faultline '), `${name}: example "${line}" does not start with "faultline "`);
      const argv = words(line).slice(1);
      await assert.doesNotReject(parseOnly(argv), `${name}: example "${line}" does not parse`);
    }
  });

  if (path.length === 1) {
    test(`faultline help ${path.join(' ')}: exit 0 with the same text as --help`, async () => {
      const viaHelp = await runCliCaptured(['help', ...path], { env: {} });
      const viaFlag = await runCliCaptured([...path, '--help'], { env: {} });
      assert.equal(viaHelp.code, 0, viaHelp.stderr);
      assert.equal(viaHelp.stdout, viaFlag.stdout);
    });
  }
}

test('faultline help: exit 0 with the program help', async () => {
  const r = await runCliCaptured(['help'], { env: {} });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: faultline /);
});

test('-v and --version agree and exit 0', async () => {
  const short = await runCliCaptured(['-v'], { env: {} });
  const long = await runCliCaptured(['--version'], { env: {} });
  assert.equal(short.code, 0);
  assert.equal(long.code, 0);
  assert.match(long.stdout, /^\d+\.\d+\.\d+/);
  assert.equal(short.stdout, long.stdout);
});

test('a group command without its subcommand is a usage error (exit 2)', async () => {
  assert.equal((await runCliCaptured(['chaos'], { env: {} })).code, 2);
});

test('local and dashboards do not offer the AWS options that do nothing for them', async () => {
  for (const path of [['local'], ['dashboards', 'import'], ['dashboards', 'export']]) {
    const r = await runCliCaptured([...path, '--help'], { env: {} });
    assert.doesNotMatch(r.stdout, /--region|--profile/, path.join(' '));
  }
});

test('required options say so in help', async () => {
  const p = program();
  const walk = (cmd: Command, path: string[]): Array<[string[], string]> =>
    cmd.commands.flatMap((sub) => [
      ...sub.options.filter((o) => o.mandatory).map((o): [string[], string] => [[...path, sub.name()], o.long!]),
      ...walk(sub, [...path, sub.name()]),
    ]);
  const required = walk(p, []);
  assert.ok(required.length > 0);
  for (const [path, flag] of required) {
    const r = await runCliCaptured([...path, '--help'], { env: {} });
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(flag)) ?? '';
    assert.match(line + r.stdout.slice(r.stdout.indexOf(line) + line.length).split('\n')[1], /\(required\)/, `${path.join(' ')} ${flag}`);
  }
});

function loadedModules(args: string[], bin = 'cli/bin.ts'): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-loads-'));
  const log = join(dir, 'loads.txt');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', './test/helpers/loadRecorder.mjs', bin, ...args],
      { cwd: ROOT, env: { ...process.env, FAULTLINE_LOAD_LOG: log } },
      (err) => {
        try {
          if (err) return reject(err);
          resolve(readFileSync(log, 'utf8').split('\n').filter(Boolean));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

const HEAVY = [/@aws-sdk\//, /\/undici\//, /\/dynalite\//, /\/cli\/local\/(localStack|gameDay|functionPool)\./, /\/cli\/logs\/openSource\./, /\/cli\/grafana\/grafanaClient\./, /\/cli\/chaos\/tableContext\./];

for (const args of [['--version'], ['--help'], ['chaos', 'set', '--help']]) {
  test(`faultline ${args.join(' ')} loads no AWS SDK, Grafana client or local mode`, async () => {
    const loaded = await loadedModules(args);
    assert.ok(loaded.some((u) => u.includes('/cli/bin.')), 'the recorder saw the CLI load');
    const heavy = loaded.filter((u) => HEAVY.some((re) => re.test(u)));
    assert.deepEqual(heavy, []);
  });
}

// The fast paths (cli/fastPath.ts): `-v`/`--version` and the help precomputed
// into dist/cli/help.json by the build. Needs `npm run build`.
const DIST_BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const HELP_JSON = join(ROOT, 'dist', 'cli', 'help.json');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function builtHelp(): HelpFile {
  assert.ok(existsSync(HELP_JSON), `${HELP_JSON} missing: run npm run build`);
  return JSON.parse(readFileSync(HELP_JSON, 'utf8')) as HelpFile;
}

/** Every help request form the fast path serves, for every command. */
const HELP_FORMS = [
  ['--help'], ['-h'], ['help'],
  ...ALL.filter((p) => p.length > 0).flatMap((p) => [[...p, '--help'], [...p, '-h'], ...(p.length === 1 ? [['help', ...p]] : [])]),
];

test('the precomputed help is, for every command, what commander prints', async () => {
  const file = builtHelp();
  assert.equal(file.version, VERSION);
  assert.equal(file.width, HELP_WIDTH);
  assert.deepEqual(Object.keys(file.texts).sort(), ALL.map((p) => p.join(' ')).sort());
  for (const argv of HELP_FORMS) {
    const live = await runCliCaptured(argv, { env: {} });
    assert.equal(live.code, 0, argv.join(' '));
    assert.equal(fastAnswer(argv, VERSION, HELP_WIDTH, () => file), live.stdout, `faultline ${argv.join(' ')}`);
  }
});

test('the fast path answers only exact help and version requests, from a help file of this version and width', async () => {
  const file = builtHelp();
  const cases: Array<[string, string[], unknown, boolean]> = [
    ['version', ['--version'], undefined, true],
    ['-v', ['-v'], undefined, true],
    ['version with more', ['--version', 'chaos'], file, false],
    ['help', ['--help'], file, true],
    ['missing help file', ['--help'], undefined, false],
    ['malformed help file', ['--help'], { version: VERSION }, false],
    ['help file of another version', ['--help'], { ...file, version: `${VERSION}-other` }, false],
    ['help file of another width', ['--help'], { ...file, width: 120 }, false],
    ['unknown command', ['nosuch', '--help'], file, false],
    ['inherited property name', ['constructor', '--help'], file, false],
    ['help with options', ['chaos', 'list', '--table', 'T', '--help'], file, false],
    ['help of a subcommand via help', ['help', 'chaos', 'list'], file, false],
    ['a command', ['chaos', 'list'], file, false],
    ['nothing', [], file, false],
  ];
  for (const [name, argv, helpFile, served] of cases) {
    const answer = fastAnswer(argv, VERSION, HELP_WIDTH, () => helpFile);
    assert.equal(answer !== undefined, served, name);
    if (served) assert.equal(answer, (await runCliCaptured(argv, { env: {} })).stdout, name);
  }
});

function runBin(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [DIST_BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout });
    });
  });
}

for (const args of [['--version'], ['-v'], ['--help'], ['help', 'chaos'], ['chaos', 'list', '--help'], ['local', '-h']]) {
  test(`built faultline ${args.join(' ')}: commander's answer, without loading commander`, async () => {
    builtHelp();
    const [bin, live] = await Promise.all([runBin(args), runCliCaptured(args, { env: {} })]);
    assert.equal(bin.code, 0);
    assert.equal(bin.stdout, live.stdout);
    const loaded = await loadedModules(args, DIST_BIN);
    assert.ok(loaded.some((u) => u.includes('/dist/cli/bin.')), 'the recorder saw the built CLI load');
    assert.deepEqual(loaded.filter((u) => /\/commander\/|\/cli\/program\./.test(u)), []);
  });
}

test('a compile cache that cannot be made or written costs nothing but speed', async () => {
  const readOnly = mkdtempSync(join(tmpdir(), 'faultline-ro-cache-'));
  chmodSync(readOnly, 0o555);
  try {
    for (const root of ['/proc/faultline-no-such-dir', readOnly, join(readOnly, 'missing')]) {
      const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = execFile(process.execPath, [DIST_BIN, 'chaos', '--no-color', '--help'], { cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: root }, timeout: 60_000 }, (_err, stdout) =>
          resolve({ code: child.exitCode, stdout }),
        );
      });
      assert.equal(r.code, 0, root);
      assert.match(r.stdout, /^Usage: faultline chaos /, root);
    }
  } finally {
    chmodSync(readOnly, 0o755);
    rmSync(readOnly, { recursive: true, force: true });
  }
});

test('built faultline falls back to commander for what the fast path does not serve', async () => {
  const r = await runBin(['chaos', 'list', '--no-color', '--help']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, (await runCliCaptured(['chaos', 'list', '--help'], { env: {} })).stdout);
  assert.ok((await loadedModules(['chaos', 'list', '--no-color', '--help'], DIST_BIN)).some((u) => u.includes('/commander/')));
});

test('--json records of commands that need no AWS carry a type', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-json-'));
  try {
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'name: s\nsteps:\n  - name: one\n    set:\n      - { scope: f, id: x, target: "aws:dynamodb", fault: error, error: ThrottlingException }\n    hold: 10s\n');
    for (const argv of [
      ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'latency', '--latency', '100', '--dry-run', '--json'],
      ['chaos', 'run', scenario, '--dry-run', '--json'],
      ['dashboards', 'export', '--out', join(dir, 'out'), '--json'],
    ]) {
      const r = await runCliCaptured(argv, { env: {} });
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      for (const line of r.stdout.trim().split('\n')) assert.equal(typeof (JSON.parse(line) as { type?: unknown }).type, 'string', `${argv.join(' ')}: ${line}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
