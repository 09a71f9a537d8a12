// The cost of scrubbing credentials out of free text (src/telemetry/scrubText.ts),
// per log line: scrubText alone on typical messages, and a whole logger line
// (createLogger → a sink that drops it) with the agent's redactor against the
// same logger whose redactor leaves text as it is. Then hostile text: the time
// for 1 MB and 4 MB of each pattern, whose ratio stays near 4 when every pass
// is linear. Run:
//   node --import tsx bench/log-scrub.bench.ts
import { readConfig } from '../src/config.js';
import { createLogger } from '../src/telemetry/logger.js';
import { createRedactor, type Redactor } from '../src/telemetry/redact.js';
import { fmtRatio, markdownTable, median, verdict } from './lib/stats.js';

const BATCHES = Number(process.env.BENCH_SCRUB_BATCHES ?? 15);
const BATCH = Number(process.env.BENCH_SCRUB_BATCH ?? 20_000);
/** Scrubbing a line that holds no credential may cost this much. */
const BUDGET_NO_SECRET_NS = 250;

const redactor = createRedactor(['ssn'], ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY', 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample']);
/** The same redactor with free-text scrubbing left out: the baseline of the logger rows. */
const noScrub: Redactor = { ...redactor, scrubText: (t) => t };

const LINES: [string, string, boolean][] = [
  ['typical line, no credential (60 chars)', 'order 8231 accepted for customer 4411, total 59.90 EUR, 3 items', false],
  ['line with a hint word, no credential', 'refreshed token cache: 12 entries, oldest 31 s, basic mode on', false],
  ['4 KB line, no credential', 'processing batch item 0000 of 0512, status ok; '.repeat(88), false],
  ['URL with a password', 'connect ECONNREFUSED postgres://app:Pg-S3cret-pw@db.internal:5432/orders', true],
  ['Bearer header', 'upstream 401, sent Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0', true],
  ['JWT', 'rejected eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV', true],
  ['JSON with a password', 'login failed: {"user":"bob","password":"hunter2-pw-value","attempt":3}', true],
];

/** Median ns per call of `fn` over BATCHES batches of BATCH calls (after one warm-up batch). */
function nsPerCall(fn: (i: number) => unknown): number {
  let sink = 0;
  const run = () => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) if (fn(i) !== undefined) sink++;
    return Number(process.hrtime.bigint() - t0) / BATCH;
  };
  run();
  const samples: number[] = [];
  for (let b = 0; b < BATCHES; b++) samples.push(run());
  if (sink < 0) console.log(sink);
  return median(samples);
}

const fmtNs = (ns: number) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

function main(): void {
  const config = readConfig({ AWS_LAMBDA_FUNCTION_NAME: 'orders', FAULTLINE_LOG_LEVEL: 'INFO' });
  const drop = { write() {} };
  const scrubbing = createLogger(config, redactor, drop);
  const plain = createLogger(config, noScrub, drop);

  const rows: string[][] = [];
  for (const [name, line, secret] of LINES) {
    if (redactor.scrubText(line) === line && secret) throw new Error(`${name}: nothing scrubbed`);
    if (redactor.scrubText(line) !== line && !secret) throw new Error(`${name}: changed a line without a credential`);
    const scrub = nsPerCall(() => redactor.scrubText(line));
    const withScrub = nsPerCall(() => scrubbing.info(line));
    const without = nsPerCall(() => plain.info(line));
    rows.push([
      name,
      fmtNs(scrub),
      fmtNs(without),
      fmtNs(withScrub),
      fmtNs(Math.max(0, withScrub - without)),
      secret ? '' : `≤ ${BUDGET_NO_SECRET_NS} ns: ${verdict(scrub, BUDGET_NO_SECRET_NS)}`,
    ]);
  }
  console.log(`Per line (median of ${BATCHES} batches of ${BATCH}; Node ${process.version}):\n`);
  console.log(
    markdownTable(['line', 'scrubText', 'logger line, no scrubbing', 'logger line, scrubbing', 'added per line', 'budget (scrubText, no credential)'], rows),
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
  const time = (text: string) => {
    redactor.scrubText(text);
    const t0 = process.hrtime.bigint();
    redactor.scrubText(text);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const hRows = hostile.map(([name, make]) => {
    const one = median([0, 1, 2].map(() => time(make(1 << 20))));
    const four = median([0, 1, 2].map(() => time(make(4 << 20))));
    return [name, `${one.toFixed(1)} ms`, `${four.toFixed(1)} ms`, fmtRatio(four / one)];
  });
  console.log('\nHostile text, one scrubText call (median of 3); linear passes keep the 4 MB / 1 MB ratio near 4:\n');
  console.log(markdownTable(['text', '1 MB', '4 MB', '4 MB / 1 MB'], hRows));
}

main();
