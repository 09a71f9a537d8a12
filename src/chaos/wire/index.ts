// The chaos build's FaultHook: the rule engine decides which rule hits a call,
// the wire functions here apply it, and every applied fault is reported back
// to the engine (span event, WARN line, FaultsInjected).
import type { Span } from '@opentelemetry/api';
import type { CallDescriptor, FaultDecision } from '../../seam.js';
import type { FaultHook } from '../../seam.js';
import { planHttpFault } from './httpFaults.js';
import { http2Fault } from './http2Faults.js';
import { faultInterceptor } from './faultInterceptors.js';
import { gateUndiciRequest } from './undiciRequestGate.js';
import { defaultWireEnv, type WireEnv } from './wireEnv.js';

/** What the wire needs from the rule engine (src/chaos/engine.ts). */
export interface FaultEngine {
  decide(call: CallDescriptor): FaultDecision | undefined;
  injected(decision: FaultDecision, span: Span | undefined): void;
}

export function createWireFaultHook(engine: FaultEngine, env: WireEnv = defaultWireEnv): FaultHook {
  return {
    decide: (call) => engine.decide(call),
    planHttp(decision, call) {
      const plan = planHttpFault(decision.fault, call, env);
      engine.injected(decision, call.span);
      return plan;
    },
    dispatchUndici(decision, call, dispatch, opts, handler) {
      const faulty = faultInterceptor(decision.fault, call, env)(dispatch);
      engine.injected(decision, call.span);
      return faulty(opts, handler);
    },
    faultUndiciRequest(decision, call, opts, handler) {
      const gate = gateUndiciRequest(decision.fault, call, opts, handler, env);
      engine.injected(decision, call.span);
      return gate;
    },
    requestHttp2(decision, call, request) {
      const stream = http2Fault(decision.fault, call, request, env);
      engine.injected(decision, call.span);
      return stream;
    },
  };
}

export type { WireEnv } from './wireEnv.js';
export { awsErrorResponse, awsErrorStatus, type WireResponse } from './awsErrorResponse.js';
