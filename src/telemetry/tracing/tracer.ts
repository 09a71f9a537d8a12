// The agent's TracerProvider: every span is sampled (as the AlwaysOn sampler
// the agent always used), continues a valid parent in the given context, and
// goes to one span processor. Registered globally, it is also what the
// function's own OpenTelemetry API calls get.
import {
  context as apiContext,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  SpanKind,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AgentSpan, type OwnAttributes, type SpanHost, type SpanLimits, type SpanRedactor } from './span.js';

// Ids are cut from a string of random hex made 4 KiB at a time: one native
// call and one string for every 512 span ids, instead of a buffer write and a
// conversion per id (one id is made for every outgoing call). Math.random, as
// the OpenTelemetry SDK's id generator: node:crypto would cost the cold start
// a module for ids that need to be unique, not secret.
const POOL_BYTES = 4096;
const poolBytes = Buffer.allocUnsafe(POOL_BYTES);
let hexPool = '';
let hexAt = 0;
const ZEROS = { 16: '0'.repeat(16), 32: '0'.repeat(32) } as const;

/** Random lowercase hex of `chars` characters, never all zeros (an invalid id). */
function randomHex(chars: 16 | 32): string {
  for (;;) {
    if (hexAt + chars > hexPool.length) {
      for (let i = 0; i < POOL_BYTES; i += 4) poolBytes.writeUInt32LE((Math.random() * 0x1_0000_0000) >>> 0, i);
      hexPool = poolBytes.toString('hex');
      hexAt = 0;
    }
    const id = hexPool.slice(hexAt, hexAt + chars);
    hexAt += chars;
    if (id !== ZEROS[chars]) return id;
  }
}

export const newTraceId = (): string => randomHex(32);
export const newSpanId = (): string => randomHex(16);

const CLIENT: SpanOptions = Object.freeze({ kind: SpanKind.CLIENT });

const ROOT_TRACE_ID = createContextKey('faultline root trace id');

/**
 * A context in which a span without a parent starts in trace `traceId` (32 lower-case
 * hex) instead of a new one: a caller that named its trace but no span (X-Ray `Root`
 * without `Parent`) keeps its trace id. Pass it to one startSpan only, never make it
 * active: every root span started in it would share the trace.
 */
export function withRootTraceId(ctx: Context, traceId: string): Context {
  return ctx.setValue(ROOT_TRACE_ID, traceId);
}

function rootTraceIdOf(ctx: Context): string {
  const id = ctx.getValue(ROOT_TRACE_ID);
  return typeof id === 'string' ? id : newTraceId();
}

export class AgentTracer implements Tracer {
  constructor(private readonly host: SpanHost) {}

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = apiContext.active()): Span {
    if (options.root === true) ctx = trace.deleteSpan(ctx).deleteValue(ROOT_TRACE_ID);
    return this.start(name, options, ctx, undefined);
  }

  /** A CLIENT span of an outgoing call, whose attributes the agent built itself (span.ts OwnAttributes). */
  startClientSpan(name: string, own: OwnAttributes, ctx: Context): Span {
    return this.start(name, CLIENT, ctx, own);
  }

  private start(name: string, options: SpanOptions, ctx: Context, own: OwnAttributes | undefined): Span {
    if (isTracingSuppressed(ctx)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parentSpan = trace.getSpan(ctx);
    const parent = parentSpan?.spanContext();
    // Our own spans have valid ids by construction: only foreign parents need the regex checks.
    const continues = parent !== undefined && (parentSpan instanceof AgentSpan || isSpanContextValid(parent));
    const spanContext: SpanContext = {
      traceId: continues ? parent.traceId : rootTraceIdOf(ctx),
      spanId: newSpanId(),
      traceFlags: TraceFlags.SAMPLED,
      traceState: continues ? parent.traceState : undefined,
    };
    const span = new AgentSpan(
      this.host,
      spanContext,
      name,
      options.kind ?? SpanKind.INTERNAL,
      continues ? parent : undefined,
      options.attributes,
      options.links,
      options.startTime,
      own,
    );
    this.host.processor.onStart(span as never, ctx);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else if (typeof c === 'function') {
      options = a;
      ctx = b;
      fn = c;
    } else {
      return undefined;
    }
    const parent = ctx ?? apiContext.active();
    const span = this.startSpan(name, options, parent);
    return apiContext.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}

export class AgentTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(
    private readonly processor: SpanProcessor,
    private readonly limits: SpanLimits,
    private readonly resource: Resource,
    private readonly redactor?: SpanRedactor,
  ) {}

  getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const key = `${name}@${version ?? ''}:${options?.schemaUrl ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new AgentTracer({
        processor: this.processor,
        limits: this.limits,
        resource: this.resource,
        redactor: this.redactor,
        scope: { name, version, schemaUrl: options?.schemaUrl },
      });
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
