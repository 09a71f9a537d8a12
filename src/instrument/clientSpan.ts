// Client spans for outgoing calls, the same for both transports: start with
// the request's attributes (docs/telemetry.md), record the response or the
// error, end once, and keep the invocation's set of open spans current.
import { SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { bindSpanToInvocation, type InvocationState } from '../invocationState.js';
import { DEFAULT_REDACTOR, type QueryRedactor } from '../telemetry/redaction/redact.js';
import { AgentTracer } from '../telemetry/tracing/tracer.js';
import { awsRequestId, rpcMethod, rpcServiceName, type AwsCall, type HeaderBag } from './awsCall.js';

/** The agent's redactor: the same query-key list as incoming `url.query` and log fields. */
export type UrlRedactor = QueryRedactor;

/** The last origin built for each host: calls mostly repeat the host they went to last. */
const origins = new Map<string, { protocol: string; port: number; origin: string }>();

function originOf(protocol: string, host: string, port: number): string {
  const last = origins.get(host);
  if (last !== undefined && last.protocol === protocol && last.port === port) return last.origin;
  const defaultPort = protocol === 'https:' ? 443 : 80;
  const origin = `${protocol}//${host.includes(':') ? `[${host}]` : host}${port === defaultPort ? '' : `:${port}`}`;
  if (origins.size < 256 || last !== undefined) origins.set(host, { protocol, port, origin });
  return origin;
}

/** `url.full` without credentials: no user info ever, sensitive query values replaced. */
export function fullUrl(protocol: string, host: string, port: number, path: string, redactor: UrlRedactor | undefined): string {
  const origin = originOf(protocol, host, port);
  const q = path.indexOf('?');
  if (q === -1) return origin + path;
  return `${origin}${path.slice(0, q)}?${(redactor ?? DEFAULT_REDACTOR).redactQuery(path.slice(q + 1))}`;
}

export interface ClientCallInfo {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  readonly method: string;
  readonly path: string;
}

export function clientSpanName(method: string, aws: AwsCall | undefined): string {
  if (aws === undefined) return method;
  const svc = rpcServiceName(aws.service);
  return aws.operation === undefined ? svc : `${svc}.${aws.operation}`;
}

/** A started client span and the invocation it belongs to. */
export interface ClientSpan {
  readonly span: Span;
  readonly invocation: InvocationState | undefined;
  ended: boolean;
}

export function startClientSpan(
  tracer: Tracer,
  ctx: Context,
  info: ClientCallInfo,
  aws: AwsCall | undefined,
  redactor: UrlRedactor | undefined,
  /** The invocation the call belongs to, read by the caller with its context (undefined outside any). */
  invocation: InvocationState | undefined,
): ClientSpan {
  const attributes: Attributes = {
    'http.request.method': info.method,
    'url.full': fullUrl(info.protocol, info.host, info.port, info.path, redactor),
    'server.address': info.host,
    'server.port': info.port,
  };
  let count = 4;
  if (aws !== undefined) {
    // `rpc.system.name` replaced `rpc.system`; the deprecated `rpc.service` is folded into a
    // fully-qualified `rpc.method` (`<Service>/<Operation>`), as the registry asks.
    attributes['rpc.system.name'] = 'aws-api';
    count++;
    if (aws.operation !== undefined) {
      attributes['rpc.method'] = rpcMethod(aws.service, aws.operation);
      count++;
    }
  }
  const name = clientSpanName(info.method, aws);
  const span =
    tracer instanceof AgentTracer
      ? tracer.startClientSpan(name, { attributes, count }, ctx)
      : tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, ctx);
  if (invocation !== undefined) {
    invocation.openSpans.add(span);
    bindSpanToInvocation(span, invocation);
  }
  return { span, invocation, ended: false };
}

/** The operation became known late (query protocol: it is in the body). */
export function nameOperation(cs: ClientSpan, aws: AwsCall): void {
  if (aws.operation === undefined || cs.ended) return;
  cs.span.updateName(clientSpanName('', aws));
  cs.span.setAttribute('rpc.method', rpcMethod(aws.service, aws.operation));
}

export function recordResponse(cs: ClientSpan, statusCode: number, headers: HeaderBag, isAws: boolean): void {
  if (cs.ended) return;
  cs.span.setAttribute('http.response.status_code', statusCode);
  if (isAws) {
    const id = awsRequestId(headers);
    if (id !== undefined) cs.span.setAttribute('aws.request_id', id);
  }
  // Semantic conventions: on CLIENT spans 4xx and 5xx are errors.
  if (statusCode >= 400) {
    cs.span.setAttribute('error.type', String(statusCode));
    cs.span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

/** Codes with which node:http and undici report that the caller aborted the call. */
const ABORT_CODES: ReadonlySet<unknown> = new Set(['ABORT_ERR', 'UND_ERR_ABORTED']);

function isTimeout(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'TimeoutError';
}

/**
 * `error.type` of a failed call: the error's code, else its name. A call the
 * caller aborted is `AbortError` and one an AbortSignal timed out is
 * `TimeoutError` on every transport, whether it reports the signal's reason
 * (a DOMException, whose numeric legacy `code` names nothing) or its own
 * abort error (node:http's ABORT_ERR, whose `cause` is the reason; undici's
 * UND_ERR_ABORTED).
 */
export function errorTypeOf(e: Error): string {
  const code = (e as { code?: unknown }).code;
  if (e.name === 'TimeoutError') return 'TimeoutError';
  if (e.name === 'AbortError' || ABORT_CODES.has(code)) return isTimeout((e as { cause?: unknown }).cause) ? 'TimeoutError' : 'AbortError';
  return typeof code === 'string' && code !== '' ? code : e.name;
}

export function recordError(cs: ClientSpan, err: unknown): void {
  if (cs.ended) return;
  const e = err instanceof Error ? err : new Error(String(err));
  cs.span.recordException(e);
  cs.span.setAttribute('error.type', errorTypeOf(e));
  cs.span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}

export function endClientSpan(cs: ClientSpan): void {
  if (cs.ended) return;
  cs.ended = true;
  cs.span.end();
  cs.invocation?.openSpans.delete(cs.span);
}
