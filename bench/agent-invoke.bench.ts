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
//   over UDP to a port on 127.0.0.1 where this process counts them during the
//   proof-of-work phase, then stops listening (the datagrams are sent and
//   dropped on loopback, as with no X-Ray daemon).
// OpenTelemetry: NodeTracerProvider + SimpleSpanProcessor(ConsoleSpanExporter),
//   instrumentation-aws-lambda patching the handler module it finds through
//   _HANDLER/LAMBDA_TASK_ROOT, as on Lambda (bench/competitors/otelSetup.mjs).
import { createSocket, type Socket } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startWorker, type Worker } from './lib/children.js';
import { benchLibDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtRatio, fmtUs, markdownTable, median, percentile, verdict } from './lib/stats.js';

const BATCHES = Number(process.env.BENCH_INVOKE_BATCHES ?? 20);
const BATCH = Number(process.env.BENCH_INVOKE_BATCH ?? 2000);
const BUDGET_US = 50;

/** Lines each tool must write per invocation at least, or it is not doing its work. */
const MIN_LINES: Record<string, number> = {
  'bare handler (no tool)': 0,
  'faultline-observe': 2,
  'faultline (chaos off)': 2,
  'Powertools (Logger + Tracer + Metrics)': 2,
  'OpenTelemetry SDK + aws-lambda instrumentation': 1,
};

/** A UDP socket on 127.0.0.1 standing in for the X-Ray daemon: counts segment datagrams. */
function xrayDaemon(): Promise<{ socket: Socket; address: string; received: () => number }> {
  const socket = createSocket('udp4');
  let n = 0;
  socket.on('message', () => n++);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve({ socket, address: `127.0.0.1:${socket.address().port}`, received: () => n }));
  });
}

async function main(): Promise<void> {
  const setup = setUp('bench-invoke');
  const workers: Worker[] = [];
  const daemon = await xrayDaemon();
  let daemonOpen = true;
  const closeDaemon = () => {
    if (daemonOpen) daemon.socket.close();
    daemonOpen = false;
  };
  try {
    setup.env.AWS_XRAY_DAEMON_ADDRESS = daemon.address;
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
    // Powertools' Tracer sends one subsegment per invocation to the daemon address (UDP, may lag a moment).
    for (let i = 0; i < 50 && daemon.received() < 10; i++) await new Promise((r) => setTimeout(r, 20));
    if (daemon.received() < 10) throw new Error(`Powertools Tracer: ${daemon.received()} X-Ray datagrams over 10 invocations, expected at least 10`);
    closeDaemon();

    const samples = new Map<string, number[]>(tools.map((t) => [t.name, []]));
    const cpu = new Map<string, number[]>(tools.map((t) => [t.name, []]));
    // Batch -1 is warm-up (JIT, caches), not counted.
    for (let b = -1; b < BATCHES; b++) {
      for (const t of rotation(tools, Math.max(0, b))) {
        const res = await byName.get(t.name)!.request<{ samples: number[]; cpuPerInvocationUs: number }>({ op: 'run', n: BATCH });
        if (b >= 0) {
          samples.get(t.name)!.push(...res.samples);
          cpu.get(t.name)!.push(res.cpuPerInvocationUs);
        }
      }
    }

    const med = (name: string) => median(samples.get(name)!);
    const bare = med(tools[0]!.name);
    const cpuMed = (name: string) => median(cpu.get(name)!);
    const bareCpu = cpuMed(tools[0]!.name);
    const observeOverhead = med(tools[1]!.name) - bare;
    console.log(`### (b) per-invocation overhead over a bare handler (${BATCHES} batches × ${BATCH} invocations each, after warm-up)\n`);
    console.log(
      `API Gateway v2 event, sequential invocations, telemetry to stdout on /dev/null; median and p95 of single invocations; ` +
        `overhead = tool median − bare median; mean CPU overhead = the process's CPU time (all threads, GC included) per invocation, median over batches, minus the bare one's: a mean, so it also carries the tail and deferred work that the median leaves out. Load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    console.log(
      markdownTable(
        ['tool', 'median / invocation', 'p95', 'overhead over bare', 'overhead ratio to faultline-observe', 'mean CPU overhead / invocation', 'budget'],
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
            t === tools[0] ? '–' : fmtUs(cpuMed(t.name) - bareCpu),
            isOurs ? `≤ ${BUDGET_US} µs: ${verdict(overhead, BUDGET_US)}` : '',
          ];
        }),
      ),
    );
  } finally {
    closeDaemon();
    await Promise.all(workers.map((w) => w.stop()));
    setup.dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
