// What both transports' instrumentation reads on every call. One mutable
// holder, so installing again swaps the tracer or hook without re-patching.
import type { Tracer } from '@opentelemetry/api';
import type { UrlRedactor } from './clientSpan.js';
import type { FaultHook } from './faultHook.js';

export interface InstrumentationDeps {
  tracer: Tracer | undefined;
  redactor: UrlRedactor | undefined;
  faultHook: () => FaultHook | undefined;
  /** The global propagator is the agent's W3C one: trace headers may be written directly (traceHeaders.ts). */
  directW3c: boolean;
}
