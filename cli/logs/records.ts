// What one log event turns into once parsed (see parseLogLine.ts). A
// discriminated union on `kind`, so a consumer handles each shape explicitly.

/** A CloudWatch log event: the shape of FilterLogEvents results and of a log directory's lines. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** A log event and where it came from. `key` is unique per event within one source (dedupes re-reads). */
export interface SourceEvent extends LogEvent {
  readonly function: string;
  readonly stream: string;
  readonly key: string;
}

interface RecordBase {
  /** Epoch ms of the event (CloudWatch's ingestion-side timestamp, or the line's own when more precise). */
  readonly timestamp: number;
  readonly function: string;
  readonly requestId: string | undefined;
  /** Always the 32-hex W3C form. */
  readonly traceId: string | undefined;
  /** The message exactly as the function wrote it. */
  readonly raw: string;
}

/** Lambda's REPORT figures (text and JSON log formats). */
export interface ReportMetrics {
  readonly durationMs: number | undefined;
  readonly billedDurationMs: number | undefined;
  readonly memorySizeMB: number | undefined;
  readonly maxMemoryUsedMB: number | undefined;
  /** Present on an on-demand cold start only. */
  readonly initDurationMs: number | undefined;
  /** Present on the first invocation after a SnapStart restore. */
  readonly restoreDurationMs: number | undefined;
  /** `success`, `error`, `timeout` where the runtime says (JSON format, local mode). */
  readonly status: string | undefined;
}

export type PlatformEvent = 'start' | 'end' | 'report' | 'initStart' | 'initReport' | 'runtimeDone' | 'other';

export interface PlatformRecord extends RecordBase {
  readonly kind: 'platform';
  readonly event: PlatformEvent;
  readonly report: ReportMetrics | undefined;
  /** The JSON log format's original document. */
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/**
 * `agent`: faultline's JSON lines; `lambda-json`: Lambda's JSON console
 * format; `lambda-text`: `<ts>\t<requestId>\t<LEVEL>\t<msg>`; `plain`:
 * anything else, including malformed JSON.
 */
export type LogFormat = 'agent' | 'lambda-json' | 'lambda-text' | 'plain';

export interface MessageRecord extends RecordBase {
  readonly kind: 'log';
  readonly format: LogFormat;
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/** A `chaos.fault` span event. */
export interface FaultMark {
  readonly ruleId: string | undefined;
  readonly fault: string | undefined;
  readonly detail: string | undefined;
}

export type SpanStatusCode = 'OK' | 'ERROR' | 'UNSET';

export interface SpanRecord extends RecordBase {
  readonly kind: 'span';
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly spanKind: string;
  readonly startTime: number;
  readonly durationMs: number;
  readonly status: { readonly code: SpanStatusCode; readonly message?: string };
  readonly coldStart: boolean;
  /** `faas.invocation_id` is set: this span is a whole invocation. */
  readonly isInvocation: boolean;
  readonly faults: readonly FaultMark[];
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The agent's EMF document. */
export interface MetricRecord extends RecordBase {
  readonly kind: 'metric';
  readonly coldStart: boolean;
  readonly initDurationMs: number | undefined;
  readonly initType: string | undefined;
  readonly durationMs: number | undefined;
  readonly error: boolean;
  readonly faultsInjected: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export type ParsedRecord = PlatformRecord | MessageRecord | SpanRecord | MetricRecord;
