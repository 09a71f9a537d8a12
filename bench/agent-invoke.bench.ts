// (b) per-invocation overhead: the same bare handler (API Gateway v2 event,
// realistic context) called in sequence, bare and wrapped by each tool, each
// tool in its own long-lived process (bench/lib/invokeWorker.mjs); the
// processes take turns batch by batch. Every tool writes its telemetry to
// stdout on /dev/null. Run:
//   node layer/build.mjs && node --import tsx bench/agent-invoke.bench.ts
//
// faultline: wrap() from the built layer, FAULTLINE_TRACES=log (the default):
//   invocation span as a JSON line, EMF metrics line.
// Powertools: Logger + Tracer + Metrics (bench/competitors/powertools.mjs),
//   with AWS_EXECUTION_ENV set so the Tracer traces; its X-Ray subsegments go
//   over UDP to 127.0.0.1:2000 (nothing listens: the datagrams are sent and dropped).
// OpenTelemetry: NodeTracerProvider + SimpleSpanProcessor(ConsoleSpanExporter),
//   instrumentation-aws-lambda patching the handler module it finds through
//   _HANDLER/LAMBDA_TASK_ROOT, as on Lambda (bench/competitors/otelSetup.mjs).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startWorker, type Worker } from './lib/children.js';
import { benchLibDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtRatio, fmtUs, markdownTable, median, percentile, verdict } from './lib/stats.js';

const BATCHES = Number(process.env.BENCH_INVOKE_BATCHES ?? 20);
const BATCH = Number(process.env.BENCH_INVOKE_BATCH ?? 5000);
const BUDGET_US = 50;

/** Lines each tool must write per invocation at least, or it is not doing its work. */
const MIN_LINES: Record<string, number> = {
  'bare handler (no tool)': 0,
  'faultline-observe': 2,
  'faultline (chaos off)': 2,
  'Powertools (Logger + Tracer + Metrics)': 2,
  'OpenTelemetry SDK + aws-lambda instrumentation': 1,
};

async function main(): Promise<void> {
  const setup = setUp('bench-invoke');
  const workers: Worker[] = [];
  try {
    const tools: Tool[] = [
      setup.competitor('bare handler (no tool)', 'bare.mjs'),
      setup.faultline('faultline-observe'),
      setup.faultline('faultline'),
      setup.competitor('Powertools (Logger + Tracer + Metrics)', 'powertools.mjs'),
      setup.competitor('OpenTelemetry SDK + aws-lambda instrumentation', 'otel.mjs'),
    ];
    const script = join(benchLibDir, 'invokeWorker.mjs');
    for (const t of tools) workers.push(startWorker(t.name, script, [t.entryUrl], t.env));
    const byName = new Map(workers.map((w) => [w.name, w]));

    // Proof of work first (short, untimed): every tool writes its telemetry lines.
    for (const t of tools) {
      const { lines } = await byName.get(t.name)!.request<{ lines: number }>({ op: 'verify', n: 10 });
      const min = MIN_LINES[t.name] ?? 1;
      if (lines < min * 10 || (min === 0 && lines !== 0)) {
        throw new Error(`${t.name}: wrote ${lines} stdout lines over 10 invocations, expected ${min === 0 ? 'none' : `at least ${min * 10}`}`);
      }
    }

    const samples = new Map<string, number[]>(tools.map((t) => [t.name, []]));
    // Batch -1 is warm-up (JIT, caches), not counted.
    for (let b = -1; b < BATCHES; b++) {
      for (const t of rotation(tools, Math.max(0, b))) {
        const { samples: s } = await byName.get(t.name)!.request<{ samples: number[] }>({ op: 'run', n: BATCH });
        if (b >= 0) samples.get(t.name)!.push(...s);
      }
    }

    const med = (name: string) => median(samples.get(name)!);
    const bare = med(tools[0]!.name);
    const observeOverhead = med(tools[1]!.name) - bare;
    console.log(`### (b) per-invocation overhead over a bare handler (${BATCHES} batches × ${BATCH} invocations each, after warm-up)\n`);
    console.log(
      `API Gateway v2 event, sequential invocations, telemetry to stdout on /dev/null; median and p95 of single invocations; ` +
        `overhead = tool median − bare median. Load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    console.log(
      markdownTable(
        ['tool', 'median / invocation', 'p95', 'overhead over bare', 'overhead ratio to faultline-observe', 'budget'],
        tools.map((t) => {
          const m = med(t.name);
          const overhead = m - bare;
          const isOurs = t.name.startsWith('faultline');
          return [
            t.name,
            fmtUs(m),
            fmtUs(percentile(samples.get(t.name)!, 95)),
            t === tools[0] ? '–' : fmtUs(overhead),
            t === tools[0] ? '–' : fmtRatio(overhead / observeOverhead),
            isOurs ? `≤ ${BUDGET_US} µs: ${verdict(overhead, BUDGET_US)}` : '',
          ];
        }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    setup.dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
