// Outgoing-call instrumentation of the observe build: client spans and
// traceparent for http/https, http2 and undici/fetch, plus the seam (FaultHook)
// through which the chaos build, when present, changes calls at the wire.
import { context, ROOT_CONTEXT, type Context, type Tracer } from '@opentelemetry/api';
import type { Frame } from '../invocationState.js';
import type { UrlRedactor } from './clientSpan.js';
import type { InstrumentationDeps } from './deps.js';
import type { FaultHook, FaultHookSource } from '../seam.js';
import { instrumentHttp } from './http.js';
import { instrumentHttp2 } from './http2.js';
import { instrumentUndici } from './undici/index.js';

export interface OutgoingInstrumentationOptions {
  /** Tracer for client spans; without one, calls are only offered to the fault hook. */
  readonly tracer?: Tracer;
  /** A hook, or a getter asked per call (chaos may start after init). */
  readonly faultHook?: FaultHookSource;
  /** Query parameters whose names it marks sensitive are replaced in `url.full`. */
  readonly redactor?: UrlRedactor;
  /** True when the global propagator is the agent's own W3C trace context + baggage one. */
  readonly directW3c?: boolean;
  /** True when the global context manager is the agent's own (its frames are the active context). */
  readonly ownsContext?: boolean;
}

const apiActiveContext = (): Context => context.active();
const frameActiveContext = (frame: Frame | undefined): Context => frame?.context ?? ROOT_CONTEXT;

interface Installed {
  readonly deps: InstrumentationDeps;
  readonly uninstall: () => void;
}

// One installation per process, even with two copies of faultline loaded (the
// layer's and one bundled by the function): patching twice would trace twice.
const INSTALLED = Symbol.for('faultline.outgoingInstrumentation');
const g = globalThis as unknown as Record<symbol, Installed | undefined>;

function hookGetter(source: FaultHookSource): () => FaultHook | undefined {
  if (source === undefined) return () => undefined;
  if (typeof source === 'function') return source;
  return () => source;
}

/**
 * Patches http/https, http2 and the undici global dispatcher. Idempotent: a second
 * call replaces the tracer, hook and redactor of the first and returns the
 * same undo.
 */
export function installOutgoingInstrumentation(opts: OutgoingInstrumentationOptions): () => void {
  const existing = g[INSTALLED];
  if (existing !== undefined) {
    existing.deps.tracer = opts.tracer;
    existing.deps.redactor = opts.redactor;
    existing.deps.faultHook = hookGetter(opts.faultHook);
    existing.deps.directW3c = opts.directW3c === true;
    existing.deps.activeContext = opts.ownsContext === true ? frameActiveContext : apiActiveContext;
    return existing.uninstall;
  }
  const deps: InstrumentationDeps = {
    tracer: opts.tracer,
    redactor: opts.redactor,
    faultHook: hookGetter(opts.faultHook),
    directW3c: opts.directW3c === true,
    activeContext: opts.ownsContext === true ? frameActiveContext : apiActiveContext,
  };
  const undoHttp = instrumentHttp(deps);
  const undoHttp2 = instrumentHttp2(deps);
  const undoUndici = instrumentUndici(deps);
  const uninstall = () => {
    if (g[INSTALLED]?.uninstall !== uninstall) return;
    undoUndici();
    undoHttp2();
    undoHttp();
    g[INSTALLED] = undefined;
  };
  g[INSTALLED] = { deps, uninstall };
  return uninstall;
}

export type { FaultHook, FaultHookSource, Http2Request, HttpFaultPlan, OutgoingCall, UndiciDispatch, UndiciHandler } from '../seam.js';
export { awsCallOf, protocolOf, protocolOfRequest, awsRequestId, type AwsCall, type AwsProtocol } from './awsCall.js';
