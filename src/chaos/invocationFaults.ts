// Faults whose target is `invocation` (docs/rules.md): latency before the
// handler runs, or an error instead of running it. Validation allows no other
// fault on that target.
import type { FaultDecision } from '../seam.js';
import { jitteredDelay } from './jitter.js';

/** The error an `invocation` rule fails the function with. */
export class InjectedInvocationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type InvocationEffect = { readonly waitMs: number } | { readonly error: Error };

/** Pure: what the decided fault does to the invocation, or undefined if it has no effect there. */
export function invocationEffect(decision: FaultDecision, random: () => number): InvocationEffect | undefined {
  const fault = decision.fault;
  if (fault.type === 'latency') return { waitMs: jitteredDelay(fault.latencyMs, fault.jitterMs, random) };
  if (fault.type === 'error') {
    const e = fault.error;
    const name = e.kind === 'aws' ? e.code : e.kind === 'network' ? e.code : `HTTP${e.status}`;
    return { error: new InjectedInvocationError(name, `faultline chaos: invocation failed by rule ${decision.scope}/${decision.ruleId}`) };
  }
  return undefined;
}
