// Benchmark: `faultline logs correlate` over a generated log directory of
// 1,000,000 events across 20 functions (and 250,000 for the memory
// comparison). Target: ≥ 500,000 events/s, peak RSS independent of the
// input size. Each measurement runs in a fresh child process so its peak RSS
// is its own. Run: node --import tsx bench/correlate.bench.ts
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedLogDir, type GeneratedLogDir } from './generateLogDir.js';
import { median } from './lib/stats.js';

const SELF = fileURLToPath(import.meta.url);
const CACHE = join(tmpdir(), 'faultline-bench-correlate-v1');
const RUNS = 3;

interface ChildResult {
  ms: number;
  maxRssMB: number;
  baselineRssMB: number;
  exitCode: number;
}

async function child(): Promise<void> {
  const args = process.argv.slice(process.argv.indexOf('--child') + 1);
  const { runCli } = await import('../cli/program.js');
  const baselineRssMB = process.memoryUsage().rss / 2 ** 20;
  const t0 = performance.now();
  const exitCode = await runCli(args, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  const ms = performance.now() - t0;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  const result: ChildResult = { ms, maxRssMB, baselineRssMB, exitCode };
  process.stderr.write(`BENCH ${JSON.stringify(result)}\n`);
}

function measure(data: GeneratedLogDir, id: string): ChildResult {
  const args = [
    'logs', 'correlate', id,
    '--prefix', 'fn-',
    '--source', data.dir,
    '--since', new Date(data.startMs - 60_000).toISOString(),
    '--until', new Date(data.endMs + 60_000).toISOString(),
    '--json',
  ];
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) throw new Error(`benchmark child failed: ${r.stderr}`);
  const res = JSON.parse(line.slice(6)) as ChildResult;
  if (res.exitCode !== 0) throw new Error(`logs correlate exited ${res.exitCode}: ${r.stderr}`);
  return res;
}

async function main(): Promise<void> {
  const sizes = [250_000, 1_000_000];
  const rows: string[] = [];
  const summary: Record<string, unknown> = {};
  for (const size of sizes) {
    const t0 = performance.now();
    const data = cachedLogDir(CACHE, size);
    const genS = (performance.now() - t0) / 1000;
    process.stderr.write(`data: ${data.events} events in ${data.dir} (${genS < 0.5 ? 'cached' : `generated in ${genS.toFixed(1)}s`})\n`);
    for (const [label, id] of [
      ['trace id', data.target.traceId],
      ['correlation id', data.target.orderId],
    ] as const) {
      const results = Array.from({ length: RUNS }, () => measure(data, id));
      const ms = median(results.map((r) => r.ms));
      const rate = data.events / (ms / 1000);
      const rss = Math.max(...results.map((r) => r.maxRssMB));
      const base = median(results.map((r) => r.baselineRssMB));
      summary[`${size}/${label}`] = { events: data.events, medianMs: Math.round(ms), eventsPerSecond: Math.round(rate), peakRssMB: Math.round(rss), baselineRssMB: Math.round(base) };
      rows.push(
        `${String(data.events).padStart(9)} events  ${label.padEnd(15)} ${ms.toFixed(0).padStart(6)} ms (median of ${RUNS})  ` +
          `${Math.round(rate).toLocaleString('en-US').padStart(11)} events/s  peak RSS ${rss.toFixed(0)} MB (after loading: ${base.toFixed(0)} MB)`,
      );
    }
  }
  console.log('logs correlate over a log directory (20 functions, 3-function requests)');
  for (const r of rows) console.log(r);
  const big = summary['1000000/trace id'] as { eventsPerSecond: number; peakRssMB: number };
  const small = summary['250000/trace id'] as { peakRssMB: number };
  console.log(`target ≥ 500,000 events/s: ${big.eventsPerSecond >= 500_000 ? 'met' : 'MISSED'}; peak RSS 250k → 1M: ${small.peakRssMB} → ${big.peakRssMB} MB`);
  console.log(JSON.stringify(summary));
}

if (process.argv.includes('--child')) await child();
else await main();
