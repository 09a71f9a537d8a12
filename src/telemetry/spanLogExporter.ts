// FAULTLINE_TRACES=log: each finished span becomes one JSON line on stdout
// (DESIGN section 4), so traces need no collector and no network on the
// invocation path. A plain SpanExporter, plus a processor that exports
// synchronously at span end without the promise machinery of
// SimpleSpanProcessor.
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { currentInvocation, invocationOfSpan } from '../invocationState.js';
import type { LineSink } from './logger.js';
import type { Redactor } from './redact.js';

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

const hrToMs = (t: HrTime) => t[0] * 1e3 + t[1] / 1e6;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Pure: the span-line object of DESIGN section 4. */
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
    startTime: round3(hrToMs(span.startTime)),
    durationMs: round3(hrToMs(span.duration)),
    status: span.status.message
      ? { code: STATUS_NAMES[span.status.code], message: span.status.message }
      : { code: STATUS_NAMES[span.status.code] },
    attributes,
    events: span.events.map((e) => ({
      name: e.name,
      time: round3(hrToMs(e.time)),
      ...(e.attributes ? { attributes: redactor ? redactor.redact(e.attributes) : e.attributes } : {}),
    })),
  };
  if (span.links.length > 0) {
    record.links = span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }));
  }
  return extra ? Object.assign(record, extra) : record;
}

export class SpanLogExporter implements SpanExporter {
  constructor(
    private readonly sink: LineSink,
    private readonly fixed: { function: string; service: string },
    private readonly redactor?: Redactor,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      for (const span of spans) {
        const requestId =
          (span.attributes['faas.invocation_id'] as string | undefined) ??
          invocationOfSpan(span)?.requestId ??
          currentInvocation()?.requestId;
        const line = JSON.stringify(spanToRecord(span, this.redactor, { requestId, ...this.fixed }));
        this.sink.write(line + '\n');
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const ignoreResult = () => {};

/** Exports each span as it ends, synchronously; an exporter that throws loses that span only. */
export class SyncSpanProcessor implements SpanProcessor {
  constructor(private readonly exporter: SpanExporter) {}
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    try {
      this.exporter.export([span], ignoreResult);
    } catch {
      // never let a broken exporter reach the function
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}
