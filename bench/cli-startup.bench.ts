// Benchmark: how fast the built CLI (dist/cli/bin.js) starts. `--version` and
// `--help` (target ≤ 150 ms), `chaos list` and `logs tail` until their first
// request reaches a local HTTP server standing in for DynamoDB / CloudWatch
// Logs (target ≤ 300 ms), and a whole
// `logs correlate` over a small log directory; `node -e 0` beside them (the
// machine may be shared: the load average and each figure's ratio to it are
// printed). Runs with Node's compile cache warm, as after a first use; cold
// (NODE_DISABLE_COMPILE_CACHE) figures are given for --version and chaos list.
// Needs `npm run build`. Run: node --import tsx bench/cli-startup.bench.ts
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedLogDir } from './generateLogDir.js';
import { median, percentile } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const NODE = process.env.BENCH_NODE ?? process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

/** Spawns node with args; resolves with the ms from spawn to exit, or to `until` when given. */
function timed(args: string[], env: NodeJS.ProcessEnv = {}, until?: Promise<number>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(NODE, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'ignore' });
    child.on('error', reject);
    if (until) {
      until.then((t) => resolve(t - t0), reject);
      child.on('exit', () => setTimeout(() => reject(new Error(`${args.join(' ')} exited before its first request`)), 100));
    } else {
      child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(' ')} exited ${code}`))));
    }
  });
}

/**
 * A stand-in AWS JSON endpoint (DynamoDB, CloudWatch Logs): answers every
 * request with a ResourceNotFoundException in the request's own protocol
 * (awsJson1_0 or awsJson1_1), resolves `next()` with the time of the first.
 */
async function firstRequestServer() {
  let waiting: ((t: number) => void) | undefined;
  const server = createServer((req, res) => {
    const t = performance.now();
    waiting?.(t);
    waiting = undefined;
    req.resume();
    const json11 = req.headers['content-type'] === 'application/x-amz-json-1.1';
    res.writeHead(400, { 'content-type': json11 ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'bench' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    next: () => new Promise<number>((r) => (waiting = r)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let baseline: number | undefined;

async function series(label: string, target: number | undefined, once: () => Promise<number>) {
  await once(); // warm the file cache
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(await once());
  const med = median(xs);
  const verdict = target === undefined ? '' : `  target ≤ ${target} ms: ${med <= target ? 'met' : 'MISSED'}`;
  const ratio = baseline === undefined ? '' : `  ${(med / baseline).toFixed(2)}× node -e 0`;
  console.log(`${label.padEnd(44)} median ${med.toFixed(0).padStart(5)} ms  p90 ${percentile(xs, 90).toFixed(0).padStart(5)} ms${ratio}${verdict}`);
  return Math.round(med);
}

async function main(): Promise<void> {
  const server = await firstRequestServer();
  const data = cachedLogDir(join(tmpdir(), 'faultline-bench-cli-startup-v1'), 20_000);
  const awsEnv = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: server.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: server.url,
  };
  const cold = { NODE_DISABLE_COMPILE_CACHE: '1' };
  console.log(`CLI startup, ${RUNS} runs each (spawn to exit, or to the first request); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const nodeAlone = await series('node -e 0', undefined, () => timed(['-e', '0']));
  baseline = nodeAlone;
  const summary = {
    nodeAlone,
    version: await series('faultline --version', 150, () => timed([BIN, '--version'])),
    versionColdCache: await series('faultline --version (compile cache off)', undefined, () => timed([BIN, '--version'], cold)),
    help: await series('faultline --help', 150, () => timed([BIN, '--help'])),
    helpCommander: await series('faultline chaos list --no-color --help', undefined, () => timed([BIN, 'chaos', 'list', '--no-color', '--help'])),
    chaosListFirstRequest: await series('faultline chaos list: first request', 300, () =>
      timed([BIN, 'chaos', 'list', '--table', 'T', '--region', 'us-east-1'], awsEnv, server.next()),
    ),
    chaosListFirstRequestColdCache: await series('chaos list: first request (cache off)', undefined, () =>
      timed([BIN, 'chaos', 'list', '--table', 'T', '--region', 'us-east-1'], { ...awsEnv, ...cold }, server.next()),
    ),
    logsTailFirstRequest: await series('faultline logs tail: first request', 300, () =>
      timed([BIN, 'logs', 'tail', '--functions', 'orders,payments', '--region', 'us-east-1'], awsEnv, server.next()),
    ),
    logsTailFirstRequestColdCache: await series('logs tail: first request (cache off)', undefined, () =>
      timed([BIN, 'logs', 'tail', '--functions', 'orders,payments', '--region', 'us-east-1'], { ...awsEnv, ...cold }, server.next()),
    ),
    logsCorrelate20k: await series(`faultline logs correlate (${data.events} events)`, undefined, () =>
      timed([BIN, 'logs', 'correlate', data.target.traceId, '--prefix', 'fn-', '--source', data.dir, '--since', new Date(data.startMs - 60_000).toISOString(), '--until', new Date(data.endMs + 60_000).toISOString(), '--json']),
    ),
  };
  await server.close();
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(JSON.stringify(summary));
}

await main();
