// One invocation, in the order it happens (smithy-style named steps):
//   begin          names, trace context, the invocation span, the state
//   guardDeadline  arm the timer that writes everything out early if the invocation is about to time out
//   enterChaos     an `invocation`-target fault: latency before the handler, or an error instead of it
//   runHandler     the user's handler, under that state, with runtime semantics (src/runHandler.ts)
//   recordOutcome  status, exception, HTTP status on the span
//   finish         end the spans, write the EMF document
//   afterChaos     feed the chaos abort threshold
//   flush          export spans to a collector, within what is left of the deadline
// `invoke` runs them; the handler's own outcome is all that leaves it. A
// failure to begin runs the handler bare; every later step of ours sits behind
// one boundary (`close`, which the deadline guard shares), so an agent failure
// costs its telemetry, never the function.
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
import { withRootTraceId } from './telemetry/tracing/tracer.js';
import {
  detectTrigger,
  extractParentCarrier,
  httpStatusFromResult,
  invocationSpanName,
  recordLinks,
  triggerAttributes,
  type TriggerInfo,
} from './telemetry/triggers/index.js';
import { invocationNames } from './invocationNames.js';
import { runHandler, type HandlerChannel } from './runHandler.js';
import { fixedLogFields } from './telemetry/logging/logger.js';
import type { AnyLambdaHandler, LambdaContext } from './types.js';

interface InvocationRun {
  readonly state: InvocationState;
  readonly spanContext: Context;
  readonly trigger: TriggerInfo;
  readonly startMs: number;
  readonly coldStart: boolean;
  readonly firstInvocation: boolean;
  readonly initDurationMs: number | undefined;
}

/**
 * One invocation of `handler` with faultline around it. Resolves or rejects
 * with the handler's own outcome; an agent that cannot begin the invocation
 * runs the handler bare.
 */
export function invoke(agent: Agent, handler: AnyLambdaHandler, event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<unknown> {
  let run: InvocationRun;
  try {
    run = begin(agent, event, ctx);
  } catch {
    return runHandler(handler, event, ctx, channel);
  }
  return observe(agent, run, handler, event, ctx, channel);
}

async function observe(agent: Agent, run: InvocationRun, handler: AnyLambdaHandler, event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<unknown> {
  let guard: NodeJS.Timeout | undefined;
  let failed = false;
  let value: unknown;
  try {
    value = await withState(agent, run, () => {
      guard = guardDeadline(agent, run);
      return enterChaosAndRun(agent, handler, event, ctx, channel);
    });
  } catch (err) {
    failed = true;
    value = err;
  }
  run.state.settled = true;
  if (guard !== undefined) clearTimeout(guard);
  const flushed = close(agent, run, { timedOut: false, failed, value }, Math.min(100, Math.max(0, run.state.deadlineMs - Date.now() - 20)));
  if (flushed !== undefined) await flushed;
  if (failed) throw value;
  return value;
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

function begin(agent: Agent, event: unknown, lambdaContext: LambdaContext): InvocationRun {
  const startMs = Date.now();
  const { config } = agent;
  const names = invocationNames(agent.names, lambdaContext);
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
    'faas.name': names.functionName,
    'faas.version': names.functionVersion,
    'cloud.provider': 'aws',
    'cloud.region': config.region,
    'cloud.account.id': accountIdOf(arn),
    'aws.lambda.invoked_arn': arn,
    'faultline.trigger': trigger.source,
    'faultline.init_type': config.initType,
  };
  const fromEvent = triggerAttributes(event, trigger, agent.redactor);
  if (names !== agent.names) {
    // The resource carries the environment's names; the span, where this invocation's context says otherwise.
    if (names.memorySizeMb !== undefined) attributes['faas.max_memory'] = names.memorySizeMb * 1024 * 1024;
    if (names.logStreamName !== undefined) attributes['faas.instance'] = names.logStreamName;
    if (names.logGroupName !== undefined) attributes['aws.log.group.names'] = [names.logGroupName];
  }
  Object.assign(attributes, fromEvent);
  const name = invocationSpanName(names.functionName, fromEvent);
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
    names,
    logFields: names === agent.names ? undefined : fixedLogFields(names.functionName, names.service),
    settled: false,
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

/** Writes the invocation out early when it is about to time out (called inside its state, so the warning carries its ids). */
function guardDeadline(agent: Agent, run: InvocationRun): NodeJS.Timeout | undefined {
  const left = run.state.deadlineMs - Date.now() - deadlineMargin(agent);
  if (!Number.isFinite(left)) return undefined;
  const guard = setTimeout(() => {
    void close(agent, run, TIMED_OUT, deadlineMargin(agent) - 20);
  }, Math.max(0, left));
  guard.unref?.();
  return guard;
}

/** An `invocation`-target chaos fault, then the handler: nothing awaited when no fault hits. */
function enterChaosAndRun(agent: Agent, handler: AnyLambdaHandler, event: unknown, ctx: LambdaContext, channel: HandlerChannel | undefined): Promise<unknown> {
  const entered = agent.chaos?.enterInvocation();
  return entered === undefined ? runHandler(handler, event, ctx, channel) : entered.then(() => runHandler(handler, event, ctx, channel));
}

function recordOutcome(run: InvocationRun, failed: boolean, outcome: unknown): void {
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
function finish(agent: Agent, run: InvocationRun, failed: boolean, timedOut: boolean): void {
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
      names: state.names,
    }),
  );
}

/** How long before the deadline the agent writes everything out if the handler is still running. */
function deadlineMargin(agent: Agent): number {
  return agent.config.traces === 'otlp' ? 150 : 50;
}

function withState<T>(agent: Agent, run: InvocationRun, fn: () => T): T {
  const inFrame = agent.tracing.ownsContext ? fn : () => otelContext.with(run.spanContext, fn);
  return runAsInvocation(run.state, inFrame, run.spanContext);
}

/** How an invocation ends for faultline: with the handler's outcome, or cut short by the deadline guard. */
type Ending = { readonly timedOut: false; readonly failed: boolean; readonly value: unknown } | { readonly timedOut: true };
const TIMED_OUT: Ending = { timedOut: true };

/**
 * record → finish → after chaos → flush, once per invocation (by the deadline
 * guard when it fires first), behind the one boundary of ours. Resolves when
 * the flush is done or out of budget.
 */
function close(agent: Agent, run: InvocationRun, ending: Ending, flushBudgetMs: number): Promise<void> | undefined {
  if (run.state.finished) return undefined;
  try {
    const failed = ending.timedOut || ending.failed;
    withState(agent, run, () => {
      if (ending.timedOut) {
        agent.logger.warn('invocation is about to time out: telemetry written early', {
          remainingMs: Math.max(0, run.state.deadlineMs - Date.now()),
        });
      } else {
        recordOutcome(run, ending.failed, ending.value);
      }
      finish(agent, run, failed, ending.timedOut);
    });
    agent.chaos?.afterInvocation(failed);
    if (agent.config.traces === 'otlp') return agent.tracing.flush(flushBudgetMs).catch(() => {});
  } catch {
    // telemetry problems stay ours
  }
  return undefined;
}

