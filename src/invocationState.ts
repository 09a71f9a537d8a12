// Per-invocation state lives in async context, never in module globals: an
// environment may run several invocations at once (Lambda Managed Instances,
// the runtime client's multi-concurrent mode), and each one's logs, spans and
// metrics stay its own.
//
// One AsyncLocalStorage carries both the invocation and the OpenTelemetry
// context (src/telemetry/tracing/contextManager.ts reads and writes the same frames):
// every store Node propagates is paid for on every async resource and promise
// the function creates, so a second one would cost each outgoing call again.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type Span } from '@opentelemetry/api';
import type { FunctionNames } from './invocationNames.js';

export interface InvocationState {
  readonly requestId: string;
  readonly traceId: string;
  readonly spanId: string;
  /** Only the first invocation of an on-demand environment. */
  readonly coldStart: boolean;
  /** Epoch ms at which Lambda ends the invocation (from context.getRemainingTimeInMillis). */
  readonly deadlineMs: number;
  readonly span: Span;
  /** Keys the handler appended to its log lines for this invocation only. */
  logKeys: Record<string, unknown> | undefined;
  /** W3C baggage entries received with the invocation (sticky chaos keys ride in it). */
  readonly baggage: ReadonlyMap<string, string> | undefined;
  /** The triggering event, for sticky chaos keys that name an event field. */
  readonly event: unknown;
  faultsInjected: number;
  /** Client spans started and not yet ended: ended and marked if the invocation is about to time out. */
  readonly openSpans: OpenSpans;
  // Optional so that states built by hand (tests of the chaos and wire code) stay valid: absent = the environment's.
  /** The function this invocation belongs to (src/invocationNames.ts: the context's names, else the environment's). */
  readonly names?: FunctionNames;
  /** The names' fixed log fields, when they are not the environment's (undefined: the logger's own). */
  readonly logFields?: string | undefined;
  /** Set once the handler's outcome has come: console output after it is the process's again. */
  settled?: boolean;
  /** Set once the invocation's telemetry has been written (normally, or by the timeout guard). */
  finished: boolean;
}

/** Slot of a span in its invocation's OpenSpans (AgentSpan reserves it, so setting it never reshapes the span). */
export const OPEN_SLOT = Symbol('faultline.openSlot');
type Slotted = Span & { [OPEN_SLOT]?: number };

/**
 * The open client spans of an invocation. One is added and removed per
 * outgoing call, so it is a plain array with each span's slot kept on the
 * span (removal swaps the last one in): no hashing, no rehashing.
 */
export class OpenSpans implements Iterable<Span> {
  private readonly list: Slotted[] = [];

  get size(): number {
    return this.list.length;
  }

  add(span: Span): void {
    const s = span as Slotted;
    if (s[OPEN_SLOT] !== undefined && this.list[s[OPEN_SLOT]] === s) return;
    s[OPEN_SLOT] = this.list.length;
    this.list.push(s);
  }

  delete(span: Span): boolean {
    const s = span as Slotted;
    const i = s[OPEN_SLOT];
    if (i === undefined || this.list[i] !== s) return false;
    const last = this.list.pop()!;
    if (last !== s) {
      this.list[i] = last;
      last[OPEN_SLOT] = i;
    }
    s[OPEN_SLOT] = undefined;
    return true;
  }

  clear(): void {
    for (const s of this.list) s[OPEN_SLOT] = undefined;
    this.list.length = 0;
  }

  /** A snapshot: ending spans while iterating is safe. */
  [Symbol.iterator](): Iterator<Span> {
    return this.list.slice()[Symbol.iterator]();
  }
}

/** What is active in an async context: the invocation (if any) and the OpenTelemetry context. */
export interface Frame {
  readonly invocation: InvocationState | undefined;
  readonly context: Context;
}

export const frames = new AsyncLocalStorage<Frame>();

export function currentInvocation(): InvocationState | undefined {
  return frames.getStore()?.invocation;
}

/** The OpenTelemetry context of the current frame (what our context manager reports as active). */
export function frameContext(): Context {
  return frames.getStore()?.context ?? ROOT_CONTEXT;
}

/** Runs `fn` as part of `invocation`, with `ctx` (default: the current one) as the frame's OpenTelemetry context. */
export function runAsInvocation<T>(invocation: InvocationState, fn: () => T, ctx: Context = frameContext()): T {
  return frames.run({ invocation, context: ctx }, fn);
}

/** Runs `fn` outside any invocation, in the root context (environment-level work such as rule refreshes). */
export function runOutsideInvocations<T>(fn: () => T): T {
  return frames.exit(fn);
}

/** The parts of aws-lambda-ric's InvokeStore faultline reads. */
export interface RuntimeInvokeStore {
  getRequestId?(): string | undefined;
  getXRayTraceId?(): string | undefined;
}

/**
 * The runtime client's own record of the invocation in progress
 * (`globalThis.awslambda.InvokeStore`, per invocation even in the runtime's
 * multi-concurrent mode), when the runtime provides one.
 */
export function runtimeInvokeStore(): RuntimeInvokeStore | undefined {
  return (globalThis as { awslambda?: { InvokeStore?: RuntimeInvokeStore } }).awslambda?.InvokeStore;
}

/** Milliseconds the current invocation has left, or Infinity outside an invocation. */
export function remainingMs(now = Date.now()): number {
  const inv = currentInvocation();
  return inv === undefined ? Infinity : inv.deadlineMs - now;
}

// Which invocation started a span. A span may end in another async context
// than it started in (undici answers in the context of the pooled socket,
// which belongs to whichever invocation opened the connection), so the span
// line takes its request id from here, not from the context at its end.
// A property on the span rather than a WeakMap entry: this runs for every
// outgoing call, and WeakMap entries are costly to add and to collect.
/** The invocation a span belongs to (AgentSpan reserves it too). */
export const SPAN_OWNER = Symbol('faultline.invocation');

export function bindSpanToInvocation(span: object, invocation: InvocationState): void {
  (span as { [SPAN_OWNER]?: InvocationState })[SPAN_OWNER] = invocation;
}

export function invocationOfSpan(span: object): InvocationState | undefined {
  return (span as { [SPAN_OWNER]?: InvocationState })[SPAN_OWNER];
}
