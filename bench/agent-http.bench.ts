// (c) per outgoing HTTP call overhead: inside one invocation of each tool's
// wrapped handler, sequential http.request calls (keep-alive agent) and
// sequential fetch calls to a keep-alive server on 127.0.0.1 in this process;
// each tool in its own long-lived process (bench/lib/httpWorker.mjs), taking
// turns round by round. overhead = tool median − bare median, per call. Run:
//   node layer/build.mjs && node --import tsx bench/agent-http.bench.ts
//
// OpenTelemetry here is otel.mjs plus instrumentation-undici (the http
// instrumentation alone does not see fetch). The server checks that every
// instrumented call carried `traceparent` and no bare call did, so a tool
// that silently stopped instrumenting fails the benchmark instead of looking fast.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startWorker, type Worker } from './lib/children.js';
import { benchLibDir } from './lib/paths.js';
import { rotation, setUp, type Tool } from './lib/setup.js';
import { fmtRatio, fmtUs, markdownTable, median, percentile, verdict } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 15);
const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 400);
/**
 * Untimed calls at the start of each API's run in a round. A worker sits idle
 * while the others take their turns; its first calls after that pay for cold
 * caches and branch predictors more than for the tool, and with short rounds
 * that swamped the per-call difference being measured.
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

interface Tally {
  calls: number;
  withTraceparent: number;
  /** Distinct connections the calls came on: keep-alive should make it 1 per worker. */
  sockets: Set<unknown>;
}

function startServer(tally: Map<string, Tally>): Promise<Server> {
  const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const key = req.url ?? '';
    const t = tally.get(key) ?? { calls: 0, withTraceparent: 0, sockets: new Set() };
    t.calls++;
    t.sockets.add(req.socket);
    if (req.headers.traceparent !== undefined) t.withTraceparent++;
    tally.set(key, t);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const setup = setUp('bench-http');
  const tally = new Map<string, Tally>();
  const server = await startServer(tally);
  const workers: Worker[] = [];
  try {
    const port = (server.address() as AddressInfo).port;
    const tools: { tool: Tool; label: string }[] = [
      { tool: setup.competitor('bare handler (no tool)', 'bare.mjs'), label: 'bare' },
      { tool: setup.faultline('faultline-observe'), label: 'observe' },
      { tool: setup.faultline('faultline'), label: 'faultline' },
      { tool: setup.competitor('OpenTelemetry SDK + http + undici instrumentation', 'otel-http.mjs'), label: 'otel' },
    ];
    const script = join(benchLibDir, 'httpWorker.mjs');
    const byLabel = new Map<string, Worker>();
    for (const { tool, label } of tools) {
      const w = startWorker(tool.name, script, [tool.entryUrl, String(port), label], tool.env);
      workers.push(w);
      byLabel.set(label, w);
    }

    const samples = new Map<string, Record<Api, number[]>>(tools.map(({ label }) => [label, { http: [], fetch: [] }]));
    const cpuPerCall = new Map<string, Record<Api, number[]>>(tools.map(({ label }) => [label, { http: [], fetch: [] }]));
    // Round -1 is warm-up (connections, JIT), not counted: JIT_WARM_CALLS per API in each worker.
    for (let r = -1; r < ROUNDS; r++) {
      for (const { label } of rotation(tools, Math.max(0, r))) {
        const res = await byLabel
          .get(label)!
          .request<Record<Api, number[]> & { cpuPerCallUs: Record<Api, number> }>({ op: 'round', n: r < 0 ? JIT_WARM_CALLS : CALLS, warm: WARM_CALLS });
        if (r >= 0) {
          for (const api of APIS) {
            samples.get(label)![api].push(...res[api]);
            cpuPerCall.get(label)![api].push(res.cpuPerCallUs[api]);
          }
        }
      }
    }

    for (const { label, tool } of tools) {
      for (const api of APIS) {
        const t = tally.get(`/${label}/${api}`);
        const want = label === 'bare' ? 0 : t?.calls;
        if (t === undefined || t.withTraceparent !== want) {
          throw new Error(`${tool.name}, ${api}: ${t?.withTraceparent ?? 0} of ${t?.calls ?? 0} calls carried traceparent, expected ${label === 'bare' ? 'none' : 'all'}`);
        }
      }
    }

    console.log(`### (c) per outgoing HTTP call overhead (${ROUNDS} rounds × ${CALLS} calls per API, after warm-up)\n`);
    console.log(
      `Sequential calls inside one invocation per round, each API's timed calls after ${WARM_CALLS} untimed ones in the same invocation; ` +
        `server on 127.0.0.1 with keep-alive; median and p95 of single calls; ` +
        `overhead = tool median − bare median; client CPU is the calling process's CPU time per call. Load average: ${loadavg().map((l) => l.toFixed(1)).join(', ')} on ${cpus().length} CPUs.\n`,
    );
    for (const api of APIS) {
      const med = (label: string) => median(samples.get(label)![api]);
      const bare = med('bare');
      const observeOverhead = med('observe') - bare;
      console.log(`#### ${api === 'http' ? '`http.request` (keep-alive agent)' : '`fetch`'}\n`);
      console.log(
        markdownTable(
          ['tool', 'median / call', 'p95', 'overhead over bare', 'overhead ratio to faultline-observe', 'client CPU / call (median of rounds)', 'connections', 'budget'],
          tools.map(({ tool, label }) => {
            const overhead = med(label) - bare;
            return [
              tool.name,
              fmtUs(med(label)),
              fmtUs(percentile(samples.get(label)![api], 95)),
              label === 'bare' ? '–' : fmtUs(overhead),
              label === 'bare' ? '–' : fmtRatio(overhead / observeOverhead),
              fmtUs(median(cpuPerCall.get(label)![api])),
              String(tally.get(`/${label}/${api}`)?.sockets.size ?? 0),
              label === 'observe' || label === 'faultline' ? `≤ ${BUDGET_US} µs: ${verdict(overhead, BUDGET_US)}` : '',
            ];
          }),
        ),
      );
      console.log('');
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    setup.dir.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
