#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in its own process, one after
// the other (never in parallel: they measure time), once per Node.js version
// of Lambda's runtimes: Node 24 first (the headline), Node 22 beside it, each
// file's two reports together. BENCH_NODE=/path/to/node runs on that node only.
// Prints the reports and keeps them in bench/results/latest.md.
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureNode, LAMBDA_NODE_MAJORS, versionOf } from './node-runtimes.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
let files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

/** [{ path, version }], the headline first. */
const nodes = process.env.BENCH_NODE
  ? [{ path: process.env.BENCH_NODE, version: versionOf(process.env.BENCH_NODE) ?? process.env.BENCH_NODE }]
  : LAMBDA_NODE_MAJORS.map((major) => ensureNode(major));

const versions = nodes.map((n) => `Node ${n.version}`);
const report = [
  `# faultline benchmarks`,
  ``,
  `${versions[0]}${versions.length > 1 ? ` (headline; ${versions.slice(1).join(', ')} beside it)` : ''}, ${new Date().toISOString()}`,
  ``,
];
let failed = 0;
for (const file of files) {
  report.push(`## ${file}`, '');
  for (const node of nodes) {
    const heading = nodes.length > 1 ? `### ${file} on Node ${node.version}` : undefined;
    process.stdout.write(`\n=== ${file}${nodes.length > 1 ? ` on Node ${node.version}` : ''}\n`);
    // The bench's own process runs on that node too, so in-process measurements are of that version.
    const res = spawnSync(node.path, ['--import', 'tsx', join('bench', file)], {
      cwd: root,
      env: { ...process.env, BENCH_NODE: node.path, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(res.stdout ?? '');
    if (heading) report.push(heading, '');
    report.push(res.stdout ?? '', '');
    if (res.status !== 0) failed++;
  }
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'latest.md'), report.join('\n'));
process.exit(failed ? 1 : 0);
