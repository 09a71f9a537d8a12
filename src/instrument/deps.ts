// What both transports' instrumentation reads on every call. One mutable
// holder, so installing again swaps the tracer or hook without re-patching.
import type { Context, Tracer } from '@opentelemetry/api';
import type { Frame } from '../invocationState.js';
import type { UrlRedactor } from './clientSpan.js';
import type { FaultHook } from '../seam.js';

export interface InstrumentationDeps {
  tracer: Tracer | undefined;
  redactor: UrlRedactor | undefined;
  faultHook: () => FaultHook | undefined;
  /** The global propagator is the agent's W3C one: trace headers may be written directly (traceHeaders.ts). */
  directW3c: boolean;
  /**
   * The active OpenTelemetry context, given the current frame. When the
   * agent's context manager is the global one, that is the frame's: the API's
   * context.active() would look the manager up on the global object and read
   * the frame again, on every call.
   */
  activeContext: (frame: Frame | undefined) => Context;
}
