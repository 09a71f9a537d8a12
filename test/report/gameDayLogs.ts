// Writes a log directory shaped like a local game day's (docs/local-mode.md):
// three functions in a chain sharing a trace, Lambda's text and
// JSON platform lines, the agent's log lines, spans (chaos.fault events on the
// span a fault hit) and EMF documents. Two rules: a DynamoDB throttle on
// payments and added latency on shipping, each set and cleared at known times.
// Deterministic for a seed.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../helpers/seededRandom.js';
import type { RuleWindow } from '../../cli/report/model.js';

export const GAME_DAY_FUNCTIONS = ['checkout', 'payments', 'shipping'];

export interface GameDayLogs {
  readonly dir: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly rules: RuleWindow[];
  /** Invocations written per function. */
  readonly invocations: number;
  /** Faults written, by rule id. */
  readonly faults: Record<string, number>;
  /** Invocations that failed, per function. */
  readonly errors: Record<string, number>;
  readonly coldStarts: number;
  readonly failedTraceId: string;
}

const hex = (r: () => number, n: number) => {
  let s = '';
  while (s.length < n) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
};

export function writeGameDayLogs(dir: string, opts: { seed?: number; startMs?: number; rps?: number; seconds?: number } = {}): GameDayLogs {
  rmSync(dir, { recursive: true, force: true });
  const r = seededRandom(opts.seed ?? 7);
  const startMs = opts.startMs ?? Date.parse('2026-11-23T10:00:00Z');
  const seconds = opts.seconds ?? 180;
  const rps = opts.rps ?? 4;
  const throttle: RuleWindow = { ruleId: 'payments/ddb-throttle', setAtMs: startMs + 60_000, clearedAtMs: startMs + 120_000 };
  const slow: RuleWindow = { ruleId: 'shipping/slow-carrier', setAtMs: startMs + 80_000, clearedAtMs: startMs + 110_000 };
  const lines = new Map<string, string[]>();
  const write = (fn: string, stream: string, ts: number, message: string) => {
    const key = join(fn, `2026-11-23-[$LATEST]${stream}.log`);
    let l = lines.get(key);
    if (!l) lines.set(key, (l = []));
    l.push(JSON.stringify({ timestamp: ts, message }));
  };
  const faults: Record<string, number> = { 'ddb-throttle': 0, 'slow-carrier': 0 };
  const errors: Record<string, number> = { checkout: 0, payments: 0, shipping: 0 };
  const warm = new Set<string>();
  let coldStarts = 0;
  let failedTraceId = '';
  const total = seconds * rps;
  for (let q = 0; q < total; q++) {
    const t = startMs + Math.floor((q * 1000) / rps);
    const traceId = hex(r, 32);
    // The throttle fails half of payments' writes while set, and a few for 3 s after (clients retrying).
    const throttled = (t >= throttle.setAtMs && t < throttle.clearedAtMs! && r() < 0.5) || (t >= throttle.clearedAtMs! && t < throttle.clearedAtMs! + 3000 && r() < 0.3);
    const delayed = t >= slow.setAtMs && t < slow.clearedAtMs!;
    let parent: string | undefined;
    let at = t;
    const chain: Array<{ fn: string; ms: number; fault?: { rule: string; fault: string; error?: string; latency?: number }; error: boolean }> = [
      { fn: 'checkout', ms: 40 + r() * 20, error: throttled },
      { fn: 'payments', ms: 25 + r() * 10, error: throttled, ...(throttled && t < throttle.clearedAtMs! ? { fault: { rule: 'ddb-throttle', fault: 'error', error: 'ProvisionedThroughputExceededException' } } : {}) },
      { fn: 'shipping', ms: 15 + r() * 10 + (delayed ? 300 : 0), error: false, ...(delayed ? { fault: { rule: 'slow-carrier', fault: 'latency', latency: 300 } } : {}) },
    ];
    if (throttled && !failedTraceId) failedTraceId = traceId;
    chain.forEach((c, i) => {
      const requestId = `${hex(r, 8)}-0000-4000-8000-${hex(r, 12)}`;
      const stream = `${c.fn.slice(0, 3)}${q % 2}`;
      const cold = !warm.has(stream);
      warm.add(stream);
      if (cold) coldStarts++;
      if (c.fault) faults[c.fault.rule]!++;
      if (c.error) errors[c.fn]!++;
      const spanId = hex(r, 16);
      const clientSpan = hex(r, 16);
      const json = c.fn === 'payments';
      const iso = (ms: number) => new Date(ms).toISOString();
      const end = at + c.ms;
      const fixed = { requestId, traceId, spanId, function: c.fn, service: 'shop' };
      write(c.fn, stream, at, json ? JSON.stringify({ time: iso(at), type: 'platform.start', record: { requestId, version: '$LATEST' } }) : `START RequestId: ${requestId} Version: $LATEST\n`);
      write(c.fn, stream, at + 1, JSON.stringify({ timestamp: iso(at + 1), level: 'INFO', message: 'order received', ...fixed, orderId: `ord-${q}`, ...(cold ? { coldStart: true } : {}) }) + '\n');
      const event = c.fault
        ? [{ name: 'chaos.fault', time: at + 2, attributes: { 'faultline.chaos.rule_id': c.fault.rule, 'faultline.chaos.fault': c.fault.fault, ...(c.fault.error ? { 'faultline.chaos.error': c.fault.error } : {}), ...(c.fault.latency ? { 'faultline.chaos.latency_ms': c.fault.latency } : {}) } }]
        : [];
      write(c.fn, stream, end - 3, JSON.stringify({ type: 'span', traceId, spanId: clientSpan, parentSpanId: spanId, name: c.fn === 'shipping' ? 'POST' : 'DynamoDB.PutItem', kind: 'CLIENT', startTime: at + 2, durationMs: c.ms - 6, status: c.fault?.error ? { code: 'ERROR', message: c.fault.error } : { code: 'UNSET' }, attributes: c.fn === 'shipping' ? { 'http.request.method': 'POST', 'url.full': 'https://carrier.example/ship' } : { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'PutItem' }, events: event, requestId, function: c.fn, service: 'shop' }) + '\n');
      if (c.error) write(c.fn, stream, end - 2, JSON.stringify({ timestamp: iso(end - 2), level: 'ERROR', message: 'order failed', ...fixed, error: 'ProvisionedThroughputExceededException' }) + '\n');
      write(c.fn, stream, end - 1, JSON.stringify({ type: 'span', traceId, spanId, ...(parent ? { parentSpanId: parent } : {}), name: `${c.fn} handler`, kind: 'SERVER', startTime: at, durationMs: c.ms, status: { code: c.error ? 'ERROR' : 'UNSET' }, attributes: { 'faas.invocation_id': requestId, 'faas.coldstart': cold, 'faas.name': c.fn }, events: [], requestId, function: c.fn, service: 'shop' }) + '\n');
      write(c.fn, stream, end, JSON.stringify({ _aws: { Timestamp: end, CloudWatchMetrics: [{ Namespace: 'Faultline', Dimensions: [['FunctionName']], Metrics: [{ Name: 'Duration', Unit: 'Milliseconds' }] }] }, FunctionName: c.fn, initType: 'on-demand', ColdStart: cold ? 1 : 0, Duration: c.ms, Error: c.error ? 1 : 0, FaultsInjected: c.fault ? 1 : 0, requestId, traceId }) + '\n');
      const report = json
        ? JSON.stringify({ time: iso(end), type: 'platform.report', record: { requestId, metrics: { durationMs: c.ms, billedDurationMs: Math.ceil(c.ms), memorySizeMB: 256, maxMemoryUsedMB: 90, ...(cold ? { initDurationMs: 180 + i * 20 } : {}) }, status: c.error ? 'error' : 'success' } })
        : `REPORT RequestId: ${requestId}\tDuration: ${c.ms.toFixed(2)} ms\tBilled Duration: ${Math.ceil(c.ms)} ms\tMemory Size: 256 MB\tMax Memory Used: 90 MB\t${cold ? `Init Duration: ${180 + i * 20}.00 ms\t` : ''}\n`;
      write(c.fn, stream, end, report);
      parent = clientSpan;
      at += 3;
    });
  }
  for (const [file, l] of lines) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), l.join('\n') + '\n');
  }
  return { dir, startMs, endMs: startMs + seconds * 1000 + 60_000, rules: [throttle, slow], invocations: total, faults, errors, coldStarts, failedTraceId };
}
