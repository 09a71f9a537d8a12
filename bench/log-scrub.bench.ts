// The cost of scrubbing credentials out of free text (src/telemetry/redaction/scrubText.ts),
// per log line: scrubText alone on typical messages, and a whole logger line
// (createLogger → a sink that drops it) with the agent's redactor against the
// same logger whose redactor leaves text as it is. Then hostile text: the time
// for 1 MB and 4 MB of each pattern, whose ratio stays near 4 when every pass
// is linear. Run:
//   node --import tsx bench/log-scrub.bench.ts
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/telemetry/logging/logger.js';
import { createRedactor, type Redactor } from '../src/telemetry/redaction/redact.js';
import { fmtRatio, markdownTable, median, verdict } from './lib/stats.js';

const BATCHES = Number(process.env.BENCH_SCRUB_BATCHES ?? 15);
const BATCH = Number(process.env.BENCH_SCRUB_BATCH ?? 20_000);
/** Scrubbing a line that holds no credential may cost this much. */
const BUDGET_NO_SECRET_NS = 250;

const redactor = createRedactor(['ssn'], ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample']);
/** The same redactor with free-text scrubbing left out: the baseline of the logger rows. */
const noScrub: Redactor = { ...redactor, scrubText: (t) => t };

/** [name, line, holds a credential, pays only the precheck (the budgeted case)] */
const LINES: [string, string, boolean, boolean][] = [
  ['typical line, no credential (60 chars)', 'order 8231 accepted for customer 4411, total 59.90 EUR, 3 items', false, true],
  ['4 KB line, no credential', 'processing batch item 0000 of 0512, status ok; '.repeat(88), false, false],
  ['line with `:` and `=`, no credential', 'refreshed cache: 12 entries, oldest=31 s, mode: basic', false, false],
  ['URL with a password', 'connect ECONNREFUSED postgres://app:Pg-S3cret-pw@db.internal:5432/orders', true, false],
  ['Bearer header', 'upstream 401, sent Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0', true, false],
  ['JWT', 'rejected eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV', true, false],
  ['JSON with a password', 'login failed: {"user":"bob","password":"hunter2-pw-value","attempt":3}', true, false],
];

/**
 * Median ns per call of each function over BATCHES batches of BATCH calls
 * (after one warm-up batch), the functions taking turns batch by batch so
 * that a busy machine slows them alike.
 */
function nsPerCall(...fns: ((i: number) => unknown)[]): number[] {
  let sink = 0;
  const run = (fn: (i: number) => unknown) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) if (fn(i) !== undefined) sink++;
    return Number(process.hrtime.bigint() - t0) / BATCH;
  };
  for (const fn of fns) run(fn);
  const samples = fns.map(() => [] as number[]);
  for (let b = 0; b < BATCHES; b++) fns.forEach((fn, k) => samples[k]!.push(run(fn)));
  if (sink < 0) console.log(sink);
  return samples.map(median);
}

const fmtNs = (ns: number) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

function main(): void {
  const config = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'orders', FAULTLINE_LOG_LEVEL: 'INFO' });
  const drop = { write() {} };
  const scrubbing = createLogger(config, redactor, drop);
  const plain = createLogger(config, noScrub, drop);

  const rows: string[][] = [];
  for (const [name, line, secret, budgeted] of LINES) {
    if (redactor.scrubText(line) === line && secret) throw new Error(`${name}: nothing scrubbed`);
    if (redactor.scrubText(line) !== line && !secret) throw new Error(`${name}: changed a line without a credential`);
    const [scrub, withScrub, without] = nsPerCall(
      () => redactor.scrubText(line),
      () => scrubbing.info(line),
      () => plain.info(line),
    ) as [number, number, number];
    rows.push([
      name,
      fmtNs(scrub),
      fmtNs(without),
      fmtNs(withScrub),
      fmtNs(Math.max(0, withScrub - without)),
      budgeted ? `≤ ${BUDGET_NO_SECRET_NS} ns: ${verdict(scrub, BUDGET_NO_SECRET_NS)}` : '',
    ]);
  }
  console.log(`Per line (median of ${BATCHES} batches of ${BATCH}; Node ${process.version}):\n`);
  console.log(
    markdownTable(['line', 'scrubText', 'logger line, no scrubbing', 'logger line, scrubbing', 'added per line', 'budget (scrubText)'], rows),
  );

  const hostile: [string, (n: number) => string][] = [
    ['"eyJ" repeated', (n) => 'eyJ'.repeat(n / 3)],
    ['"eyJ" + one long token', (n) => `eyJ${'a'.repeat(n)}`],
    ['"bearer " repeated', (n) => 'bearer '.repeat(n / 7)],
    ['"Bearer " + one long token', (n) => `Bearer ${'A'.repeat(n)}`],
    ['"://" repeated', (n) => '://'.repeat(n / 3)],
    ['URL with a long user-info', (n) => `a://${'b:'.repeat(n / 2)}@`],
    ['"password=" repeated', (n) => 'password='.repeat(n / 9)],
    ['"token" repeated', (n) => 'token'.repeat(n / 5)],
    ['unterminated quoted value of backslashes', (n) => `password="${'\\'.repeat(n)}`],
  ];
  /** The fastest of 5 calls: the figure least disturbed by other work on the machine. */
  const time = (text: string) => {
    redactor.scrubText(text);
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = process.hrtime.bigint();
      redactor.scrubText(text);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return best;
  };
  const hRows = hostile.map(([name, make]) => {
    const one = time(make(1 << 20));
    const four = time(make(4 << 20));
    return [name, `${one.toFixed(1)} ms`, `${four.toFixed(1)} ms`, fmtRatio(four / one)];
  });
  console.log('\nHostile text, one scrubText call (fastest of 5): linear passes keep the 4 MB / 1 MB ratio near 4 (quadratic ones give 16):\n');
  console.log(markdownTable(['text', '1 MB', '4 MB', '4 MB / 1 MB'], hRows));
}

main();
