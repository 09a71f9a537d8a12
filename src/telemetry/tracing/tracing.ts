// The tracer provider of an execution environment: resource, context manager,
// propagators, and the exporter FAULTLINE_TRACES chose. The OTLP exporter is
// loaded only when chosen, so the default path pays nothing for it; so is the
// OpenTelemetry SDK itself (src/telemetry/tracing/tracer.ts makes the spans).
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { FaultlineConfig } from '../../config.js';
import type { LineSink } from '../logging/logger.js';
import type { Redactor } from '../redaction/redact.js';
import { FrameContextManager } from './contextManager.js';
import { SpanLogExporter, SyncSpanProcessor } from './spanLogExporter.js';
import { AgentTracerProvider } from './tracer.js';

export interface Tracing {
  readonly tracer: Tracer;
  /**
   * True when our context manager is the global one, so the invocation's frame
   * carries the OpenTelemetry context too; false when the function registered
   * its own first, which then has to be entered separately.
   */
  readonly ownsContext: boolean;
  /** True when the global propagator is ours (W3C trace context + baggage), so trace headers may be written directly. */
  readonly ownsPropagation: boolean;
  /**
   * Pushes out buffered spans (OTLP) within `budgetMs`; never rejects and never
   * waits longer, so a refusing or hanging collector costs the invocation at
   * most the budget.
   */
  flush(budgetMs: number): Promise<void>;
}

export interface TracingOptions {
  readonly config: FaultlineConfig;
  readonly sink: LineSink;
  readonly redactor: Redactor;
  readonly accountId?: string;
  /** For tests: use this processor instead of the one FAULTLINE_TRACES selects. */
  readonly processor?: SpanProcessor;
  readonly warn: (message: string, fields?: Record<string, unknown>) => void;
}

function resourceOf(config: FaultlineConfig, accountId: string | undefined) {
  return resourceFromAttributes({
    'service.name': config.service,
    'cloud.provider': 'aws',
    'cloud.platform': 'aws_lambda',
    ...(config.region ? { 'cloud.region': config.region } : {}),
    ...(accountId ? { 'cloud.account.id': accountId } : {}),
    'faas.name': config.functionName,
    'faas.version': config.functionVersion,
    ...(config.logStreamName ? { 'faas.instance': config.logStreamName } : {}),
    ...(config.memorySizeMb ? { 'faas.max_memory': config.memorySizeMb * 1024 * 1024 } : {}),
    'telemetry.distro.name': 'faultline',
  });
}

const settleWithin = (p: Promise<unknown>, ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });

/** A processor that stands in until the OTLP exporter module has loaded. */
class DeferredProcessor implements SpanProcessor {
  private target: SpanProcessor | undefined;
  private pending: import('@opentelemetry/sdk-trace-base').ReadableSpan[] = [];
  readonly loaded: Promise<void>;
  constructor(load: () => Promise<SpanProcessor>, warn: TracingOptions['warn']) {
    this.loaded = load().then(
      (p) => {
        this.target = p;
        for (const s of this.pending) p.onEnd(s);
        this.pending = [];
      },
      (err: unknown) => {
        this.pending = [];
        warn('OTLP exporter could not be loaded; spans are dropped', { error: String(err) });
      },
    );
  }
  onStart(): void {}
  onEnd(span: import('@opentelemetry/sdk-trace-base').ReadableSpan): void {
    if (this.target) this.target.onEnd(span);
    else if (this.pending.length < 2048) this.pending.push(span);
  }
  async forceFlush(): Promise<void> {
    await this.loaded;
    await this.target?.forceFlush();
  }
  async shutdown(): Promise<void> {
    await this.target?.shutdown();
  }
}

/** Whatever a processor does wrong stays inside it: span start and end never throw into the caller. */
class GuardedProcessor implements SpanProcessor {
  constructor(private readonly inner: SpanProcessor) {}
  onStart(span: Parameters<SpanProcessor['onStart']>[0], ctx: Parameters<SpanProcessor['onStart']>[1]): void {
    try {
      this.inner.onStart(span, ctx);
    } catch {
      // ignored: see class comment
    }
  }
  onEnd(span: import('@opentelemetry/sdk-trace-base').ReadableSpan): void {
    try {
      this.inner.onEnd(span);
    } catch {
      // ignored: see class comment
    }
  }
  forceFlush(): Promise<void> {
    try {
      return this.inner.forceFlush().catch(() => {});
    } catch {
      return Promise.resolve();
    }
  }
  shutdown(): Promise<void> {
    try {
      return this.inner.shutdown().catch(() => {});
    } catch {
      return Promise.resolve();
    }
  }
}

/** FAULTLINE_TRACES=off: spans still carry context, and go nowhere. */
const NO_PROCESSOR: SpanProcessor = {
  onStart() {},
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

export function createTracing(opts: TracingOptions): Tracing {
  const { config } = opts;
  let processor: SpanProcessor | undefined = opts.processor;
  let flushable: SpanProcessor | undefined;
  // A collector that refused, failed or outlived a flush budget is not waited for again until an export succeeds:
  // its spans still go out in the background, but it costs the invocations no more time.
  let collectorHealthy = true;
  if (!processor) {
    if (config.traces === 'log') {
      processor = new SyncSpanProcessor(
        new SpanLogExporter(opts.sink, { function: config.functionName, service: config.service }, opts.redactor),
      );
    } else if (config.traces === 'otlp') {
      flushable = processor = new DeferredProcessor(async () => {
        const { createOtlpProcessor } = await import('./otlpProcessor.js');
        return createOtlpProcessor((ok) => {
          collectorHealthy = ok;
        });
      }, opts.warn);
    }
  }

  const provider = new AgentTracerProvider(
    processor ? new GuardedProcessor(processor) : NO_PROCESSOR,
    config.spanLimits,
    resourceOf(config, opts.accountId),
    opts.redactor,
  );

  // Register globally so the function's own OpenTelemetry API calls nest under
  // our spans; if something else registered first, keep theirs and use ours directly.
  const ownsContext = context.setGlobalContextManager(new FrameContextManager());
  const ownsPropagation = propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);

  const tracer = provider.getTracer('faultline', '0.1.0');
  return {
    tracer,
    ownsContext,
    ownsPropagation,
    flush(budgetMs) {
      if (!flushable) return Promise.resolve();
      const flushing = flushable.forceFlush();
      if (!collectorHealthy) {
        flushing.catch(() => {});
        return Promise.resolve();
      }
      let settled = false;
      const done = flushing.then(
        () => void (settled = true),
        () => void (settled = true),
      );
      return settleWithin(done, budgetMs).then(() => {
        if (!settled) collectorHealthy = false;
      });
    },
  };
}
