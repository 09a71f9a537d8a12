// (c) per outgoing HTTP call overhead: inside one invocation of each tool's
// wrapped handler, sequential http.request calls (keep-alive agent) and
// sequential fetch calls to a keep-alive server on 127.0.0.1 in the same
// process (a bare HTTP/1.1 responder, so that the server's share of a call is
// small and the same for every tool); each tool in its own long-lived processes (bench/lib/httpWorker.mjs),
// taking turns round by round. overhead = tool median − bare median, per call. Run:
//   node layer/build.mjs && node --import tsx bench/agent-http.bench.ts
//
// OpenTelemetry here is otel.mjs plus instrumentation-undici (the http
// instrumentation alone does not see fetch), told to leave the worker's own
// server alone. The server checks that every instrumented call carried
// `traceparent` and no bare call did, so a tool that silently stopped
// instrumenting fails the benchmark instead of looking fast.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { childNodeVersion, startWorker, type Worker } from './lib/children.js';
import { benchLibDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtRatio, fmtUs, markdownTable, median, percentile, verdict } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 4);
const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 1000);
/**
 * Worker processes per tool, one after another. Two processes running the
 * same code differ by more than the overhead being measured (memory layout,
 * JIT decisions); pooling the samples of several averages that out.
 */
const PROCESSES = Number(process.env.BENCH_HTTP_PROCESSES ?? 6);
/**
 * Untimed calls at the start of each API's run in a round: the switch from
 * http to fetch and back leaves the other path's code and data cold.
 */
const WARM_CALLS = Number(process.env.BENCH_HTTP_WARM_CALLS ?? 50);
/**
 * Calls per API in the uncounted first round: enough for V8 to optimise the
 * hot code of every tool (a few thousand calls), so the rounds compare steady
 * states rather than how fast each tool's code gets compiled.
 */
const JIT_WARM_CALLS = Number(process.env.BENCH_HTTP_JIT_WARM_CALLS ?? 3000);
const BUDGET_US = 20;
const APIS = ['http', 'fetch'] as const;
type Api = (typeof APIS)[number];

interface Seen {
  calls: number;
  withTraceparent: number;
  /** Distinct connections the calls came on: keep-alive should make it 1 per worker. */
  connections: number;
}

async function main(): Promise<void> {
  const setup = setUp('bench-http');
  const workers: Worker[] = [];
  try {
    const tools: { tool: Tool; label: string }[] = [
      { tool: setup.competitor('bare handler (no tool)', 'bare.mjs'), label: 'bare' },
      { tool: setup.competitor('AsyncLocalStorage only (the floor of any async-context agent)', 'als-only.mjs'), label: 'als' },
      { tool: setup.faultline('faultline-observe'), label: 'observe' },
      { tool: setup.faultline('faultline'), label: 'faultline' },
      { tool: setup.competitor('OpenTelemetry SDK + http + undici instrumentation', 'otel-http.mjs'), label: 'otel' },
    ];
    const script = join(benchLibDir, 'httpWorker.mjs');
    const runs: { label: string; worker: Worker }[] = [];
    const samples = new Map<string, Record<Api, number[]>>(tools.map(({ label }) => [label, { http: [], fetch: [] }]));
    const cpuPerCall = new Map<string, Record<Api, number[]>>(tools.map(({ label }) => [label, { http: [], fetch: [] }]));
    /** Each process's own samples, for the spread of the overhead between processes. */
    const byProcess = new Map<string, Record<Api, number[]>[]>(tools.map(({ label }) => [label, []]));
    /** What each worker's server saw, by worker: the last round's totals. */
    const seenBy = new Map<Worker, Record<Api, Seen>>();
    // One worker process at a time, each measured on its own from start to end: with several
    // processes taking turns, each came back to caches the others had filled, and a tool's
    // figure moved by more than the overhead measured. Repetitions take the tools in rotated order.
    for (let p = 0; p < PROCESSES; p++) {
      for (const { tool, label } of rotation(tools, p)) {
        const worker = startWorker(`${tool.name} #${p + 1}`, script, [tool.entryUrl, label], tool.env);
        workers.push(worker);
        runs.push({ label, worker });
        const own: Record<Api, number[]> = { http: [], fetch: [] };
        byProcess.get(label)!.push(own);
        // Round -1 is warm-up (connections, JIT), not counted: JIT_WARM_CALLS per API.
        for (let r = -1; r < ROUNDS; r++) {
          const res = await worker.request<Record<Api, number[]> & { cpuPerCallUs: Record<Api, number>; seen: Record<Api, Seen> }>({
            op: 'round',
            n: r < 0 ? JIT_WARM_CALLS : CALLS,
            warm: WARM_CALLS,
          });
          seenBy.set(worker, res.seen);
          if (r >= 0) {
            for (const api of APIS) {
              samples.get(label)![api].push(...res[api]);
              own[api].push(...res[api]);
              cpuPerCall.get(label)![api].push(res.cpuPerCallUs[api]);
            }
          }
        }
        await worker.stop();
      }
    }

    const seen = (label: string, api: Api): Seen => {
      const total: Seen = { calls: 0, withTraceparent: 0, connections: 0 };
      for (const run of runs) {
        if (run.label !== label) continue;
        const s = seenBy.get(run.worker)![api];
        total.calls += s.calls;
        total.withTraceparent += s.withTraceparent;
        total.connections += s.connections;
      }
      return total;
    };
    for (const { label, tool } of tools) {
      for (const api of APIS) {
        const t = seen(label, api);
        const want = label === 'bare' || label === 'als' ? 0 : t.calls;
        if (t.calls === 0 || t.withTraceparent !== want) {
          throw new Error(`${tool.name}, ${api}: ${t.withTraceparent} of ${t.calls} calls carried traceparent, expected ${want === 0 ? 'none' : 'all'}`);
        }
      }
    }

    console.log(`### (c) per outgoing HTTP call overhead (${PROCESSES} processes per tool × ${ROUNDS} rounds × ${CALLS} calls per API, after warm-up)\n`);
    console.log(
      `Each tool runs in ${PROCESSES} worker processes, one process at a time, whose samples are pooled. Sequential calls inside one invocation per round, each API's timed calls after ${WARM_CALLS} untimed ones in the same invocation; ` +
        `server on 127.0.0.1 with keep-alive, in the calling process (a call's time is the CPU work of both ends), a bare HTTP/1.1 responder on node:net (no http.Server, whose parsing and async hooks the function would not pay on Lambda); median and p95 of single calls; ` +
        `overhead = tool median − bare median (pooled samples), and per process its own median − the pooled bare median; client CPU is the calling process's CPU time per call. Children run on Node ${childNodeVersion()}. Load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    for (const api of APIS) {
      const med = (label: string) => median(samples.get(label)![api]);
      const bare = med('bare');
      const observeOverhead = med('observe') - bare;
      console.log(`#### ${api === 'http' ? '`http.request` (keep-alive agent)' : '`fetch`'}\n`);
      console.log(
        markdownTable(
          ['tool', 'median / call', 'p95', 'overhead over bare', 'overhead per process (min–max)', 'overhead ratio to faultline-observe', 'client CPU / call (median of rounds)', `connections (${PROCESSES} processes)`, 'budget'],
          tools.map(({ tool, label }) => {
            const overhead = med(label) - bare;
            return [
              tool.name,
              fmtUs(med(label)),
              fmtUs(percentile(samples.get(label)![api], 95)),
              label === 'bare' ? '–' : fmtUs(overhead),
              label === 'bare' ? '–' : spread(byProcess.get(label)!.map((own) => median(own[api]) - bare)),
              label === 'bare' ? '–' : fmtRatio(overhead / observeOverhead),
              fmtUs(median(cpuPerCall.get(label)![api])),
              String(seen(label, api).connections),
              label === 'observe' || label === 'faultline' ? `≤ ${BUDGET_US} µs: ${verdict(overhead, BUDGET_US)}` : '',
            ];
          }),
        ),
      );
      console.log('');
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    setup.dir.remove();
  }
}

/** `min–max` of per-process overheads. */
function spread(overheads: number[]): string {
  return `${fmtUs(Math.min(...overheads))}–${fmtUs(Math.max(...overheads))}`;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
