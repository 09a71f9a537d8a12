// (c2) per outgoing HTTP/2 request overhead, the HTTP/2 counterpart of
// bench/agent-http.bench.ts: inside one invocation of each tool's wrapped
// handler, sequential requests on one node:http2 client session to an h2c
// server on 127.0.0.1 in the same process (bench/lib/http2Worker.mjs); each
// tool in its own processes, one at a time. overhead = tool median − bare
// median, per request. Run:
//   node layer/build.mjs && node --import tsx bench/agent-http2.bench.ts
//
// Unlike the HTTP/1 benchmark's bare responder on node:net, the server here is
// node:http2's own (an HTTP/2 responder needs HPACK and framing): its share of
// a request is the same for every tool, except that with a tool's
// AsyncLocalStorage on it pays async hooks for its own streams too. The server
// checks that every instrumented request carried `traceparent` and no bare one
// did. The OpenTelemetry SDK has no node:http2 client instrumentation, so it
// has no row here.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { childNodeVersion, startWorker, type Worker } from './lib/children.js';
import { benchLibDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtRatio, fmtUs, markdownTable, median, percentile, verdict } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 4);
const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 1000);
const PROCESSES = Number(process.env.BENCH_HTTP_PROCESSES ?? 6);
const WARM_CALLS = Number(process.env.BENCH_HTTP_WARM_CALLS ?? 50);
const JIT_WARM_CALLS = Number(process.env.BENCH_HTTP_JIT_WARM_CALLS ?? 3000);
/** The per-call budget of the HTTP/1 benchmark. */
const BUDGET_US = 20;

interface Seen {
  calls: number;
  withTraceparent: number;
  sessions: number;
}

interface RoundResult {
  http2: number[];
  cpuPerCallUs: number;
  seen: Seen;
}

async function main(): Promise<void> {
  const setup = setUp('bench-http2');
  const workers: Worker[] = [];
  try {
    const tools: { tool: Tool; label: string }[] = [
      { tool: setup.competitor('bare handler (no tool)', 'bare.mjs'), label: 'bare' },
      { tool: setup.competitor('AsyncLocalStorage only (the floor of any async-context agent)', 'als-only.mjs'), label: 'als' },
      { tool: setup.faultline('faultline-observe'), label: 'observe' },
      { tool: setup.faultline('faultline'), label: 'faultline' },
    ];
    const script = join(benchLibDir, 'http2Worker.mjs');
    const samples = new Map<string, number[]>(tools.map(({ label }) => [label, []]));
    const cpuPerCall = new Map<string, number[]>(tools.map(({ label }) => [label, []]));
    const byProcess = new Map<string, number[][]>(tools.map(({ label }) => [label, []]));
    const seen = new Map<string, Seen>(tools.map(({ label }) => [label, { calls: 0, withTraceparent: 0, sessions: 0 }]));
    for (let p = 0; p < PROCESSES; p++) {
      for (const { tool, label } of rotation(tools, p)) {
        const worker = startWorker(`${tool.name} #${p + 1}`, script, [tool.entryUrl, label], tool.env);
        workers.push(worker);
        const own: number[] = [];
        byProcess.get(label)!.push(own);
        let last: Seen | undefined;
        // Round -1 is warm-up (session, JIT), not counted.
        for (let r = -1; r < ROUNDS; r++) {
          const res = await worker.request<RoundResult>({ op: 'round', n: r < 0 ? JIT_WARM_CALLS : CALLS, warm: WARM_CALLS });
          last = res.seen;
          if (r >= 0) {
            samples.get(label)!.push(...res.http2);
            own.push(...res.http2);
            cpuPerCall.get(label)!.push(res.cpuPerCallUs);
          }
        }
        await worker.stop();
        const total = seen.get(label)!;
        total.calls += last!.calls;
        total.withTraceparent += last!.withTraceparent;
        total.sessions += last!.sessions;
      }
    }
    for (const { label, tool } of tools) {
      const t = seen.get(label)!;
      const want = label === 'bare' || label === 'als' ? 0 : t.calls;
      if (t.calls === 0 || t.withTraceparent !== want) {
        throw new Error(`${tool.name}: ${t.withTraceparent} of ${t.calls} requests carried traceparent, expected ${want === 0 ? 'none' : 'all'}`);
      }
    }

    console.log(`### (c2) per outgoing HTTP/2 request overhead (${PROCESSES} processes per tool × ${ROUNDS} rounds × ${CALLS} requests, after warm-up)\n`);
    console.log(
      `Each tool runs in ${PROCESSES} worker processes, one process at a time, whose samples are pooled. Sequential \`session.request\` calls on one node:http2 client session inside one invocation per round, timed after ${WARM_CALLS} untimed ones; ` +
        `node:http2 h2c server on 127.0.0.1 in the calling process; median and p95 of single requests; overhead = tool median − bare median (pooled samples), and per process its own median − the pooled bare median. ` +
        `Children run on Node ${childNodeVersion()}. Load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    const med = (label: string) => median(samples.get(label)!);
    const bare = med('bare');
    const observeOverhead = med('observe') - bare;
    console.log(
      markdownTable(
        ['tool', 'median / request', 'p95', 'overhead over bare', 'overhead per process (min–max)', 'overhead ratio to faultline-observe', 'client CPU / request (median of rounds)', `sessions (${PROCESSES} processes)`, 'budget'],
        tools.map(({ tool, label }) => {
          const overhead = med(label) - bare;
          const perProcess = byProcess.get(label)!.map((own) => median(own) - bare);
          return [
            tool.name,
            fmtUs(med(label)),
            fmtUs(percentile(samples.get(label)!, 95)),
            label === 'bare' ? '–' : fmtUs(overhead),
            label === 'bare' ? '–' : `${fmtUs(Math.min(...perProcess))}–${fmtUs(Math.max(...perProcess))}`,
            label === 'bare' ? '–' : fmtRatio(overhead / observeOverhead),
            fmtUs(median(cpuPerCall.get(label)!)),
            String(seen.get(label)!.sessions),
            label === 'observe' || label === 'faultline' ? `≤ ${BUDGET_US} µs: ${verdict(overhead, BUDGET_US)}` : '',
          ];
        }),
      ),
    );
    console.log('');
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    setup.dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
