// FAULTLINE_TRACES=otlp: OpenTelemetry's OTLP/HTTP exporter behind its batch
// processor. Loaded only when chosen; the layer bundles it as a file of its own
// (otlp.js), so the default path never compiles it.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** `onResult(ok)` hears the outcome of every export, so the caller can stop waiting for a failing collector. */
export function createOtlpProcessor(onResult: (ok: boolean) => void): SpanProcessor {
  // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and headers itself.
  const exporter = new OTLPTraceExporter({ timeoutMillis: 2000 });
  const send = exporter.export.bind(exporter);
  exporter.export = (spans, done) =>
    send(spans, (result) => {
      onResult(result.code === 0);
      done(result);
    });
  return new BatchSpanProcessor(exporter, {
    scheduledDelayMillis: 60_000, // Lambda freezes between invocations: we flush at the end of each one instead
    maxExportBatchSize: 512,
  });
}
