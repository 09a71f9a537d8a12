// One CloudWatch log event → one typed record. Pure: no I/O, never throws,
// whatever the function wrote (malformed JSON, plain text, megabyte lines).
import type {
  FaultMark,
  LogEvent,
  MessageRecord,
  MetricRecord,
  ParsedRecord,
  PlatformEvent,
  PlatformRecord,
  ReportMetrics,
  SpanRecord,
  SpanStatusCode,
} from './records.js';
import { normaliseTraceId } from './traceId.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const trace = (v: unknown): string | undefined => (typeof v === 'string' ? normaliseTraceId(v) : undefined);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonObject(text: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// ---- Lambda's text format ------------------------------------------------

const TEXT_CONSOLE_RE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t([0-9a-fA-F-]{8,}|undefined)\t([A-Z]+)\t/;

/** `REPORT RequestId: x\tDuration: 1.2 ms\t…` → key/value pairs (units dropped). */
function reportPairs(message: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of message.split('\t')) {
    const colon = part.indexOf(': ');
    if (colon <= 0) continue;
    pairs.set(part.slice(0, colon).trim(), part.slice(colon + 2).trim());
  }
  return pairs;
}

function msValue(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
}

function textReport(pairs: Map<string, string>): ReportMetrics {
  return {
    durationMs: msValue(pairs.get('Duration')),
    billedDurationMs: msValue(pairs.get('Billed Duration')),
    memorySizeMB: msValue(pairs.get('Memory Size')),
    maxMemoryUsedMB: msValue(pairs.get('Max Memory Used')),
    initDurationMs: msValue(pairs.get('Init Duration')),
    restoreDurationMs: msValue(pairs.get('Restore Duration')),
    status: pairs.get('Status'),
  };
}

const TEXT_PLATFORM: ReadonlyArray<readonly [string, PlatformEvent]> = [
  ['START RequestId: ', 'start'],
  ['END RequestId: ', 'end'],
  ['REPORT RequestId: ', 'report'],
  ['INIT_START ', 'initStart'],
  ['INIT_REPORT ', 'initReport'],
];

function textPlatform(event: LogEvent, fn: string, message: string): PlatformRecord | undefined {
  for (const [prefix, kind] of TEXT_PLATFORM) {
    if (!message.startsWith(prefix)) continue;
    const pairs = reportPairs(message);
    const requestId = /^\S+ RequestId: ([^\s]+)/.exec(message)?.[1];
    return {
      kind: 'platform',
      event: kind,
      timestamp: event.timestamp,
      function: fn,
      requestId,
      traceId: kind === 'report' ? trace(pairs.get('XRAY TraceId')) : undefined,
      raw: event.message,
      report: kind === 'report' ? textReport(pairs) : undefined,
      fields: undefined,
    };
  }
  return undefined;
}

// ---- JSON documents ------------------------------------------------------

const JSON_PLATFORM: Readonly<Record<string, PlatformEvent>> = {
  'platform.start': 'start',
  'platform.end': 'end',
  'platform.report': 'report',
  'platform.initStart': 'initStart',
  'platform.initReport': 'initReport',
  'platform.runtimeDone': 'runtimeDone',
};

function jsonPlatform(event: LogEvent, fn: string, doc: Json, type: string): PlatformRecord {
  const record = isObject(doc.record) ? doc.record : {};
  const metrics = isObject(record.metrics) ? record.metrics : undefined;
  const tracing = isObject(record.tracing) ? record.tracing : undefined;
  const kind = JSON_PLATFORM[type] ?? 'other';
  const time = str(doc.time);
  const parsedTime = time === undefined ? NaN : Date.parse(time);
  return {
    kind: 'platform',
    event: kind,
    timestamp: Number.isFinite(parsedTime) ? parsedTime : event.timestamp,
    function: fn,
    requestId: str(record.requestId),
    traceId: trace(tracing?.value),
    raw: event.message,
    report:
      kind === 'report'
        ? {
            durationMs: num(metrics?.durationMs),
            billedDurationMs: num(metrics?.billedDurationMs),
            memorySizeMB: num(metrics?.memorySizeMB),
            maxMemoryUsedMB: num(metrics?.maxMemoryUsedMB),
            initDurationMs: num(metrics?.initDurationMs),
            restoreDurationMs: num(metrics?.restoreDurationMs),
            status: str(record.status),
          }
        : undefined,
    fields: doc,
  };
}

function faultMarks(events: unknown): FaultMark[] {
  if (!Array.isArray(events)) return [];
  const marks: FaultMark[] = [];
  for (const e of events) {
    if (!isObject(e) || e.name !== 'chaos.fault') continue;
    const a = isObject(e.attributes) ? e.attributes : {};
    // `faultline.chaos.*`; layers before the vendor namespace wrote bare `chaos.*`.
    const field = (name: string): unknown => a[`faultline.chaos.${name}`] ?? a[`chaos.${name}`];
    const latency = field('latency_ms');
    marks.push({
      ruleId: str(field('rule_id')),
      fault: str(field('fault')),
      detail: str(field('error')) ?? (latency !== undefined ? `${String(latency)}ms` : undefined),
    });
  }
  return marks;
}

const STATUS_CODES = new Set<SpanStatusCode>(['OK', 'ERROR', 'UNSET']);

function span(event: LogEvent, fn: string, doc: Json): SpanRecord | undefined {
  const spanId = str(doc.spanId);
  const traceId = trace(doc.traceId);
  if (spanId === undefined || traceId === undefined) return undefined;
  const attributes = isObject(doc.attributes) ? doc.attributes : {};
  const status = isObject(doc.status) ? doc.status : {};
  const code = typeof status.code === 'string' && STATUS_CODES.has(status.code as SpanStatusCode) ? (status.code as SpanStatusCode) : 'UNSET';
  const statusMessage = str(status.message);
  const invocationId = str(attributes['faas.invocation_id']);
  return {
    kind: 'span',
    timestamp: num(doc.startTime) ?? event.timestamp,
    function: str(doc.function) ?? str(attributes['faas.name']) ?? fn,
    requestId: invocationId ?? str(doc.requestId),
    traceId,
    raw: event.message,
    spanId,
    parentSpanId: str(doc.parentSpanId),
    name: str(doc.name) ?? '(unnamed span)',
    spanKind: str(doc.kind) ?? 'INTERNAL',
    startTime: num(doc.startTime) ?? event.timestamp,
    durationMs: num(doc.durationMs) ?? 0,
    status: statusMessage === undefined ? { code } : { code, message: statusMessage },
    coldStart: attributes['faas.coldstart'] === true,
    isInvocation: invocationId !== undefined,
    faults: faultMarks(doc.events),
    fields: doc,
  };
}

function metric(event: LogEvent, fn: string, doc: Json): MetricRecord {
  return {
    kind: 'metric',
    timestamp: num(isObject(doc._aws) ? doc._aws.Timestamp : undefined) ?? event.timestamp,
    function: str(doc.FunctionName) ?? fn,
    requestId: str(doc.requestId),
    traceId: trace(doc.traceId),
    raw: event.message,
    coldStart: doc.ColdStart === 1,
    initDurationMs: num(doc.InitDuration),
    initType: str(doc.initType),
    durationMs: num(doc.Duration),
    error: num(doc.Error) === 1,
    faultsInjected: num(doc.FaultsInjected) ?? 0,
    fields: doc,
  };
}

function lineTime(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return fallback;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : fallback;
}

function jsonMessage(event: LogEvent, fn: string, doc: Json, fallbackRequestId?: string): MessageRecord {
  const isAgent = doc.function !== undefined || doc.service !== undefined || doc.spanId !== undefined;
  const message = typeof doc.message === 'string' ? doc.message : doc.message === undefined ? '' : JSON.stringify(doc.message);
  return {
    kind: 'log',
    format: isAgent ? 'agent' : 'lambda-json',
    timestamp: lineTime(doc.timestamp, event.timestamp),
    function: str(doc.function) ?? fn,
    requestId: str(doc.requestId) ?? str(doc.AWSRequestId) ?? fallbackRequestId,
    traceId: trace(doc.traceId) ?? trace(doc['xray_trace_id']),
    raw: event.message,
    level: (str(doc.level) ?? 'INFO').toUpperCase(),
    message,
    fields: doc,
  };
}

function jsonRecord(event: LogEvent, fn: string, doc: Json, fallbackRequestId?: string): ParsedRecord | undefined {
  const type = doc.type;
  if (type === 'span') return span(event, fn, doc);
  if (typeof type === 'string' && type.startsWith('platform.')) return jsonPlatform(event, fn, doc, type);
  if (isObject(doc._aws)) return metric(event, fn, doc);
  if (doc.message !== undefined || doc.level !== undefined) return jsonMessage(event, fn, doc, fallbackRequestId);
  return undefined;
}

function plain(event: LogEvent, fn: string, message: string, requestId?: string, level = 'INFO', timestamp = event.timestamp): MessageRecord {
  return {
    kind: 'log',
    format: requestId === undefined ? 'plain' : 'lambda-text',
    timestamp,
    function: fn,
    requestId,
    traceId: undefined,
    raw: event.message,
    level,
    message,
    fields: undefined,
  };
}

/** Parses one CloudWatch log event of function `fn`. */
export function parseLogLine(event: LogEvent, fn: string): ParsedRecord {
  const message = event.message.endsWith('\n') ? event.message.slice(0, -1) : event.message;
  const first = message.charCodeAt(0);
  // '{': a JSON document (agent line, span, EMF, Lambda's JSON format).
  if (first === 123) {
    const doc = parseJsonObject(message);
    const rec = doc && jsonRecord(event, fn, doc);
    if (rec) return rec;
    return plain(event, fn, message);
  }
  const platformRec = textPlatform(event, fn, message);
  if (platformRec) return platformRec;
  const m = TEXT_CONSOLE_RE.exec(message);
  if (m) {
    const requestId = m[2] === 'undefined' ? undefined : m[2];
    const body = message.slice(m[0].length);
    const ts = Date.parse(m[1]!);
    // A JSON line logged through console in the text format keeps its fields.
    if (body.charCodeAt(0) === 123) {
      const doc = parseJsonObject(body);
      const rec = doc && jsonRecord({ timestamp: Number.isFinite(ts) ? ts : event.timestamp, message: event.message }, fn, doc, requestId);
      if (rec) return rec;
    }
    return plain(event, fn, body, requestId, m[3]!, Number.isFinite(ts) ? ts : event.timestamp);
  }
  return plain(event, fn, message);
}
