// One invocation, in the order it happens (smithy-style named steps):
//   beginInvocation   extract context → start the invocation span → state
//   runHandler        the user's handler, under that state, with runtime semantics
//   recordOutcome     status, exception, HTTP status on the span
//   finishInvocation  end spans, write the EMF document, flush exporters
// plus guardDeadline, which does the last two early when the invocation is
// about to time out. Nothing here may throw into the function.
import {
  context as otelContext,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
} from '@opentelemetry/api';
import type { Agent } from './agent.js';
import { checkBuiltins } from './instrument/builtinWatch.js';
import { OpenSpans, runAsInvocation, runtimeInvokeStore, type InvocationState } from './invocationState.js';
import { withRootTraceId } from './telemetry/tracer.js';
import {
  detectTrigger,
  extractParentCarrier,
  httpStatusFromResult,
  invocationSpanName,
  recordLinks,
  triggerAttributes,
  type TriggerInfo,
} from './telemetry/triggers/index.js';
import type { LambdaContext, LambdaHandler } from './types.js';

export interface InvocationRun {
  readonly state: InvocationState;
  readonly spanContext: Context;
  readonly trigger: TriggerInfo;
  readonly startMs: number;
  readonly coldStart: boolean;
  readonly firstInvocation: boolean;
  readonly initDurationMs: number | undefined;
}

const accountIdCache = new Map<string, string | undefined>();
function accountIdOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  let id = accountIdCache.get(arn);
  if (id === undefined && !accountIdCache.has(arn)) {
    id = arn.split(':')[4] || undefined;
    if (accountIdCache.size < 64) accountIdCache.set(arn, id);
  }
  return id;
}

function xrayHeaderNow(): string | undefined {
  return runtimeInvokeStore()?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID;
}

const SPAN_KIND: Record<TriggerInfo['spanKind'], SpanKind> = { SERVER: SpanKind.SERVER, CONSUMER: SpanKind.CONSUMER };

export function beginInvocation(agent: Agent, event: unknown, lambdaContext: LambdaContext): InvocationRun {
  const startMs = Date.now();
  const { config } = agent;
  // Built-ins the handler loaded with import() since the last invocation (require() is seen at once).
  checkBuiltins();
  const verdict = agent.coldStart.onInvocation(startMs);
  const trigger = detectTrigger(event);

  const carrier = extractParentCarrier(event, { xrayEnv: xrayHeaderNow() }, trigger);
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;

  let links: Link[] | undefined;
  const recordCarriers = recordLinks(event, trigger);
  if (recordCarriers.length > 0) {
    links = [];
    for (const c of recordCarriers) {
      const sc = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, c));
      if (sc) links.push({ context: sc });
    }
  }

  const arn = lambdaContext?.invokedFunctionArn;
  const attributes: Attributes = {
    'faas.trigger': trigger.faasTrigger,
    'faas.invocation_id': lambdaContext?.awsRequestId,
    'faas.coldstart': verdict.coldStart,
    'faas.name': config.functionName,
    'faas.version': config.functionVersion,
    'cloud.provider': 'aws',
    'cloud.region': config.region,
    'cloud.account.id': accountIdOf(arn),
    'aws.lambda.invoked_arn': arn,
    'faultline.trigger': trigger.source,
    'faultline.init_type': config.initType,
  };
  const fromEvent = triggerAttributes(event, trigger, agent.redactor);
  Object.assign(attributes, fromEvent);
  const name = invocationSpanName(config.functionName, fromEvent);
  const startIn = carrier?.rootTraceId === undefined ? parent : withRootTraceId(parent, carrier.rootTraceId);
  const span = agent.tracer.startSpan(name, { kind: SPAN_KIND[trigger.spanKind], attributes, links }, startIn);
  const sc = span.spanContext();

  const remaining = typeof lambdaContext?.getRemainingTimeInMillis === 'function' ? lambdaContext.getRemainingTimeInMillis() : NaN;
  const baggage = propagation.getBaggage(parent);
  let baggageMap: Map<string, string> | undefined;
  if (baggage) {
    const entries = baggage.getAllEntries();
    if (entries.length > 0) baggageMap = new Map(entries.map(([k, v]) => [k, v.value]));
  }

  const state: InvocationState = {
    requestId: lambdaContext?.awsRequestId ?? 'unknown',
    traceId: sc.traceId,
    spanId: sc.spanId,
    coldStart: verdict.coldStart,
    deadlineMs: Number.isFinite(remaining) ? startMs + remaining : Infinity,
    span,
    logKeys: undefined,
    baggage: baggageMap,
    event,
    faultsInjected: 0,
    openSpans: new OpenSpans(),
    finished: false,
  };
  return {
    state,
    spanContext: trace.setSpan(parent, span),
    trigger,
    startMs,
    coldStart: verdict.coldStart,
    firstInvocation: verdict.firstInvocation,
    initDurationMs: verdict.initDurationMs,
  };
}

/**
 * How the handler's outcome came: through its callback, its returned promise,
 * a plain value it returned, or a synchronous throw. A runtime that hands the
 * handler a callback (nodejs22.x's client) treats each differently, so the
 * wrapper passes the outcome on through the same one.
 */
export type HandlerChannel = { via: 'callback' | 'promise' | 'value' | 'throw' | undefined };

/**
 * Calls the handler with the semantics of Lambda's Node.js runtime: a handler
 * declared with a callback parameter finishes with the callback or its returned
 * promise, whichever settles first; any other handler finishes with what it
 * returns (awaited). With `channel`, the call is one a runtime made with its own
 * callback: every handler gets a working callback, as the runtime gives it, and
 * `channel.via` records which way the outcome came.
 */
export function runHandler(handler: LambdaHandler, event: unknown, lambdaContext: LambdaContext, channel?: HandlerChannel): Promise<unknown> {
  const declaresCallback = handler.length >= 3;
  if (!declaresCallback && channel === undefined) {
    try {
      return Promise.resolve(handler(event, lambdaContext, noCallback));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (via: NonNullable<HandlerChannel['via']>, failed: boolean, value: unknown) => {
      if (settled) return;
      settled = true;
      if (channel !== undefined) channel.via = via;
      if (failed) reject(value);
      else resolve(value);
    };
    const callback = (error?: unknown, result?: unknown) => {
      const failed = error !== undefined && error !== null;
      settle('callback', failed, failed ? error : result);
    };
    let returned: unknown;
    try {
      returned = handler(event, lambdaContext, callback);
    } catch (err) {
      settle('throw', true, err);
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof (returned as PromiseLike<unknown>).then === 'function') {
      (returned as PromiseLike<unknown>).then(
        (v) => settle('promise', false, v),
        (e: unknown) => settle('promise', true, e),
      );
    } else if (!declaresCallback) {
      // Finished for faultline; a runtime that handed a callback ignores the value (channel 'value').
      settle('value', false, returned);
    }
  });
}

function noCallback(): void {
  // Called without a runtime's callback (nodejs24.x's client passes none), a two-parameter handler gets none that works either.
}

export function recordOutcome(run: InvocationRun, failed: boolean, outcome: unknown): void {
  const span = run.state.span;
  if (failed) {
    const err = outcome instanceof Error ? outcome : undefined;
    if (err) span.recordException(err);
    else span.addEvent('exception', { 'exception.message': String(outcome) });
    span.setStatus({ code: SpanStatusCode.ERROR, message: err ? `${err.name}: ${err.message}` : String(outcome) });
    return;
  }
  if (run.trigger.faasTrigger === 'http') {
    const status = httpStatusFromResult(outcome, run.trigger);
    if (status !== undefined) {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    }
  }
}

/** Ends the invocation's spans and writes its metrics. Synchronous; safe to call once. */
export function finishInvocation(agent: Agent, run: InvocationRun, failed: boolean, timedOut: boolean): void {
  const { state } = run;
  if (state.finished) return;
  state.finished = true;
  const now = Date.now();
  if (timedOut) {
    for (const open of state.openSpans) {
      open.setAttribute('faultline.timeout', true);
      open.setStatus({ code: SpanStatusCode.ERROR, message: 'invocation timed out before this call finished' });
      open.end();
    }
    state.openSpans.clear();
    state.span.setAttribute('faultline.timeout', true);
    state.span.setStatus({ code: SpanStatusCode.ERROR, message: 'invocation is about to time out' });
  }
  state.span.end();
  agent.logger.writeRaw(
    agent.emf.format({
      timestampMs: now,
      requestId: state.requestId,
      traceId: state.traceId,
      coldStart: run.coldStart,
      firstInvocation: run.firstInvocation,
      initDurationMs: run.initDurationMs,
      durationMs: now - run.startMs,
      error: failed || timedOut,
      faultsInjected: state.faultsInjected,
      timedOut,
    }),
  );
}

/** How long before the deadline the agent writes everything out if the handler is still running. */
export function deadlineMargin(agent: Agent): number {
  return agent.config.traces === 'otlp' ? 150 : 50;
}

export function withState<T>(agent: Agent, run: InvocationRun, fn: () => T): T {
  const inFrame = agent.tracing.ownsContext ? fn : () => otelContext.with(run.spanContext, fn);
  return runAsInvocation(run.state, inFrame, run.spanContext);
}
