// One invocation as an environment tracks it, and the platform lines Lambda
// writes when it ends (START when init failed first, the Text timeout line,
// END, REPORT), with the REPORT's status.
import { performance } from 'node:perf_hooks';
import type { LogStreamFile } from './logStream.js';
import { formatEnd, formatReport, formatStart, formatTimeout, type LambdaLogFormat, type ReportStatus } from './platformLog.js';
import type { InvocationResult } from './runtimeApi.js';

export interface InFlight {
  readonly requestId: string;
  readonly calledAt: number;
  readonly traceHeader: string | undefined;
  /** What the function wrote between START and END; filled once `started`. */
  readonly lines: string[];
  started: boolean;
  startedAt: number;
  endedAt: number | undefined;
  timedOut: boolean;
  timer: NodeJS.Timeout | undefined;
}

export function newInFlight(requestId: string, traceHeader: string | undefined): InFlight {
  return { requestId, calledAt: performance.now(), traceHeader, lines: [], started: false, startedAt: 0, endedAt: undefined, timedOut: false, timer: undefined };
}

/** Pure: the REPORT status. A handler error is a successful run for Lambda's report; only runtime failures carry a Status. */
export function reportStatusOf(result: InvocationResult, timedOut: boolean): ReportStatus {
  if (timedOut) return { status: 'timeout' };
  if (result.kind === 'response') return { status: 'success' };
  if (result.kind === 'init-error') return { status: 'error', errorType: result.errorType };
  return result.errorType.startsWith('Runtime.') ? { status: 'error', errorType: result.errorType } : { status: 'success' };
}

export interface InvocationEnd {
  readonly format: LambdaLogFormat;
  readonly status: ReportStatus;
  readonly timeoutMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number | undefined;
  readonly initDurationMs: number | undefined;
  /** The X-Ray header, on the REPORT with active tracing only. */
  readonly reportTraceHeader: string | undefined;
}

/** Writes the platform lines that close the invocation; returns its duration in ms. `inv.endedAt` must be set. */
export function writeInvocationEnd(log: LogStreamFile, inv: InFlight, end: InvocationEnd): number {
  const now = Date.now();
  if (!inv.started) {
    // Init failed before the event was handed out; Lambda still logs the invocation.
    inv.started = true;
    inv.startedAt = inv.calledAt;
    log.write(now, formatStart(end.format, { timeMs: now, requestId: inv.requestId, version: '$LATEST' }));
  }
  if (inv.timedOut && end.format === 'Text') log.write(now, formatTimeout({ timeMs: now, requestId: inv.requestId, timeoutMs: end.timeoutMs }));
  if (end.format === 'Text') log.write(now, formatEnd({ requestId: inv.requestId }));
  const durationMs = Math.max(0, (inv.endedAt ?? performance.now()) - inv.startedAt);
  log.write(
    now,
    formatReport(end.format, {
      timeMs: now,
      requestId: inv.requestId,
      durationMs,
      memorySizeMb: end.memorySizeMb,
      maxMemoryUsedMb: end.maxMemoryUsedMb,
      initDurationMs: end.initDurationMs,
      traceHeader: end.reportTraceHeader,
      outcome: end.status,
    }),
  );
  return durationMs;
}
