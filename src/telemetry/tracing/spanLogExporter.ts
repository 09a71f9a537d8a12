// FAULTLINE_TRACES=log: each finished span becomes one JSON line on stdout
// (docs/telemetry.md), so traces need no collector and no network on the
// invocation path. A plain SpanExporter, plus a processor that exports
// synchronously at span end without the promise machinery of
// SimpleSpanProcessor.
//
// This runs once per outgoing call, so it is on the hot path: lines are built
// by hand (no record object, no generic redaction walk: OpenTelemetry already
// limits attribute values to primitives and arrays of them, so only keys need a
// redaction verdict, cached per key) as UTF-8 straight into a byte buffer,
// and the client spans of a running invocation are formatted and written in
// one batch when its invocation span ends (or every 128 spans), one stdout
// write per invocation instead of one per call.
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { currentInvocation, invocationOfSpan } from '../../invocationState.js';
import type { LineSink } from '../logging/logger.js';
import { REDACTED, type Redactor } from '../redaction/redact.js';
import { hrTimeToMs, spanDurationMs, spanStartMs } from './span.js';
import { LineBuffer } from './lineBuffer.js';

const KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};
const STATUS_NAMES: Record<SpanStatusCode, string> = {
  [SpanStatusCode.UNSET]: 'UNSET',
  [SpanStatusCode.OK]: 'OK',
  [SpanStatusCode.ERROR]: 'ERROR',
};

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Pure: the span-line object of docs/telemetry.md (the reference form of `formatSpanLine`). */
export function spanToRecord(span: ReadableSpan, redactor: Redactor | undefined, extra?: Record<string, unknown>): Record<string, unknown> {
  const ctx = span.spanContext();
  const attributes: Attributes = redactor ? redactor.redact(span.attributes) : span.attributes;
  const record: Record<string, unknown> = {
    type: 'span',
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: KIND_NAMES[span.kind],
    startTime: round3(spanStartMs(span)),
    durationMs: round3(spanDurationMs(span)),
    status: span.status.message
      ? { code: STATUS_NAMES[span.status.code], message: span.status.message }
      : { code: STATUS_NAMES[span.status.code] },
    attributes,
    events: span.events.map((e) => ({
      name: e.name,
      time: round3(hrTimeToMs(e.time)),
      ...(e.attributes ? { attributes: redactor ? redactor.redact(e.attributes) : e.attributes } : {}),
    })),
  };
  if (span.links.length > 0) {
    record.links = span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }));
  }
  return extra ? Object.assign(record, extra) : record;
}

const str = JSON.stringify as (s: string) => string;

/** JSON of a number as JSON.stringify writes it (non-finite numbers become null). */
const num = (n: number) => (Number.isFinite(n) ? String(n) : 'null');

/**
 * Serializes span lines byte for byte as `JSON.stringify(spanToRecord(...))`
 * would (in UTF-8), without building the record, straight into a LineBuffer.
 * Per attribute key, the `"key":` prefix and the redaction verdict are
 * computed once.
 */
export class SpanLineFormatter {
  /** Attribute key → `"key":` when its value is written, or `"key":"[REDACTED]"` when it is sensitive. */
  private readonly keys = new Map<string, { prefix: string; redacted: boolean }>();
  private readonly tail: string;
  private readonly scratch = new LineBuffer(1024);

  constructor(
    private readonly redactor: Redactor | undefined,
    fixed: { function: string; service: string },
  ) {
    this.tail = `,"function":${str(fixed.function)},"service":${str(fixed.service)}}`;
  }

  private keyOf(key: string): { prefix: string; redacted: boolean } {
    let k = this.keys.get(key);
    if (k === undefined) {
      const redacted = this.redactor?.isSensitive(key) === true;
      k = { prefix: redacted ? `${str(key)}:${str(REDACTED)}` : `${str(key)}:`, redacted };
      if (this.keys.size < 4096) this.keys.set(key, k);
    }
    return k;
  }

  private attributes(out: LineBuffer, attrs: Attributes): void {
    out.ascii('{');
    let first = true;
    for (const key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      const v = attrs[key];
      if (v === undefined) continue;
      const k = this.keyOf(key);
      if (!first) out.ascii(',');
      first = false;
      out.utf8(k.prefix);
      if (k.redacted) continue;
      if (typeof v === 'string') out.jsonString(v);
      else if (typeof v === 'number') out.ascii(num(v));
      else if (typeof v === 'boolean') out.ascii(v ? 'true' : 'false');
      else out.utf8(JSON.stringify(this.redactor ? this.redactor.redact(v) : v) ?? 'null');
    }
    out.ascii('}');
  }

  /** One line of docs/telemetry.md, without the trailing newline, appended to `out`. */
  formatInto(out: LineBuffer, span: ReadableSpan, requestId: string | undefined): void {
    const ctx = span.spanContext();
    const parent = span.parentSpanContext?.spanId;
    const status = span.status;
    out.ascii('{"type":"span","traceId":');
    out.jsonString(ctx.traceId);
    out.ascii(',"spanId":');
    out.jsonString(ctx.spanId);
    if (parent !== undefined) {
      out.ascii(',"parentSpanId":');
      out.jsonString(parent);
    }
    out.ascii(',"name":');
    out.jsonString(span.name);
    out.ascii(',"kind":');
    out.jsonString(KIND_NAMES[span.kind]);
    out.ascii(',"startTime":');
    out.ascii(num(round3(spanStartMs(span))));
    out.ascii(',"durationMs":');
    out.ascii(num(round3(spanDurationMs(span))));
    out.ascii(',"status":{"code":');
    out.jsonString(STATUS_NAMES[status.code]);
    if (status.message) {
      out.ascii(',"message":');
      out.jsonString(status.message);
    }
    out.ascii('},"attributes":');
    this.attributes(out, span.attributes);
    out.ascii(',"events":[');
    const events = span.events;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      out.ascii(i > 0 ? ',{"name":' : '{"name":');
      out.jsonString(e.name);
      out.ascii(',"time":');
      out.ascii(num(round3(hrTimeToMs(e.time))));
      if (e.attributes) {
        out.ascii(',"attributes":');
        this.attributes(out, e.attributes);
      }
      out.ascii('}');
    }
    out.ascii(']');
    const links = span.links;
    if (links.length > 0) {
      out.ascii(',"links":[');
      for (let i = 0; i < links.length; i++) {
        const l = links[i]!;
        out.ascii(i > 0 ? ',{"traceId":' : '{"traceId":');
        out.jsonString(l.context.traceId);
        out.ascii(',"spanId":');
        out.jsonString(l.context.spanId);
        out.ascii('}');
      }
      out.ascii(']');
    }
    if (requestId !== undefined) {
      out.ascii(',"requestId":');
      out.jsonString(requestId);
    }
    out.utf8(this.tail);
  }

  /** One line of docs/telemetry.md, without the trailing newline. */
  format(span: ReadableSpan, requestId: string | undefined): string {
    const out = this.scratch;
    out.reset();
    this.formatInto(out, span, requestId);
    return out.toString();
  }
}

/** Spans held before they are written even while their invocation is still running. */
const MAX_HELD_SPANS = 128;

// Lines still pending when the process exits (a crash mid-invocation) are written on the way out.
const pendingExporters = new Set<SpanLogExporter>();
let exitHooked = false;
function flushAllOnExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const e of pendingExporters) e.flushPending();
  });
}

export class SpanLogExporter implements SpanExporter {
  private readonly formatter: SpanLineFormatter;
  /**
   * Ended client spans of invocations still running, and their request ids.
   * They are formatted together when written: one tight loop over a batch
   * keeps the formatter hot in the CPU caches, where a line formatted between
   * two outgoing calls found them cold and cost several times as much.
   */
  private readonly heldSpans: ReadableSpan[] = [];
  private readonly heldIds: (string | undefined)[] = [];
  private readonly out = new LineBuffer(64 * 1024);
  /** Whether this exporter is in pendingExporters (a field: asked on every span). */
  private registered = false;

  constructor(
    private readonly sink: LineSink,
    fixed: { function: string; service: string },
    redactor?: Redactor,
  ) {
    this.formatter = new SpanLineFormatter(redactor, fixed);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      for (const span of spans) this.exportOne(span);
      resultCallback(SUCCESS);
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  /** One span, without the array and result objects of `export` (SyncSpanProcessor's path). */
  exportOne(span: ReadableSpan): void {
    const owner = invocationOfSpan(span);
    const requestId = (span.attributes['faas.invocation_id'] as string | undefined) ?? owner?.requestId ?? currentInvocation()?.requestId;
    this.heldSpans.push(span);
    this.heldIds.push(requestId);
    // A client span of a running invocation waits for the invocation span,
    // which ends before the response is returned (or when the invocation is
    // about to time out); anything else goes out now, with what is held.
    if (owner === undefined || owner.finished || this.heldSpans.length >= MAX_HELD_SPANS) this.flushPending();
    else if (!this.registered) {
      this.registered = true;
      pendingExporters.add(this);
      flushAllOnExit();
    }
  }

  /** Writes the held spans, if any; a span that cannot be formatted is dropped alone, a sink that throws loses the batch. */
  flushPending(): void {
    const spans = this.heldSpans;
    if (spans.length === 0) return;
    pendingExporters.delete(this);
    this.registered = false;
    const ids = this.heldIds;
    const out = this.out;
    for (let i = 0; i < spans.length; i++) {
      const mark = out.length;
      try {
        this.formatter.formatInto(out, spans[i]!, ids[i]);
        out.ascii('\n');
      } catch {
        out.length = mark; // no half line behind
      }
    }
    spans.length = 0;
    ids.length = 0;
    if (this.sink.writeBytes !== undefined) {
      this.sink.writeBytes(out.take());
    } else {
      const lines = out.toString();
      out.reset();
      this.sink.write(lines);
    }
  }

  shutdown(): Promise<void> {
    try {
      this.flushPending();
    } catch {
      // see flushPending
    }
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    try {
      this.flushPending();
    } catch {
      // see flushPending
    }
    return Promise.resolve();
  }
}

const SUCCESS: ExportResult = Object.freeze({ code: ExportResultCode.SUCCESS });
const ignoreResult = () => {};

/** Exports each span as it ends, synchronously; an exporter that throws loses that span only. */
export class SyncSpanProcessor implements SpanProcessor {
  private readonly exportOne: ((span: ReadableSpan) => void) | undefined;
  constructor(private readonly exporter: SpanExporter) {
    this.exportOne = exporter instanceof SpanLogExporter ? (span) => exporter.exportOne(span) : undefined;
  }
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    try {
      if (this.exportOne !== undefined) this.exportOne(span);
      else this.exporter.export([span], ignoreResult);
    } catch {
      // never let a broken exporter reach the function
    }
  }
  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }
  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}
