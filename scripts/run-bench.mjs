#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in its own process, one after
// the other (never in parallel: they measure time), prints their reports and
// keeps them in bench/results/latest.md.
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);
let files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

const report = [`# faultline benchmarks`, ``, `Node ${process.version}, ${new Date().toISOString()}`, ``];
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file}\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], {
    cwd: root,
    // The AWS SDK's notice that its 2027 releases need Node 22 is not part of any report.
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(res.stdout ?? '');
  report.push(`## ${file}`, '', res.stdout ?? '', '');
  if (res.status !== 0) failed++;
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'latest.md'), report.join('\n'));
process.exit(failed ? 1 : 0);
