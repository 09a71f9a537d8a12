// What turning chaos on costs a cold start, and what the invocation path pays
// per call. Run: node --import tsx bench/chaos-init.bench.ts
//
// 1. import + init: src/chaos/index.ts bundled the way the layer bundles it
//    (esbuild, ESM entry points, minified), loaded in a fresh `node` process
//    and started (reader, store, engine, first read sent); median of RUNS
//    processes, against the same process without it. A: the bundle alone
//    against bare node (an upper bound: it carries its own OpenTelemetry api
//    and core and loads node:https); B: on top of what the observe build has
//    already loaded, which is what turning chaos on adds.
//    Note the figures scale with the machine's load; compare A and B with the
//    bare-node figure printed beside them.
// 2. decide(): per call, with 0, 50 and 5,000 rules that do not match the call,
//    and with one rule whose path has a dozen `*` (the case a RegExp backtracks on).
// 3. A 5,000-item table, read by the agent's own reader from a local endpoint:
//    how long reading and compiling it holds the event loop at most (the
//    longest gap between two turns of a setImmediate ticker running
//    meanwhile), against the 250 ms cold-start bound.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/telemetry/logging/logger.js';
import { createRedactor } from '../src/telemetry/redaction/redact.js';
import { createRuleStore, tableRuleSource } from '../src/chaos/ruleStore.js';
import { createChaosEngine } from '../src/chaos/engine.js';
import { createTableReader } from '../src/chaos/dynamoReader.js';
import { marshallItem } from '../src/chaos/dynamoJson.js';
import type { CallDescriptor } from '../src/seam.js';
import { median } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const PROBE = `const logger = { warn() {}, info() {}, debug() {}, error() {}, trace() {}, log() {}, isEnabled: () => false, appendKeys() {}, writeRaw() {}, level: 'INFO' };`;

/** A script that prints how long its process took from start to the end of the script. */
function script(body: string): string {
  return `const c0 = process.cpuUsage();
const t0 = performance.now();
${body}
const t1 = performance.now();
const c1 = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ total: t1, inScript: t1 - t0, cpu: (c1.user + c1.system) / 1000 }));
process.exit(0);
`;
}

async function importAndInit(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-chaos-bench-'));
  try {
    const common = {
      bundle: true,
      platform: 'node' as const,
      format: 'esm' as const,
      minify: true,
      mainFields: ['module', 'main'],
      logLevel: 'error' as const,
      nodePaths: [join(root, 'node_modules')],
    };
    // A: the chaos part alone, self-contained.
    await build({ ...common, entryPoints: [join(root, 'src/chaos/index.ts')], outfile: join(dir, 'alone/chaos.mjs') });
    // B: as in the layer on Lambda, where the runtime client has loaded node:http and the
    // observe part OpenTelemetry (api, core), shared with the chaos chunk through code splitting.
    // node:https is the chaos part's own cost: the observe part no longer loads it.
    writeFileSync(
      join(dir, 'observe-shared.ts'),
      "import 'node:http'; export * from '@opentelemetry/api'; export { suppressTracing, isTracingSuppressed } from '@opentelemetry/core';\n",
    );
    await build({
      ...common,
      splitting: true,
      entryPoints: { chaos: join(root, 'src/chaos/index.ts'), observe: join(dir, 'observe-shared.ts') },
      outdir: join(dir, 'split'),
    });
    const env = {
      AWS_LAMBDA_FUNCTION_NAME: 'orders',
      AWS_REGION: 'eu-west-1',
      FAULTLINE_CHAOS_TABLE: 'faultline-chaos',
      // A closed port: the first read is sent and fails in the background, after the measurement.
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
    };
    const start = `${PROBE}
const rt = startChaos({ config: ${JSON.stringify(readConfig(env))}, logger, env: ${JSON.stringify(env)} });
rt.engine.decide({ kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'h', path: '/' });`;
    writeFileSync(join(dir, 'alone/with.mjs'), script(`const { startChaos } = await import('./chaos.mjs');\n${start}`));
    writeFileSync(join(dir, 'alone/without.mjs'), script(''));
    writeFileSync(
      join(dir, 'split/with.mjs'),
      script(`await import('./observe.js');\nconst { startChaos } = await import('./chaos.js');\n${start}`),
    );
    writeFileSync(join(dir, 'split/without.mjs'), script(`await import('./observe.js');`));
    writeFileSync(join(dir, 'split/package.json'), '{"type":"module"}');

    const run = (file: string) => {
      const r = spawnSync(process.execPath, [join(dir, file)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${file} failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as { total: number; inScript: number; cpu: number };
    };
    const files = ['alone/with.mjs', 'alone/without.mjs', 'split/with.mjs', 'split/without.mjs'];
    for (const f of files) run(f); // warm the file cache
    const totals = new Map<string, number[]>(files.map((f) => [f, []]));
    const inScript = new Map<string, number[]>(files.map((f) => [f, []]));
    const cpu = new Map<string, number[]>(files.map((f) => [f, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const f of files) {
        const r = run(f);
        totals.get(f)!.push(r.total);
        inScript.get(f)!.push(r.inScript);
        cpu.get(f)!.push(r.cpu);
      }
    }
    const m = (f: string) => median(totals.get(f)!);
    const mi = (f: string) => median(inScript.get(f)!);
    const mc = (f: string) => median(cpu.get(f)!);

    console.log(`chaos bundle alone: ${(statSync(join(dir, 'alone/chaos.mjs')).size / 1024).toFixed(1)} KiB; chaos chunk in the split build: ${(statSync(join(dir, 'split/chaos.js')).size / 1024).toFixed(1)} KiB`);
    console.log(`bare node process (start → end of script), median of ${RUNS}: ${m('alone/without.mjs').toFixed(1)} ms`);
    console.log(`A. import + init of the chaos part, self-contained bundle vs bare node: ${(m('alone/with.mjs') - m('alone/without.mjs')).toFixed(1)} ms`);
    console.log(`B. import + init of the chaos part (node:https included) on top of node:http and the observe build's OpenTelemetry api+core: ${(m('split/with.mjs') - m('split/without.mjs')).toFixed(1)} ms (target ≤ 30 ms)`);
    console.log(
      `   measured inside the process (import of the chaos chunk + startChaos, less noisy): ${(mi('split/with.mjs') - mi('split/without.mjs')).toFixed(1)} ms; ` +
        `self-contained bundle: ${(mi('alone/with.mjs') - mi('alone/without.mjs')).toFixed(1)} ms`,
    );
    console.log(
      `   CPU time of the same (user + system; least affected by other load on the machine): ${(mc('split/with.mjs') - mc('split/without.mjs')).toFixed(1)} ms; ` +
        `self-contained bundle: ${(mc('alone/with.mjs') - mc('alone/without.mjs')).toFixed(1)} ms`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function decideCost(ruleCount: number): Promise<void> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < ruleCount; i++) {
    const scope = i % 2 === 0 ? 'orders' : '*';
    const target = i % 3 === 0 ? `aws:s3:GetObject` : i % 3 === 1 ? `http:host-${i}.example.com/v1/*` : `aws:sqs`;
    items.push({ scope, id: `rule-${i}`, enabled: true, target, fault: 'error', error: '503', rate: 1 });
  }
  const config = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'orders', FAULTLINE_CHAOS_TABLE: 't' });
  const logger = createLogger(config, createRedactor([]), { write() {} });
  const store = createRuleStore({ source: { name: 't', read: async () => items }, refreshMs: 3_600_000, logger });
  await store.refresh();
  {
    if (store.current().rules.length !== ruleCount) throw new Error(`expected ${ruleCount} rules, got ${store.current().rules.length}`);
    const engine = createChaosEngine({ config, logger, store, maxRuleAgeMs: Infinity });
    const calls: CallDescriptor[] = [
      { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/' },
      { kind: 'http', host: 'api.example.com', path: '/v1/orders/123' },
    ];
    const N = ruleCount > 100 ? 20_000 : 1_000_000;
    let sink = 0;
    for (let i = 0; i < N / 10; i++) if (engine.decide(calls[i & 1]!) !== undefined) sink++;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) if (engine.decide(calls[i & 1]!) !== undefined) sink++;
    const ns = Number(process.hrtime.bigint() - t0) / N;
    if (sink !== 0) throw new Error('a non-matching rule matched');
    console.log(`decide() with ${ruleCount} non-matching rules: ${ns.toFixed(0)} ns per call (${(ns / 1000).toFixed(2)} µs; budget 20 µs)`);
  }
}

/** The per-call cost of one rule with a dozen `*` in its path, against a 30-character path that it does not match. */
async function manyStarsCost(): Promise<void> {
  const items = [{ scope: 'orders', id: 'stars', target: `http:api.example.com/${'a*'.repeat(12)}b`, fault: 'error', error: '503' }];
  const config = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'orders', FAULTLINE_CHAOS_TABLE: 't' });
  const logger = createLogger(config, createRedactor([]), { write() {} });
  const store = createRuleStore({ source: { name: 't', read: async () => items }, refreshMs: 3_600_000, logger });
  await store.refresh();
  const engine = createChaosEngine({ config, logger, store, maxRuleAgeMs: Infinity });
  const call: CallDescriptor = { kind: 'http', host: 'api.example.com', path: `/${'a'.repeat(29)}` };
  const N = 200_000;
  for (let i = 0; i < N / 10; i++) engine.decide(call);
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < N; i++) if (engine.decide(call) !== undefined) sink++;
  const ns = Number(process.hrtime.bigint() - t0) / N;
  if (sink !== 0) throw new Error('the many-star rule matched');
  console.log(`decide() with one rule of 12 \`*\` against a 30-character path it does not match: ${ns.toFixed(0)} ns per call`);
}

/**
 * The longest the event loop is held while a 5,000-item table (1.1 MB of
 * DynamoDB JSON) is read and compiled, and the whole refresh: the agent's own
 * reader and store, against a local server that answers each scope's Query
 * with that scope's items in one page, as DynamoDB would.
 */
async function largeTableHold(): Promise<void> {
  const byScope = new Map<string, Record<string, unknown>[]>([['orders', []], ['*', []]]);
  for (let i = 0; i < 5000; i++) {
    const scope = i % 2 === 0 ? 'orders' : '*';
    const target = i % 3 === 0 ? `aws:s3:GetObject` : i % 3 === 1 ? `http:host-${i}.example.com/v1/*` : `aws:sqs`;
    byScope.get(scope)!.push(marshallItem({ scope, id: `rule-${i}`, enabled: true, target, fault: 'error', error: '503', rate: 1, note: 'game day '.repeat(5) }));
  }
  const bodies = new Map([...byScope].map(([scope, items]) => [scope, JSON.stringify({ Items: items, Count: items.length })]));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const scope = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ExpressionAttributeValues: { ':scope': { S: string } } }).ExpressionAttributeValues[':scope'].S;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(bodies.get(scope) ?? '{"Items":[]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const config = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'orders', FAULTLINE_CHAOS_TABLE: 't' });
  const logger = createLogger(config, createRedactor([]), { write() {} });
  const reader = createTableReader({
    table: 't',
    endpoint: { url: new URL(`http://127.0.0.1:${port}`), region: 'eu-west-1' },
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench', sessionToken: undefined },
    timeoutMs: 30_000,
  });
  const holds: number[] = [];
  const cpuHolds: number[] = [];
  const totals: number[] = [];
  try {
    for (let run = 0; run < 7; run++) {
      const store = createRuleStore({ source: tableRuleSource(reader, 't', 'orders'), refreshMs: 3_600_000, logger });
      const engine = createChaosEngine({ config, logger, store, maxRuleAgeMs: Infinity });
      let last = performance.now();
      let lastCpu = process.cpuUsage();
      let longest = 0;
      let longestCpu = 0;
      let ticking = true;
      const tick = () => {
        const now = performance.now();
        const cpu = process.cpuUsage(lastCpu);
        longest = Math.max(longest, now - last);
        longestCpu = Math.max(longestCpu, (cpu.user + cpu.system) / 1000);
        last = now;
        lastCpu = process.cpuUsage();
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const t0 = performance.now();
      await store.refresh();
      // The first call after the refresh (the old code compiled the matcher there).
      engine.decide({ kind: 'invocation' });
      totals.push(performance.now() - t0);
      // The refresh ends inside a turn: let the ticker run once more, so that turn's length is counted too.
      await new Promise((resolve) => setImmediate(resolve));
      ticking = false;
      if (store.current().rules.length !== 5000) throw new Error(`expected 5000 rules, got ${store.current().rules.length}`);
      // The first run also pays for compiling the code.
      if (run > 0) {
        holds.push(longest);
        cpuHolds.push(longestCpu);
      }
    }
  } finally {
    reader.close();
    server.close();
  }
  const mb = [...bodies.values()].reduce((n, b) => n + b.length, 0) / 1e6;
  console.log(
    `5,000-item table (${mb.toFixed(1)} MB of DynamoDB JSON, read from a local endpoint): the event loop is held at most ${median(holds).toFixed(1)} ms at a time ` +
      `(median of ${holds.length} refreshes; worst ${Math.max(...holds).toFixed(1)} ms; bound 250 ms); ` +
      `CPU time of the longest hold (least affected by other load on the machine): median ${median(cpuHolds).toFixed(1)} ms, worst ${Math.max(...cpuHolds).toFixed(1)} ms; ` +
      `whole refresh ${median(totals.slice(1)).toFixed(0)} ms`,
  );
}

await importAndInit();
await decideCost(0);
await decideCost(50);
await decideCost(5000);
await manyStarsCost();
await largeTableHold();
