// Test-only OpenTelemetry set-up: in-memory spans, async-context propagation
// and W3C propagators, as the agent registers them.
import { context, propagation, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Fault } from '../../src/chaos/ruleTypes.js';
import type { CallDescriptor, FaultDecision } from '../../src/seam.js';

export interface TestOtel {
  readonly tracer: Tracer;
  readonly exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function setupOtel(): TestOtel {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return {
    tracer: provider.getTracer('faultline-test'),
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await provider.shutdown();
      manager.disable();
      context.disable();
      propagation.disable();
      trace.disable();
    },
  };
}

/** A stand-in for the rule engine: fixed decisions from a function the test sets. */
export class FakeEngine {
  rule: ((call: CallDescriptor) => Fault | undefined) | undefined;
  readonly calls: CallDescriptor[] = [];
  readonly injectedFaults: { decision: FaultDecision; span: Span | undefined }[] = [];

  decide(call: CallDescriptor): FaultDecision | undefined {
    this.calls.push(call);
    const fault = this.rule?.(call);
    return fault === undefined ? undefined : { ruleId: 'r1', scope: '*', targetText: '*', fault };
  }

  injected(decision: FaultDecision, span: Span | undefined): void {
    this.injectedFaults.push({ decision, span });
    span?.addEvent('chaos.fault', { 'faultline.chaos.rule_id': decision.ruleId, 'faultline.chaos.fault': decision.fault.type });
  }

  reset(rule?: (call: CallDescriptor) => Fault | undefined): void {
    this.rule = rule;
    this.calls.length = 0;
    this.injectedFaults.length = 0;
  }
}
