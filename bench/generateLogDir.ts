// Generates a log directory (docs/local-mode.md, the local mode) for the correlate benchmark:
// `events` CloudWatch events across `functions` functions, as the agent and
// Lambda write them. Each request is a chain of 3 invocations in 3
// functions sharing one trace id; half the functions use Lambda's text log
// format, half the JSON one. Deterministic for a given size.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom as rng } from '../test/helpers/seededRandom.js';

export interface GeneratedLogDir {
  readonly dir: string;
  readonly events: number;
  readonly functions: string[];
  readonly startMs: number;
  readonly endMs: number;
  /** A request in the middle of the data: its trace id, one of its request ids, its order id. */
  readonly target: { traceId: string; requestId: string; orderId: string };
}

const STREAMS_PER_FUNCTION = 5;
const CHAIN = 3;

const hex = (r: () => number, n: number) => {
  let s = '';
  while (s.length < n) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, n);
};
const uuid = (r: () => number) => {
  const h = hex(r, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

class StreamWriter {
  #buf: string[] = [];
  #size = 0;
  readonly #fd: number;
  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }
  event(timestamp: number, message: string): void {
    const line = `{"timestamp":${timestamp},"message":${JSON.stringify(message)}}\n`;
    this.#buf.push(line);
    this.#size += line.length;
    if (this.#size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.#buf.length) writeSync(this.#fd, this.#buf.join(''));
    this.#buf = [];
    this.#size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}

/** Events one invocation writes (START, 3 log lines, 2 spans, EMF, END, REPORT). */
const EVENTS_PER_INVOCATION = 9;

export function generateLogDir(dir: string, events: number, functionCount = 20, endMs = Date.now()): GeneratedLogDir {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = rng(events);
  const functions = Array.from({ length: functionCount }, (_, i) => `fn-${String(i).padStart(2, '0')}`);
  const writers = functions.map((fn) => {
    mkdirSync(join(dir, fn));
    return Array.from({ length: STREAMS_PER_FUNCTION }, (_, s) => new StreamWriter(join(dir, fn, `2026-11-23-[$LATEST]${hex(r, 8)}${s}.log`)));
  });
  const requests = Math.ceil(events / (EVENTS_PER_INVOCATION * CHAIN));
  const stepMs = Math.max(1, Math.floor((50 * 60_000) / requests));
  const startMs = endMs - requests * stepMs - 60_000;
  let written = 0;
  let target: GeneratedLogDir['target'] | undefined;
  const targetAt = Math.floor(requests / 2);

  for (let q = 0; q < requests && written < events; q++) {
    const traceId = hex(r, 32);
    const orderId = `ord-${q}`;
    const first = Math.floor(r() * functionCount);
    let parentSpan: string | undefined;
    let t = startMs + q * stepMs;
    for (let c = 0; c < CHAIN && written < events; c++) {
      const fi = (first + c) % functionCount;
      const fn = functions[fi]!;
      const w = writers[fi]![Math.floor(r() * STREAMS_PER_FUNCTION)]!;
      const requestId = uuid(r);
      if (q === targetAt && c === 0) target = { traceId, requestId, orderId };
      const spanId = hex(r, 16);
      const clientSpan = hex(r, 16);
      const cold = r() < 0.02;
      const iso = (ms: number) => new Date(ms).toISOString();
      const jsonFormat = fi % 2 === 1;
      const fixed = `"requestId":"${requestId}","traceId":"${traceId}","spanId":"${spanId}","function":"${fn}","service":"bench"`;
      const lines: Array<[number, string]> = [
        [t, jsonFormat ? `{"time":"${iso(t)}","type":"platform.start","record":{"requestId":"${requestId}","version":"$LATEST"}}` : `START RequestId: ${requestId} Version: $LATEST\n`],
        [t + 1, `{"timestamp":"${iso(t + 1)}","level":"INFO","message":"request received",${fixed}${cold ? ',"coldStart":true' : ''},"orderId":"${orderId}","path":"/orders/${q}"}\n`],
        [t + 2, `{"timestamp":"${iso(t + 2)}","level":"DEBUG","message":"loaded customer profile",${fixed},"customerId":"cust-${Math.floor(r() * 10000)}","cacheHit":${r() < 0.8}}\n`],
        [t + 8, JSON.stringify({ type: 'span', traceId, spanId: clientSpan, parentSpanId: spanId, name: 'DynamoDB.GetItem', kind: 'CLIENT', startTime: t + 3, durationMs: 4.2, status: { code: 'UNSET' }, attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'http.response.status_code': 200 }, events: [], requestId, function: fn, service: 'bench' }) + '\n'],
        [t + 9, `{"timestamp":"${iso(t + 9)}","level":"INFO","message":"request done",${fixed},"status":200}\n`],
        [t + 10, JSON.stringify({ type: 'span', traceId, spanId, ...(parentSpan ? { parentSpanId: parentSpan } : {}), name: `POST /${fn}`, kind: 'SERVER', startTime: t, durationMs: 10.1, status: { code: 'UNSET' }, attributes: { 'faas.invocation_id': requestId, 'faas.coldstart': cold, 'faas.name': fn, 'faas.trigger': 'http' }, events: [], requestId, function: fn, service: 'bench' }) + '\n'],
        [t + 10, `{"_aws":{"Timestamp":${t + 10},"CloudWatchMetrics":[{"Namespace":"Faultline","Dimensions":[["FunctionName","service"]],"Metrics":[{"Name":"ColdStart","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"},{"Name":"Error","Unit":"Count"},{"Name":"FaultsInjected","Unit":"Count"}]}]},"FunctionName":"${fn}","service":"bench","initType":"on-demand","ColdStart":${cold ? 1 : 0},"Duration":10.1,"Error":0,"FaultsInjected":0,"requestId":"${requestId}","traceId":"${traceId}"}\n`],
        [t + 11, jsonFormat ? `{"time":"${iso(t + 11)}","type":"platform.runtimeDone","record":{"requestId":"${requestId}","status":"success"}}` : `END RequestId: ${requestId}\n`],
        [
          t + 11,
          jsonFormat
            ? `{"time":"${iso(t + 11)}","type":"platform.report","record":{"requestId":"${requestId}","metrics":{"durationMs":10.1,"billedDurationMs":11,"memorySizeMB":256,"maxMemoryUsedMB":80${cold ? ',"initDurationMs":210.5' : ''}},"status":"success"}}`
            : `REPORT RequestId: ${requestId}\tDuration: 10.10 ms\tBilled Duration: 11 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t${cold ? 'Init Duration: 210.50 ms\t' : ''}\n`,
        ],
      ];
      for (const [ts, msg] of lines) {
        if (written >= events) break;
        w.event(ts, msg);
        written++;
      }
      parentSpan = clientSpan;
      t += 5;
    }
  }
  for (const ws of writers) for (const w of ws) w.close();
  const meta: GeneratedLogDir = { dir, events: written, functions, startMs, endMs, target: target! };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  return meta;
}

/** The generated directory for this size, made once and reused while its meta.json is there. */
export function cachedLogDir(root: string, events: number): GeneratedLogDir {
  const dir = join(root, `events-${events}`);
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) return JSON.parse(readFileSync(metaPath, 'utf8')) as GeneratedLogDir;
  return generateLogDir(dir, events);
}
