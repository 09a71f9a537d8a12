#!/usr/bin/env node
// Runs every test/**/*.test.ts on Node's built-in runner through tsx, once per
// Node.js version of Lambda's runtimes (24, then 22; see node-runtimes.mjs),
// plus this machine's own node when it is another version `engines` supports.
// TEST_NODE=/path/to/node runs on that node only. Arguments filter the files.
// Each run prints the runner's own report (spec in a terminal, else TAP); the last `# pass` / `# fail` lines
// are the totals over every version, and the exit code fails if any version did.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureNode, matrixMajors, versionOf } from './node-runtimes.mjs';
import { parseSummary, reporterArgs, SUMMARY_KEYS, verdict } from './test-summary.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const terminal = Boolean(process.stdout.isTTY);

/** Runs the files on one node, its report on stdout; resolves with its summary counts and exit status. */
function runOn(nodePath, files) {
  const tapDir = terminal ? mkdtempSync(join(tmpdir(), 'faultline-tests-')) : undefined;
  const tapFile = tapDir && join(tapDir, 'report.tap');
  return new Promise((resolve) => {
    const child = spawn(
      nodePath,
      ['--import', 'tsx', '--test', '--test-concurrency=2', ...reporterArgs(terminal, tapFile), ...files.map((f) => relative(root, f))],
      {
        cwd: root,
        stdio: ['ignore', terminal ? 'inherit' : 'pipe', 'inherit'],
        env: { ...process.env, ...(!terminal && { FORCE_COLOR: '0' }), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    let tap = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk) => {
      process.stdout.write(chunk);
      tap += chunk;
    });
    const done = (code, signal, error) => {
      if (tapFile) {
        tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
        rmSync(tapDir, { recursive: true, force: true });
      }
      const counts = parseSummary(tap);
      resolve(error ? { counts, ok: false, why: error } : { counts, ...verdict(counts, code, signal) });
    };
    child.on('error', (err) => done(null, null, err.message));
    child.on('close', (code, signal) => done(code, signal));
  });
}

let files = find(join(root, 'test')).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

/** [{ label, path } | { label, error }] */
const nodes = [];
if (process.env.TEST_NODE) {
  const version = versionOf(process.env.TEST_NODE);
  nodes.push(version ? { label: `Node ${version}`, path: process.env.TEST_NODE } : { label: process.env.TEST_NODE, error: 'TEST_NODE does not run' });
} else {
  for (const major of matrixMajors(pkg)) {
    try {
      const got = ensureNode(major);
      nodes.push({ label: `Node ${got.version}`, path: got.path });
    } catch (err) {
      nodes.push({ label: `Node ${major}`, error: err.message });
    }
  }
  if (!matrixMajors(pkg).includes(Number(process.versions.node.split('.')[0]))) {
    process.stdout.write(`# this machine's ${process.version} is below engines.node ${pkg.engines?.node}: not a test target\n`);
  }
}

const totals = Object.fromEntries(SUMMARY_KEYS.map((k) => [k, 0]));
const lines = [];
let failed = 0;
for (const node of nodes) {
  if (node.error !== undefined) {
    failed++;
    totals.fail++;
    lines.push(`# ${node.label}: not run: ${node.error}`);
    process.stdout.write(`# ${node.label}: not run: ${node.error}\n`);
    continue;
  }
  process.stdout.write(`# ${node.label} (${node.path}): ${files.length} test files\n`);
  const r = await runOn(node.path, files);
  for (const k of SUMMARY_KEYS) totals[k] += r.counts[k] ?? 0;
  if (!r.ok) failed++;
  if (!r.ok && !r.counts.fail && !r.counts.cancelled) totals.fail++;
  const pass = r.counts.pass ?? 0;
  const fail = r.counts.fail ?? 0;
  lines.push(`# ${node.label}: ${pass} passed, ${fail} failed${r.counts.cancelled ? `, ${r.counts.cancelled} cancelled` : ''}${r.ok ? '' : ` (FAILED: ${r.why})`}`);
}

process.stdout.write(`\n# all versions: ${nodes.map((n) => n.label).join(', ')}\n${lines.join('\n')}\n`);
for (const k of SUMMARY_KEYS) process.stdout.write(`# ${k} ${totals[k]}\n`);
process.exit(failed ? 1 : 0);
