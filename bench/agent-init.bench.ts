// (a) import+init: what attaching each tool adds to a cold start. Run:
//   node layer/build.mjs && node --import tsx bench/agent-init.bench.ts
//
// One fresh `node` process per sample (bench/lib/initProbe.mjs), timed from
// just before the dynamic import() of the tool's entry to its ready wrapped
// handler; the tools take turns sample by sample (rotating order) so machine
// noise spreads over all of them. faultline is its built layer (copied from
// dist/layer); the competitors are measured both bundled the way the layer is
// (esbuild, ESM entry points, minified) and as installed in node_modules.
// Also prints the faultline-observe bundle's size against its budget.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { bundleEntry } from './lib/bundle.js';
import { childNodeVersion, runProbe } from './lib/children.js';
import { bundleSize } from './lib/layer.js';
import { benchLibDir, competitorsDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtKb, fmtMs, fmtRatio, markdownTable, median, percentile, verdict } from './lib/stats.js';

const SAMPLES = Number(process.env.BENCH_INIT_SAMPLES ?? 25);
/**
 * The Lambda Node.js runtime client talks to the Runtime API with node:http,
 * so a function's init starts with http (and net, stream) already loaded;
 * a bare `node` does not. The second table shows that case.
 */
const RUNTIME_PRELOAD = 'node:http';
const INIT_BUDGET_MS = 15;
const SIZE_BUDGET_BYTES = 250 * 1024;

function printInitTable(rows: readonly Tool[], samples: Map<Tool, number[]>, cpu: Map<Tool, number[]>): void {
  const med = (t: Tool) => median(samples.get(t)!);
  const bare = med(rows[0]!);
  const observe = med(rows[1]!);
  console.log(
    markdownTable(
      ['tool', 'median', 'p95', 'CPU median', 'over bare', 'ratio to faultline-observe', 'budget (wall / CPU)'],
      rows.map((t) => {
        const m = med(t);
        const isOurs = t.name.startsWith('faultline');
        return [
          t.name,
          fmtMs(m),
          fmtMs(percentile(samples.get(t)!, 95)),
          fmtMs(median(cpu.get(t)!)),
          t === rows[0] ? '–' : fmtMs(m - bare),
          fmtRatio(m / observe),
          isOurs ? `≤ ${INIT_BUDGET_MS} ms: ${verdict(m, INIT_BUDGET_MS)} / ${verdict(median(cpu.get(t)!), INIT_BUDGET_MS)}` : '',
        ];
      }),
    ),
  );
}

async function main(): Promise<void> {
  const setup = setUp('bench-init');
  try {
    const bundles = join(setup.dir.path, 'bundles');
    const tools: Tool[] = [
      setup.competitor('bare handler (no tool)', 'bare.mjs'),
      setup.faultline('faultline-observe'),
      setup.faultline('faultline'),
      setup.tool('Powertools (bundled)', await bundleEntry(join(competitorsDir, 'powertools.mjs'), bundles, 'powertools')),
      setup.competitor('Powertools (node_modules)', 'powertools.mjs'),
      setup.tool('OpenTelemetry SDK (bundled)', await bundleEntry(join(competitorsDir, 'otel.mjs'), bundles, 'otel')),
      setup.competitor('OpenTelemetry SDK (node_modules)', 'otel.mjs'),
    ];
    const preloaded: Tool[] = [tools[0]!, tools[1]!, tools[3]!, tools[5]!].map((t) => ({
      ...t,
      name: `${t.name}, ${RUNTIME_PRELOAD} preloaded`,
      preload: RUNTIME_PRELOAD,
    }));
    const all = [...tools, ...preloaded];
    const probe = join(benchLibDir, 'initProbe.mjs');
    const samples = new Map<Tool, number[]>(all.map((t) => [t, []]));
    const cpu = new Map<Tool, number[]>(all.map((t) => [t, []]));
    // Round -1 warms the page cache and is not counted.
    for (let r = -1; r < SAMPLES; r++) {
      for (const tool of rotation(all, Math.max(0, r))) {
        const args = tool.preload === undefined ? [tool.entryUrl] : [tool.entryUrl, tool.preload];
        const res = (await runProbe(probe, args, tool.env)) as { ms: number; cpuMs: number };
        if (r >= 0) {
          samples.get(tool)!.push(res.ms);
          cpu.get(tool)!.push(res.cpuMs);
        }
      }
    }

    console.log(`### (a) import + init, fresh process per sample (${SAMPLES} samples each, interleaved)\n`);
    console.log(
      'Wall time from just before `import()` of the entry to a ready wrapped handler, and the CPU time (user + system) ' +
        'the process spent in it, which a busy machine inflates less. The budget applies to wall time on an idle machine; ' +
        `children run on Node ${childNodeVersion()}; load average when these tables were made: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    printInitTable(tools, samples, cpu);
    console.log(
      `\nThe same, with \`${RUNTIME_PRELOAD}\` loaded before the clock starts, as the Lambda runtime client has it loaded when it imports the function:\n`,
    );
    printInitTable(preloaded, samples, cpu);

    const size = bundleSize(setup.layers['faultline-observe']);
    console.log('\n### faultline-observe bundle size\n');
    console.log(
      markdownTable(
        ['part', 'size', 'budget'],
        [
          ['all .js in nodejs/node_modules/faultline', fmtKb(size.allJsBytes), `≤ 250 KB: ${verdict(size.allJsBytes, SIZE_BUDGET_BYTES)}`],
          [`loaded at startup by \`import('faultline')\` (${size.startupFiles.join(', ')})`, fmtKb(size.startupBytes), `≤ 250 KB: ${verdict(size.startupBytes, SIZE_BUDGET_BYTES)}`],
        ],
      ),
    );
  } finally {
    setup.dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
