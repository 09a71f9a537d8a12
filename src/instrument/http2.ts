// Outgoing calls through node:http2 client sessions (`http2.connect`, then
// `session.request`), the transport of the AWS SDK v3 clients whose default
// handler is NodeHttp2Handler (Kinesis, the bidirectional streaming APIs): a
// client span per request with the attributes of the HTTP/1 spans, trace
// headers on the request, and the fault hook asked once per request. The
// module is instrumented when the function loads it (builtinWatch.ts); each
// session's `request` is wrapped when `connect` makes the session.
import type { ClientHttp2Session, ClientHttp2Stream, ClientSessionRequestOptions, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';
import type { Context, TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { frames } from '../invocationState.js';
import { awsCallOf, headerValue, type AwsCall, type HeaderBag } from './awsCall.js';
import { endClientSpan, recordError, recordResponse, startClientSpan, type ClientSpan } from './clientSpan.js';
import type { InstrumentationDeps } from './deps.js';
import { descriptorOf, type FaultHook, type OutgoingCall } from '../seam.js';
import { whenBuiltinLoaded } from './builtinWatch.js';
import { lowerCaseHeaders } from './http.js';
import { injectTraceHeaders } from './traceHeaders.js';

type ConnectFn = (...args: unknown[]) => ClientHttp2Session;
type RequestFn = (headers?: OutgoingHttpHeaders, options?: ClientSessionRequestOptions) => ClientHttp2Stream;

/** Where a session goes, from `connect`'s authority. */
export interface Http2Origin {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
}

/** Sessions repeat their authority (the AWS SDK connects per request to one endpoint): the last one parsed. */
let lastAuthority: { text: string; origin: Http2Origin | undefined } | undefined;

/** The origin of `http2.connect(authority)` as Node resolves it (https: and 443 unless the URL says otherwise). */
export function http2OriginOf(authority: unknown): Http2Origin | undefined {
  if (typeof authority === 'string') {
    if (lastAuthority?.text === authority) return lastAuthority.origin;
    let origin: Http2Origin | undefined;
    try {
      origin = originOfUrl(new URL(authority));
    } catch {
      origin = undefined; // connect throws on it itself
    }
    lastAuthority = { text: authority, origin };
    return origin;
  }
  if (authority !== null && typeof authority === 'object') return originOfUrl(authority as Partial<URL>);
  return undefined;
}

function originOfUrl(url: Partial<URL>): Http2Origin {
  const protocol = url.protocol !== undefined && url.protocol !== '' ? url.protocol : 'https:';
  let host = url.hostname !== undefined && url.hostname !== '' ? url.hostname : (url.host ?? 'localhost');
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = url.port !== undefined && url.port !== '' ? Number(url.port) : protocol === 'http:' ? 80 : 443;
  return { protocol, host, port };
}

const headerSetter: TextMapSetter<Record<string, unknown>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

/**
 * The headers to send: the caller's, with lower-case names (HTTP/2 sends
 * them so), the trace headers of `cs`, and the caller's symbol-keyed entries
 * (node:http2's sensitiveHeaders). The caller's object is not changed.
 */
function headersToSend(headers: OutgoingHttpHeaders, bag: HeaderBag, ctx: Context, cs: ClientSpan, direct: boolean): OutgoingHttpHeaders {
  // Copied key by key: V8 takes microseconds to add a key to a spread copy of an object with pseudo-header keys.
  const sent: Record<string | symbol, unknown> = {};
  const keys = Object.keys(bag);
  for (let i = 0; i < keys.length; i++) sent[keys[i]!] = bag[keys[i]!];
  const symbols = Object.getOwnPropertySymbols(headers);
  for (let i = 0; i < symbols.length; i++) sent[symbols[i]!] = (headers as Record<symbol, unknown>)[symbols[i]!];
  injectTraceHeaders(ctx, cs.span, sent as Record<string, unknown>, headerSetter, direct);
  return sent as OutgoingHttpHeaders;
}

const CLOSED_BEFORE_RESPONSE = 'HTTP/2 stream closed before a response';

/**
 * Records the stream's outcome on the span by watching what it emits (no
 * listeners of our own: an 'error' listener would change what an unhandled
 * stream error does to the function).
 */
function observe(stream: ClientHttp2Stream, cs: ClientSpan, isAws: boolean): void {
  const emit = stream.emit;
  let responded = false;
  stream.emit = function (this: ClientHttp2Stream, event: string | symbol) {
    if (event === 'response') {
      responded = true;
      const headers = arguments[1] as IncomingHttpHeaders;
      recordResponse(cs, Number(headers[':status'] ?? 0), headers as HeaderBag, isAws);
    } else if (event === 'end') {
      endClientSpan(cs);
    } else if (event === 'error') {
      recordError(cs, arguments[1]);
      endClientSpan(cs);
    } else if (event === 'close') {
      if (!responded) {
        const code = this.rstCode === 8 ? 'ERR_HTTP2_STREAM_CANCEL' : 'ERR_HTTP2_STREAM_ERROR';
        recordError(cs, Object.assign(new Error(`${CLOSED_BEFORE_RESPONSE} (code ${String(this.rstCode)})`), { code }));
      }
      endClientSpan(cs);
    }
    return Reflect.apply(emit, this, arguments) as boolean;
  } as typeof stream.emit;
}

/** Asks the hook about a request; the stream it answers with, or undefined to make the request as it is. */
function faulted(
  hook: FaultHook,
  call: Omit<OutgoingCall, 'descriptor'>,
  session: ClientHttp2Session,
  sent: OutgoingHttpHeaders,
  options: ClientSessionRequestOptions | undefined,
  open: () => ClientHttp2Stream,
): { stream: ClientHttp2Stream | undefined; opened: ClientHttp2Stream | undefined } {
  let opened: ClientHttp2Stream | undefined;
  try {
    const descriptor = descriptorOf(call.host, call.path, call.aws);
    const decision = hook.decide(descriptor);
    if (decision === undefined) return { stream: undefined, opened };
    const stream = hook.requestHttp2(decision, { ...call, descriptor }, { session, headers: sent, options, open: () => (opened = open()) });
    return { stream, opened };
  } catch {
    // a broken hook never breaks the call: the real request, made once
    return { stream: undefined, opened };
  }
}

export function wrapSessionRequest(original: RequestFn, origin: Http2Origin, deps: InstrumentationDeps): RequestFn {
  return function request(this: ClientHttp2Session, headers?: OutgoingHttpHeaders, options?: ClientSessionRequestOptions): ClientHttp2Stream {
    const hook = deps.faultHook();
    const tracer = deps.tracer;
    // Raw header lists (newer Node) and other shapes go out untouched.
    if ((tracer === undefined && hook === undefined) || (headers !== undefined && (headers === null || typeof headers !== 'object' || Array.isArray(headers)))) {
      return Reflect.apply(original, this, arguments) as ClientHttp2Stream;
    }
    const frame = frames.getStore();
    const ctx = deps.activeContext(frame);
    if (isTracingSuppressed(ctx)) return Reflect.apply(original, this, arguments) as ClientHttp2Stream;

    const given = headers ?? {};
    const bag = lowerCaseHeaders(given);
    const method = (headerValue(bag, ':method') ?? 'GET').toUpperCase();
    const path = headerValue(bag, ':path') ?? '/';
    const { protocol, host, port } = origin;
    const aws: AwsCall | undefined = awsCallOf({ host, method, path, headers: bag });
    let cs: ClientSpan | undefined;
    let sent: OutgoingHttpHeaders = given;
    if (tracer !== undefined) {
      cs = startClientSpan(tracer, ctx, { protocol, host, port, method, path }, aws, deps.redactor, frame?.invocation);
      cs.span.setAttribute('network.protocol.version', '2');
      try {
        sent = headersToSend(given, bag, ctx, cs, deps.directW3c);
      } catch {
        sent = given; // a propagator that throws: no trace headers
      }
    }
    const session = this;
    const open = () => Reflect.apply(original, session, options === undefined ? [sent] : [sent, options]) as ClientHttp2Stream;

    let stream: ClientHttp2Stream | undefined;
    let opened: ClientHttp2Stream | undefined;
    try {
      if (hook !== undefined) ({ stream, opened } = faulted(hook, { transport: 'http2', protocol, host, port, method, path, headers: bag, aws, span: cs?.span }, session, sent, options, open));
      stream ??= opened ?? open();
    } catch (err) {
      if (cs !== undefined) {
        recordError(cs, err);
        endClientSpan(cs);
      }
      throw err;
    }
    if (cs !== undefined) observe(stream, cs, aws !== undefined);
    return stream;
  };
}

/** Wraps `request` of a session `connect` made; a session whose authority is not understood is left alone. */
function instrumentSession(session: ClientHttp2Session, authority: unknown, deps: InstrumentationDeps): void {
  const origin = http2OriginOf(authority);
  if (origin === undefined || typeof session?.request !== 'function') return;
  session.request = wrapSessionRequest(session.request, origin, deps);
}

function wrapConnect(original: ConnectFn, deps: InstrumentationDeps): ConnectFn {
  return function connect(this: unknown): ClientHttp2Session {
    const session = Reflect.apply(original, this, arguments) as ClientHttp2Session;
    try {
      instrumentSession(session, arguments[0], deps);
    } catch {
      // instrumentation never fails the caller's connect
    }
    return session;
  };
}

/**
 * Patches `connect` of node:http2 once the function has loaded it (at once
 * when it already has, as every bundled AWS SDK v3 does), for CommonJS and ES
 * module importers alike. Sessions made before stay as they are. Returns the undo.
 */
export function instrumentHttp2(deps: InstrumentationDeps): () => void {
  let patched: { module: { connect: unknown }; connect: unknown } | undefined;
  const stop = whenBuiltinLoaded('http2', (mod) => {
    const m = mod as { connect: ConnectFn };
    patched = { module: m, connect: m.connect };
    m.connect = wrapConnect(m.connect, deps);
    syncBuiltinESMExports();
  });
  return () => {
    stop();
    if (patched !== undefined) {
      patched.module.connect = patched.connect;
      patched = undefined;
      syncBuiltinESMExports();
    }
  };
}
