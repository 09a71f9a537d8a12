// Added latency per invocation when the OTLP collector misbehaves: refuses
// connections, accepts and never answers, or answers 500 — against the same
// function exporting to a collector that works. Each case is a fresh function
// process (test/fixtures/hostile/otlp.ts: wrap() from src/, FAULTLINE_TRACES=otlp)
// running invocations one after the other, as Lambda does; the first
// (cold, loads the exporter) is left out. Budget (issue 2): at most 100 ms added.
// Run: node --import tsx bench/agent-hostile.bench.ts
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './lib/stats.js';

const INVOCATIONS = Number(process.env.BENCH_INVOCATIONS ?? 41);
const BUDGET_MS = 100;
const FIXTURE = fileURLToPath(new URL('../test/fixtures/hostile/otlp.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

type Collector = 'working' | 'refusing' | 'hanging' | 'answers 500';

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startCollector(kind: Collector): Promise<{ port: number; stop: () => Promise<void>; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      if (kind === 'hanging') return;
      res.writeHead(kind === 'working' ? 200 : 500, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  const port = await listen(server);
  if (kind === 'refusing') {
    await close(server);
    return { port, stop: async () => {}, requests: () => 0 };
  }
  return { port, stop: () => close(server), requests: () => requests };
}

/** Per-invocation wall time (ms) of the wrapped handler in a fresh function process. */
function runFunction(port: number): Promise<number[]> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FAULTLINE_') && !k.startsWith('OTEL_')) env[k] = v;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {
      ...env,
      AWS_LAMBDA_FUNCTION_NAME: 'hostile',
      AWS_REGION: 'eu-west-1',
      FAULTLINE_TRACES: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      HOSTILE_COUNT: String(INVOCATIONS),
    },
  });
  const samples: number[] = [];
  child.on('message', (m: { type?: string; ms?: number }) => {
    if (m.type === 'result' && typeof m.ms === 'number') samples.push(m.ms);
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`function process exited with ${code}`));
      else resolve(samples.slice(1)); // the first one is the cold start
    });
  });
}

const rows: { kind: Collector; median: number; p90: number; max: number; n: number; requests: number }[] = [];
for (const kind of ['working', 'refusing', 'hanging', 'answers 500'] as const) {
  const c = await startCollector(kind);
  try {
    const samples = await runFunction(c.port);
    rows.push({ kind, median: median(samples), p90: percentile(samples, 90), max: Math.max(...samples), n: samples.length, requests: c.requests() });
  } finally {
    await c.stop();
  }
}

const base = rows[0]!.median;
const f = (n: number) => n.toFixed(2).padStart(8);
console.log(`Per-invocation latency of a wrapped handler with FAULTLINE_TRACES=otlp, ${INVOCATIONS - 1} warm invocations per collector`);
console.log(`(budget: at most ${BUDGET_MS} ms added over a working collector)\n`);
console.log('| collector    | median ms |   p90 ms |   max ms | added (median) | exports seen | verdict |');
console.log('|--------------|----------:|---------:|---------:|---------------:|-------------:|---------|');
let over = 0;
for (const r of rows) {
  const added = r.median - base;
  const verdict = r.kind === 'working' ? 'baseline' : added <= BUDGET_MS ? 'ok' : 'OVER';
  if (verdict === 'OVER') over++;
  console.log(
    `| ${r.kind.padEnd(12)} | ${f(r.median)}  | ${f(r.p90)} | ${f(r.max)} | ${f(added)}       | ${String(r.requests).padStart(12)} | ${verdict.padEnd(7)} |`,
  );
}
if (over > 0) console.log(`\n${over} collector case(s) over the ${BUDGET_MS} ms budget`);
process.exitCode = over > 0 ? 1 : 0;
