// The seam between the observe build and the chaos build. The instrumentation
// (src/instrument) describes each outgoing call and asks the hook, if one is
// installed, what to do to it; the chaos build (src/chaos/wire) implements the
// hook. Neither side's module: src/chaos/wire imports nothing at run time from
// src/instrument, and the observe build (no src/chaos module in it) carries
// only the two small helpers below beside the types.
import type { Span } from '@opentelemetry/api';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream, ClientSessionRequestOptions, OutgoingHttpHeaders } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { Fault } from './chaos/ruleTypes.js';
import type { HeaderBag } from './awsProtocol.js';

/** The AWS service and operation a call is (src/instrument/awsCall.ts). */
export interface AwsCall {
  /** Lower-case service id as signed (the SigV4 signing name): `dynamodb`, `s3`, `sqs`, `logs`. */
  readonly service: string;
  /** Operation name (`GetItem`), undefined when the wire does not say (e.g. query protocol before the body is known). */
  readonly operation: string | undefined;
}

/** An outgoing call or the invocation, as the matcher sees it. */
export interface CallDescriptor {
  readonly kind: 'aws' | 'http' | 'invocation';
  /** For aws: lower-case service id. */
  readonly service?: string;
  /** For aws: the operation name, e.g. GetItem. */
  readonly operation?: string;
  /** For aws and http: host name without port. */
  readonly host?: string;
  /** For aws and http: path without query. */
  readonly path?: string;
}

/** A rule that hit a call: what to do to it. */
export interface FaultDecision {
  readonly ruleId: string;
  readonly scope: string;
  readonly targetText: string;
  readonly fault: Fault;
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** The descriptor the rules match an outgoing call by. */
export function descriptorOf(host: string, path: string, aws: AwsCall | undefined): CallDescriptor {
  return aws === undefined
    ? { kind: 'http', host, path: pathOnly(path) }
    : { kind: 'aws', service: aws.service, operation: aws.operation, host, path: pathOnly(path) };
}

/** One outgoing call as every transport describes it. */
export interface OutgoingCall {
  readonly descriptor: CallDescriptor;
  readonly transport: 'http' | 'undici' | 'http2';
  /** `http:` or `https:` */
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly method: string;
  /** Path with query string. */
  readonly path: string;
  /** Request headers, lower-case names. */
  readonly headers: HeaderBag;
  readonly aws: AwsCall | undefined;
  /** The client span of the call, when tracing is on. */
  readonly span: Span | undefined;
}

/**
 * How a fault changes one `http`/`https` request. Every part is optional; the
 * instrumentation applies them in this order.
 */
export interface HttpFaultPlan {
  /**
   * Replaces the connection of this one request (canned responses, network
   * errors, hangs): the agent, and so any keep-alive pool, is bypassed.
   */
  readonly createConnection?: (options: { readonly timeout?: number }) => Duplex;
  /** Runs on the created request before the caller gets it (latency holds the request bytes here). */
  readonly onRequest?: (req: ClientRequest) => void;
  /** Runs on the real response before the caller sees it (corruption). */
  readonly onResponse?: (res: IncomingMessage) => void;
}

/** The options undici passes to `Dispatcher.dispatch`, as far as we read them. */
export interface UndiciDispatchOptions {
  origin?: string | URL;
  path: string;
  method: string;
  headers?: Record<string, string | string[] | undefined> | string[] | null;
  body?: unknown;
  headersTimeout?: number | null;
  bodyTimeout?: number | null;
  [key: string]: unknown;
}

/**
 * An undici dispatch handler: the legacy callbacks (undici 6: the fetch of Node 20 and 22)
 * or the newer controller API (undici 7). All optional, as undici treats them.
 */
export interface UndiciHandler {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void;
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(err: Error): void;
  onRequestStart?(controller: UndiciController, context: unknown): void;
  onResponseStart?(controller: UndiciController, statusCode: number, headers: Record<string, string | string[]>, statusText?: string): void;
  onResponseData?(controller: UndiciController, chunk: Buffer): void;
  onResponseEnd?(controller: UndiciController, trailers: Record<string, string | string[]>): void;
  onResponseError?(controller: UndiciController, err: Error): void;
  [key: string]: unknown;
}

export interface UndiciController {
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: Error | null;
}

export type UndiciDispatch = (opts: UndiciDispatchOptions, handler: UndiciHandler) => boolean;

/** A dispatch wrapped in another, as undici's interceptors (lib/interceptor/*, compose) are. */
export type DispatchInterceptor = (dispatch: UndiciDispatch) => UndiciDispatch;

/** One `ClientHttp2Session.request(headers, options)` as the caller made it. */
export interface Http2Request {
  readonly session: ClientHttp2Session;
  /** The headers as sent (trace headers included). */
  readonly headers: OutgoingHttpHeaders;
  readonly options: ClientSessionRequestOptions | undefined;
  /** Makes the real request on the session: a fault calls it later (latency), at once (corrupt) or never. */
  open(): ClientHttp2Stream;
}

export interface FaultHook {
  /** Which rule, if any, hits this call. Runs on every call: must be cheap. */
  decide(call: CallDescriptor): FaultDecision | undefined;
  /** The transport changes that apply `decision` to an http/https request. Reports the fault as injected. */
  planHttp(decision: FaultDecision, call: OutgoingCall): HttpFaultPlan;
  /**
   * Applies `decision` to one undici dispatch: answers the handler itself, or
   * calls `dispatch` (the real one) later or with a wrapped handler.
   */
  dispatchUndici(
    decision: FaultDecision,
    call: OutgoingCall,
    dispatch: UndiciDispatch,
    opts: UndiciDispatchOptions,
    handler: UndiciHandler,
  ): boolean;
  /**
   * Applies `decision` to a request undici has already made (one through a
   * dispatcher of the function's own, seen on undici's diagnostics channel):
   * returns the handler to put in place of `handler`, the request's own.
   */
  faultUndiciRequest(decision: FaultDecision, call: OutgoingCall, opts: UndiciDispatchOptions, handler: UndiciHandler): UndiciHandler;
  /** Applies `decision` to one HTTP/2 request: the stream the caller gets in place of the real one. */
  requestHttp2(decision: FaultDecision, call: OutgoingCall, request: Http2Request): ClientHttp2Stream;
}

/** What installOutgoingInstrumentation accepts: a hook, or a getter looked up per call (chaos may start after init). */
export type FaultHookSource = FaultHook | (() => FaultHook | undefined) | undefined;

type Forward = (...args: unknown[]) => unknown;

/** Calls `inner[name]` with `inner` as `this`, if it has one (undici checks optional callbacks by presence). */
export function forward(inner: UndiciHandler, name: string, args: unknown[]): unknown {
  const fn = inner[name];
  return typeof fn === 'function' ? Reflect.apply(fn as Forward, inner, args) : undefined;
}
