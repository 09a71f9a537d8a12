// What reading an event costs each invocation: detectTrigger + triggerAttributes +
// extractParentCarrier + recordLinks (src/telemetry/triggers/),
// per event shape in test/fixtures/events, plus a 10-message SQS batch and a 100-record
// Kafka batch with a traceparent in every message. Budget: 20 µs per invocation (a share of
// the 50 µs per-invocation overhead budget of agent-invoke.bench.ts), plus 2 µs per record
// whose context becomes a span link (each is a context read and validated).
// Run: node --import tsx bench/trigger-read.bench.ts
import { readdirSync, readFileSync } from 'node:fs';
import { detectTrigger, extractParentCarrier, recordLinks, triggerAttributes } from '../src/telemetry/triggers/index.js';
import { fmtUs, markdownTable, median, verdict } from './lib/stats.js';

const BUDGET_US = 20;
const PER_LINK_US = 2;
const ROUNDS = 7;
const ITERATIONS = 20_000;
const DIR = new URL('../test/fixtures/events/', import.meta.url);
const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const events: Array<[string, unknown]> = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(new URL(f, DIR), 'utf8'))]);

const sqs = JSON.parse(readFileSync(new URL('sqs-sample.json', DIR), 'utf8'));
const message = sqs.Records[0];
sqs.Records = Array.from({ length: 10 }, (_, i) => ({ ...message, messageId: `m${i}`, messageAttributes: { traceparent: { stringValue: TP, dataType: 'String' } } }));
events.push(['sqs batch of 10, context in each', sqs]);
const kafka = JSON.parse(readFileSync(new URL('kafka-msk.json', DIR), 'utf8'));
const record = Object.values(kafka.records as Record<string, unknown[]>)[0]![0] as object;
const tpBytes = Array.from(Buffer.from(TP));
kafka.records = { 't-0': Array.from({ length: 100 }, (_, i) => ({ ...record, offset: i, headers: [{ traceparent: tpBytes }] })) };
events.push(['kafka batch of 100, context in each', kafka]);

let sink = 0;
function readOnce(event: unknown): void {
  const trigger = detectTrigger(event);
  const attrs = triggerAttributes(event, trigger);
  const carrier = extractParentCarrier(event, {}, trigger);
  const links = recordLinks(event, trigger);
  sink += links.length + (carrier === undefined ? 0 : 1) + (attrs['faas.trigger'] === undefined ? 0 : 1);
}

const rows: string[][] = [];
let over = 0;
for (const [name, event] of events) {
  for (let i = 0; i < 2000; i++) readOnce(event); // warm-up
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) readOnce(event);
    perCall.push(Number(process.hrtime.bigint() - t0) / 1000 / ITERATIONS);
  }
  const us = median(perCall);
  const links = recordLinks(event).length;
  const budget = BUDGET_US + PER_LINK_US * links;
  const v = verdict(us, budget);
  if (v === 'OVER') over++;
  rows.push([name, String(links), fmtUs(us), fmtUs(budget), v]);
}
console.log(`Reading the event per invocation (median of ${ROUNDS} rounds of ${ITERATIONS}; budget ${BUDGET_US} µs + ${PER_LINK_US} µs per link)\n`);
console.log(markdownTable(['event', 'links', 'per invocation', 'budget', 'verdict'], rows));
if (sink < 0) console.log(sink);
process.exit(over > 0 ? 1 : 0);
