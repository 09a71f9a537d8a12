// TelemetrySource over a log directory (docs/local-mode.md):
// DIR/<function>/<stream>.log, one `{"timestamp": <ms>, "message": "<line>"}`
// per line. An invocation's outcome comes from Lambda's REPORT line (duration;
// `Status: error|timeout`) and the agent's EMF document (`Duration`, `Error`),
// merged by request id. Files are read incrementally: a scenario samples the
// same growing files every few seconds.
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { scanFile } from '../logs/lineScanner.js';
import type { SkippedLine } from '../logs/logDirSource.js';
import { summarise, type TelemetrySample, type TelemetrySource } from './telemetrySource.js';

/** What one log line says about one invocation. */
export interface OutcomeFragment {
  readonly requestId: string;
  readonly durationMs?: number;
  readonly error?: boolean;
}

interface Outcome {
  timestampMs: number;
  durationMs: number | undefined;
  reportDurationMs: number | undefined;
  error: boolean;
}

const REPORT_RE = /^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms/;
const STATUS_RE = /\tStatus: (\w+)/;

/** Pure: the invocation outcome carried by one log message, if any. */
export function parseOutcome(message: string): OutcomeFragment | undefined {
  if (message.startsWith('REPORT ')) {
    const m = REPORT_RE.exec(message);
    if (!m) return undefined;
    const status = STATUS_RE.exec(message)?.[1];
    return { requestId: m[1]!, durationMs: Number(m[2]), error: status !== undefined && status !== 'success' };
  }
  const trimmed = message.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  // Cheap pre-checks: most lines are neither EMF nor platform reports.
  const isEmf = trimmed.includes('"_aws"');
  const isReport = !isEmf && trimmed.includes('"platform.report"');
  if (!isEmf && !isReport) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (isEmf) {
    const requestId = doc.requestId;
    if (typeof requestId !== 'string') return undefined;
    const duration = doc.Duration;
    return {
      requestId,
      ...(typeof duration === 'number' ? { durationMs: duration } : {}),
      ...(typeof doc.Error === 'number' ? { error: doc.Error > 0 } : {}),
    };
  }
  const record = doc.record as { requestId?: unknown; status?: unknown; metrics?: { durationMs?: unknown } } | undefined;
  if (doc.type !== 'platform.report' || typeof record?.requestId !== 'string') return undefined;
  const durationMs = record.metrics?.durationMs;
  return {
    requestId: record.requestId,
    ...(typeof durationMs === 'number' ? { durationMs } : {}),
    error: typeof record.status === 'string' && record.status !== 'success',
  };
}

interface FileCursor {
  /** After the last complete line read. */
  offset: number;
  /** The last read ended inside a line too long to keep. */
  insideSkippedLine: boolean;
}

export interface LogDirTelemetryOptions {
  /** Told of each line skipped for being longer than 1 MiB. */
  readonly onSkippedLine?: (line: SkippedLine) => void;
}

export class LogDirTelemetrySource implements TelemetrySource {
  readonly #dir: string;
  readonly #cursors = new Map<string, FileCursor>();
  readonly #outcomes = new Map<string, Map<string, Outcome>>();
  readonly #onSkippedLine: LogDirTelemetryOptions['onSkippedLine'];

  constructor(dir: string, opts: LogDirTelemetryOptions = {}) {
    this.#dir = dir;
    this.#onSkippedLine = opts.onSkippedLine;
  }

  async sample(sinceMs: number, untilMs: number, functions: readonly string[] | undefined): Promise<TelemetrySample> {
    await this.#catchUp(functions);
    const names = functions ?? [...this.#outcomes.keys()];
    const inWindow: Outcome[] = [];
    for (const fn of names) {
      for (const o of this.#outcomes.get(fn)?.values() ?? []) {
        if (o.timestampMs >= sinceMs && o.timestampMs < untilMs) inWindow.push(o);
      }
    }
    return summarise(
      inWindow.map((o) => ({ durationMs: o.reportDurationMs ?? o.durationMs, error: o.error })),
    );
  }

  /** Function names (sub-directories) present now. */
  async functions(): Promise<string[]> {
    try {
      const entries = await readdir(this.#dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async #catchUp(functions: readonly string[] | undefined): Promise<void> {
    const names = functions ?? (await this.functions());
    for (const fn of names) {
      let files: string[];
      try {
        files = (await readdir(join(this.#dir, fn))).filter((f) => f.endsWith('.log')).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      for (const file of files) await this.#readNew(fn, join(this.#dir, fn, file));
    }
  }

  async #readNew(fn: string, path: string): Promise<void> {
    const cursor = this.#cursors.get(path) ?? { offset: 0, insideSkippedLine: false };
    this.#cursors.set(path, cursor);
    const stream = basename(path, '.log');
    const onSkipped = this.#onSkippedLine;
    // Whole lines only (a line still being written waits for the next sample), each at most 1 MiB.
    const r = await scanFile(
      path,
      {
        terms: undefined,
        fromOffset: cursor.offset,
        insideSkippedLine: cursor.insideSkippedLine,
        ...(onSkipped ? { onSkippedLine: (offset: number) => onSkipped({ function: fn, stream, offset }) } : {}),
      },
      (line) => this.#ingest(fn, line),
      false,
    );
    cursor.offset = r.nextOffset;
    cursor.insideSkippedLine = r.endsInSkippedLine;
  }

  #ingest(fn: string, line: string): void {
    if (line.length === 0) return;
    let event: { timestamp?: unknown; message?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (typeof event.timestamp !== 'number' || typeof event.message !== 'string') return;
    const fragment = parseOutcome(event.message);
    if (!fragment) return;
    let byId = this.#outcomes.get(fn);
    if (!byId) this.#outcomes.set(fn, (byId = new Map()));
    const o = byId.get(fragment.requestId) ?? { timestampMs: event.timestamp, durationMs: undefined, reportDurationMs: undefined, error: false };
    o.timestampMs = Math.max(o.timestampMs, event.timestamp);
    if (fragment.error) o.error = true;
    if (fragment.durationMs !== undefined) {
      if (event.message.startsWith('REPORT ') || event.message.includes('"platform.report"')) o.reportDurationMs = fragment.durationMs;
      else o.durationMs = fragment.durationMs;
    }
    byId.set(fragment.requestId, o);
  }
}
