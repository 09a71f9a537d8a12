// The invocation path while the rule table is slow: every read answered 200 ms
// late, rules refreshed every 100 ms so a refresh is nearly always in flight.
// Compared with the same engine against a table that answers at once.
// Run: node --import tsx bench/slow-table.bench.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/telemetry/logging/logger.js';
import { createRedactor } from '../src/telemetry/redaction/redact.js';
import { startChaos } from '../src/chaos/index.js';
import type { CallDescriptor } from '../src/seam.js';
import { percentile } from './lib/stats.js';

const DELAY_MS = 200;
const REFRESH_MS = 100;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);

const { default: dynalite } = (await import('dynalite' as string)) as {
  default: (opts: Record<string, number>) => http.Server;
};

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const dbUrl = await listen(db);
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' };
const ddb = new DynamoDBClient({ endpoint: dbUrl, region: 'eu-west-1', credentials });
await ddb.send(
  new CreateTableCommand({
    TableName: 'rules',
    KeySchema: [
      { AttributeName: 'scope', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'scope', AttributeType: 'S' },
      { AttributeName: 'id', AttributeType: 'S' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
await new Promise((r) => setTimeout(r, 50));
for (let i = 0; i < 10; i++) {
  await ddb.send(
    new PutItemCommand({
      TableName: 'rules',
      Item: { scope: { S: i % 2 ? 'orders' : '*' }, id: { S: `r${i}` }, enabled: { BOOL: true }, target: { S: `http:host-${i}.example.com` }, fault: { S: 'error' }, error: { S: '503' } },
    }),
  );
}
ddb.destroy();

// The slow table: a proxy that holds every answer back DELAY_MS.
let reads = 0;
const slow = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    reads++;
    setTimeout(() => {
      const target = new URL(dbUrl);
      const up = http.request({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    }, DELAY_MS);
  });
});
const slowUrl = await listen(slow);

const calls: CallDescriptor[] = [
  { kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: 'dynamodb.eu-west-1.amazonaws.com', path: '/' },
  { kind: 'http', host: 'api.example.com', path: '/v1/orders' },
  { kind: 'aws', service: 's3', operation: 'PutObject', host: 'b.s3.eu-west-1.amazonaws.com', path: '/k' },
];

async function measure(label: string, endpoint: string): Promise<void> {
  const config = readConfig({
    AWS_LAMBDA_FUNCTION_NAME: 'orders',
    AWS_REGION: 'eu-west-1',
    FAULTLINE_CHAOS_TABLE: 'rules',
    FAULTLINE_CHAOS_REFRESH_MS: String(REFRESH_MS),
  });
  const logger = createLogger(config, createRedactor([]), { write() {} });
  const rt = startChaos({
    config,
    logger,
    env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  });
  await rt.store.ready(10_000);
  const readsBefore = reads;
  const refreshesBefore = rt.store.refreshes;
  const samples: number[] = [];
  let duringRead = 0;
  const end = Date.now() + DURATION_MS;
  while (Date.now() < end) {
    // One simulated invocation: the invocation check, three outgoing calls, the outcome.
    const t0 = process.hrtime.bigint();
    rt.engine.enterInvocation(); // what wrap() asks before the handler (no invocation rule here: nothing to await)
    for (const c of calls) rt.engine.decide(c);
    rt.engine.afterInvocation(false);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (rt.store.refreshing) duringRead++;
    // Between invocations the event loop runs (reads complete in the background).
    await new Promise((r) => setImmediate(r));
  }
  await rt.store.settled();
  rt.close();
  samples.sort((a, b) => a - b);
  const rules = rt.store.current().rules.length;
  console.log(
    `${label}: ${samples.length} invocations, ${rt.store.refreshes - refreshesBefore} refreshes (${rules} rules), ` +
      `${duringRead} of them while a read was in flight; invocation-path chaos cost p50 ${percentile(samples, 50).toFixed(2)} µs, ` +
      `p99 ${percentile(samples, 99).toFixed(2)} µs, p99.9 ${percentile(samples, 99.9).toFixed(1)} µs, max ${samples[samples.length - 1]!.toFixed(1)} µs ` +
      `(${samples.filter((s) => s > 1000).length} above 1 ms)` +
      (endpoint === slowUrl ? `; ${reads - readsBefore} slow reads of ${DELAY_MS} ms` : ''),
  );
}

await measure('fast table', dbUrl);
await measure(`slow table (${DELAY_MS} ms per read)`, slowUrl);

slow.closeAllConnections();
await new Promise<void>((r) => slow.close(() => r()));
await new Promise<void>((r) => db.close(() => r()));
