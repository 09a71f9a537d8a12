// The lines Lambda itself writes into a function's log stream (INIT_START,
// START, END, REPORT, the timeout notice), in both of Lambda's log formats:
// `Text` (tab-separated lines) and `JSON` (platform.* telemetry records).
// Pure: every function takes the facts and returns the message text of one
// CloudWatch log event; the caller stamps and writes it.

export type LambdaLogFormat = 'Text' | 'JSON';
export type InitializationType = 'on-demand' | 'provisioned-concurrency' | 'snap-start';

/** How an invocation ended, as REPORT's `Status` says it (success has no Status field in Text). */
export type ReportStatus =
  | { readonly status: 'success' }
  | { readonly status: 'error'; readonly errorType: string }
  | { readonly status: 'timeout' };

export interface InitStartFacts {
  readonly timeMs: number;
  readonly runtimeVersion: string;
  readonly runtimeVersionArn: string;
  readonly initializationType: InitializationType;
  readonly functionName: string;
  readonly functionVersion: string;
}

export interface InitReportFacts {
  readonly timeMs: number;
  readonly initDurationMs: number;
  readonly initializationType: InitializationType;
  /** Lambda writes INIT_REPORT for failed inits only: an error, or the init time limit passed. */
  readonly outcome: Exclude<ReportStatus, { status: 'success' }>;
}

export interface ReportFacts {
  readonly timeMs: number;
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  /** Peak resident memory of the environment; undefined where it cannot be read (no /proc). */
  readonly maxMemoryUsedMb: number | undefined;
  /** Only on the invocation that waited for the environment's init (the cold start). */
  readonly initDurationMs: number | undefined;
  /** The X-Ray header of the invocation, written only for functions with active tracing. */
  readonly traceHeader: string | undefined;
  readonly outcome: ReportStatus;
}

const ms2 = (n: number): string => n.toFixed(2);
const iso = (ms: number): string => new Date(ms).toISOString();
const json = (timeMs: number, type: string, record: Record<string, unknown>): string =>
  JSON.stringify({ time: iso(timeMs), type, record });

/** Lambda bills whole milliseconds, rounded up, at least 1. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** `Root=1-…;Parent=…;Sampled=1` → its parts, for the XRAY part of REPORT. */
export function parseTraceHeader(header: string): { root?: string; parent?: string; sampled?: string } {
  const out: { root?: string; parent?: string; sampled?: string } = {};
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === 'root') out.root = value;
    else if (key === 'parent') out.parent = value;
    else if (key === 'sampled') out.sampled = value;
  }
  return out;
}

export function formatInitStart(format: LambdaLogFormat, f: InitStartFacts): string {
  if (format === 'JSON') {
    return json(f.timeMs, 'platform.initStart', {
      initializationType: f.initializationType,
      phase: 'init',
      runtimeVersion: f.runtimeVersion,
      runtimeVersionArn: f.runtimeVersionArn,
      functionName: f.functionName,
      functionVersion: f.functionVersion,
    });
  }
  return `INIT_START Runtime Version: ${f.runtimeVersion}\tRuntime Version ARN: ${f.runtimeVersionArn}`;
}

/** Written when the init phase failed or ran out of time. */
export function formatInitReport(format: LambdaLogFormat, f: InitReportFacts): string {
  if (format === 'JSON') {
    const record: Record<string, unknown> = {
      initializationType: f.initializationType,
      phase: 'init',
      status: f.outcome.status,
      metrics: { durationMs: round2(f.initDurationMs) },
    };
    if (f.outcome.status === 'error') record.errorType = f.outcome.errorType;
    return json(f.timeMs, 'platform.initReport', record);
  }
  const status = f.outcome.status === 'error' ? `Status: error\tError Type: ${f.outcome.errorType}` : 'Status: timeout';
  return `INIT_REPORT Init Duration: ${ms2(f.initDurationMs)} ms\tPhase: init\t${status}`;
}

export function formatStart(format: LambdaLogFormat, f: { timeMs: number; requestId: string; version: string }): string {
  if (format === 'JSON') return json(f.timeMs, 'platform.start', { requestId: f.requestId, version: f.version });
  return `START RequestId: ${f.requestId} Version: ${f.version}`;
}

/** Text format only: the JSON format has no END record (platform.report closes the invocation). */
export function formatEnd(f: { requestId: string }): string {
  return `END RequestId: ${f.requestId}`;
}

export function formatReport(format: LambdaLogFormat, f: ReportFacts): string {
  const billed = billedDurationMs(f.durationMs);
  const xray = f.traceHeader === undefined ? undefined : parseTraceHeader(f.traceHeader);
  if (format === 'JSON') {
    const metrics: Record<string, number> = {
      durationMs: round2(f.durationMs),
      billedDurationMs: billed,
      memorySizeMB: f.memorySizeMb,
    };
    if (f.maxMemoryUsedMb !== undefined) metrics.maxMemoryUsedMB = f.maxMemoryUsedMb;
    if (f.initDurationMs !== undefined) metrics.initDurationMs = round2(f.initDurationMs);
    const record: Record<string, unknown> = { requestId: f.requestId, metrics };
    if (xray?.root !== undefined) {
      record.tracing = { spanId: xray.parent, type: 'X-Amzn-Trace-Id', value: f.traceHeader };
    }
    record.status = f.outcome.status;
    if (f.outcome.status === 'error') record.errorType = f.outcome.errorType;
    return json(f.timeMs, 'platform.report', record);
  }
  // Lambda's REPORT line: tab-separated fields, each followed by a tab.
  let line = `REPORT RequestId: ${f.requestId}\tDuration: ${ms2(f.durationMs)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${f.memorySizeMb} MB\t`;
  if (f.maxMemoryUsedMb !== undefined) line += `Max Memory Used: ${f.maxMemoryUsedMb} MB\t`;
  if (f.initDurationMs !== undefined) line += `Init Duration: ${ms2(f.initDurationMs)} ms\t`;
  if (f.outcome.status === 'timeout') line += 'Status: timeout\t';
  else if (f.outcome.status === 'error') line += `Status: error\tError Type: ${f.outcome.errorType}\t`;
  if (xray?.root !== undefined) {
    line += `\nXRAY TraceId: ${xray.root}\tSegmentId: ${xray.parent ?? ''}\tSampled: ${xray.sampled === '1' ? 'true' : 'false'}\t`;
  }
  return line;
}

/** `Task timed out after 3.00 seconds`: the message Lambda gives the caller and the log. */
export function timeoutMessage(timeoutMs: number): string {
  return `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
}

/** The log line Lambda writes when an invocation times out: `<ISO time> <requestId> Task timed out after 3.00 seconds`. */
export function formatTimeout(f: { timeMs: number; requestId: string; timeoutMs: number }): string {
  return `${iso(f.timeMs)} ${f.requestId} ${timeoutMessage(f.timeoutMs)}`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
