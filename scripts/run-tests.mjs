#!/usr/bin/env node
// Runs every test/**/*.test.ts on Node's built-in runner through tsx, once per
// Node.js version of Lambda's runtimes (24, then 22; see node-runtimes.mjs),
// plus this machine's own node when it is another version `engines` supports.
// TEST_NODE=/path/to/node runs on that node only. Arguments filter the files.
// Each run prints the runner's own summary; the last `# pass` / `# fail` lines
// are the totals over every version, and the exit code fails if any version did.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureNode, matrixMajors, versionOf } from './node-runtimes.mjs';

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

// The node runner's closing lines, in the order it prints them.
const SUMMARY_KEYS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'];
const SUMMARY_LINE = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;

/** Runs the files on one node, passing its output through; resolves with its summary counts and exit status. */
function runOn(nodePath, files) {
  return new Promise((resolve) => {
    const child = spawn(
      nodePath,
      ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=tap', ...files.map((f) => relative(root, f))],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, FORCE_COLOR: '0', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    const counts = {};
    let rest = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const m = SUMMARY_LINE.exec(line);
        if (m) counts[m[1]] = Number(m[2]);
      }
    });
    child.on('error', (err) => resolve({ counts, ok: false, why: err.message }));
    child.on('close', (code, signal) => {
      const m = SUMMARY_LINE.exec(rest);
      if (m) counts[m[1]] = Number(m[2]);
      const ok = code === 0 && signal === null && counts.pass !== undefined && !counts.fail && !counts.cancelled;
      resolve({ counts, ok, why: signal ? `killed by ${signal}` : code !== 0 ? `exit ${code}` : ok ? '' : 'no summary' });
    });
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
