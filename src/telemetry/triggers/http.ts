// The HTTP side of an HTTP-triggered invocation, read from its event: the OpenTelemetry
// HTTP server attributes, the status the caller gets for a handler result, and the request
// headers. Pure, never throws for any JSON value.
import { asObject, asString, headerValue } from '../propagation/carriers.js';
import { DEFAULT_REDACTOR, type QueryRedactor } from '../redaction/redact.js';
import { detectTrigger, type TriggerInfo } from './detect.js';

export type HttpAttributes = Record<string, string | number>;

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * The OpenTelemetry HTTP server attributes of an HTTP-triggered invocation:
 * `http.request.method`, `url.path`, `url.query`, `url.scheme`, `server.address`,
 * `server.port`, `http.route`, `user_agent.original`, `client.address`,
 * `network.protocol.version` — each only when the event has it. Empty for
 * other triggers. Query values under sensitive names are `REDACTED`.
 */
export function httpAttributes(
  event: unknown,
  trigger: TriggerInfo = detectTrigger(event),
  redactor: QueryRedactor = DEFAULT_REDACTOR,
): HttpAttributes {
  const attrs: HttpAttributes = {};
  const e = asObject(event);
  if (e === undefined || trigger.faasTrigger !== 'http') return attrs;
  const rc = asObject(e.requestContext);

  let method: string | undefined;
  let path: string | undefined;
  let query: string | undefined;
  let scheme: string;
  let host: string | undefined;
  let route: string | undefined;
  let userAgent: string | undefined;
  let client: string | undefined;
  let protocol: string | undefined;

  if (trigger.source === 'apigateway-v2' || trigger.source === 'function-url') {
    const http = asObject(rc?.http);
    method = asString(http?.method);
    path = asString(e.rawPath) ?? asString(http?.path);
    query = asString(e.rawQueryString);
    scheme = 'https';
    host = asString(rc?.domainName) ?? headerValue(e, 'host');
    const routeKey = asString(e.routeKey) ?? asString(rc?.routeKey);
    if (routeKey !== undefined && routeKey !== '$default') {
      const space = routeKey.indexOf(' ');
      route = space === -1 ? routeKey : routeKey.slice(space + 1);
      if (route === '$default') route = undefined;
    }
    userAgent = asString(http?.userAgent) ?? headerValue(e, 'user-agent');
    client = asString(http?.sourceIp);
    protocol = asString(http?.protocol);
  } else if (trigger.source === 'apigateway-v1') {
    const identity = asObject(rc?.identity);
    method = asString(e.httpMethod);
    path = asString(e.path);
    // REST APIs hand over decoded parameters: encode them back.
    query = queryFromParameters(e, true);
    scheme = headerValue(e, 'x-forwarded-proto') ?? 'https';
    host = asString(rc?.domainName) ?? headerValue(e, 'host');
    route = asString(e.resource) ?? asString(rc?.resourcePath);
    userAgent = asString(identity?.userAgent) ?? headerValue(e, 'user-agent');
    client = asString(identity?.sourceIp);
    protocol = asString(rc?.protocol);
  } else if (trigger.source === 'apigateway-websocket') {
    // A WebSocket API hands over the upgrade request ($connect) or a frame: the route key
    // is the route; only $connect is an HTTP request (a GET) with headers and a query.
    // Clients connect to wss://<domain>/<stage>: the stage is the path.
    const identity = asObject(rc?.identity);
    if (rc?.eventType === 'CONNECT') {
      method = 'GET';
      query = queryFromParameters(e, true);
    }
    const stage = asString(rc?.stage);
    if (stage !== undefined && stage !== '') path = `/${stage}`;
    scheme = 'wss';
    host = asString(rc?.domainName) ?? headerValue(e, 'host');
    route = asString(rc?.routeKey);
    userAgent = asString(identity?.userAgent) ?? headerValue(e, 'user-agent');
    client = asString(identity?.sourceIp);
  } else if (trigger.source === 'vpc-lattice-v1' || trigger.source === 'vpc-lattice-v2') {
    const v1 = trigger.source === 'vpc-lattice-v1';
    method = asString(e.method);
    path = asString(v1 ? e.raw_path : e.path);
    const q = path?.indexOf('?') ?? -1;
    if (path !== undefined && q !== -1) {
      query = path.slice(q + 1);
      path = path.slice(0, q);
    } else {
      query = queryFromMap(asObject(v1 ? e.query_string_parameters : e.queryStringParameters));
    }
    scheme = headerValue(e, 'x-forwarded-proto') ?? 'https';
    host = headerValue(e, 'host');
    userAgent = headerValue(e, 'user-agent');
    client = firstForwardedFor(headerValue(e, 'x-forwarded-for'));
  } else {
    // ALB passes parameters as the client sent them (still encoded).
    method = asString(e.httpMethod);
    path = asString(e.path);
    query = queryFromParameters(e, false);
    scheme = headerValue(e, 'x-forwarded-proto') ?? 'http';
    host = headerValue(e, 'host');
    userAgent = headerValue(e, 'user-agent');
    client = firstForwardedFor(headerValue(e, 'x-forwarded-for'));
  }

  if (method !== undefined) {
    const upper = method.toUpperCase();
    if (KNOWN_METHODS.has(upper)) attrs['http.request.method'] = upper;
    else {
      attrs['http.request.method'] = '_OTHER';
      attrs['http.request.method_original'] = method;
    }
  }
  if (path !== undefined && path !== '') attrs['url.path'] = path;
  if (query !== undefined && query !== '') attrs['url.query'] = redactor.redactQuery(query);
  attrs['url.scheme'] = scheme.toLowerCase();
  if (host !== undefined) {
    const { address, port } = splitHostPort(host);
    if (address !== '') attrs['server.address'] = address;
    const fwdPort = port ?? toPort(headerValue(e, 'x-forwarded-port'));
    if (fwdPort !== undefined) attrs['server.port'] = fwdPort;
  }
  if (route !== undefined && route !== '') attrs['http.route'] = route;
  if (userAgent !== undefined && userAgent !== '') attrs['user_agent.original'] = userAgent;
  if (client !== undefined && client !== '') attrs['client.address'] = client;
  const version = protocolVersion(protocol);
  if (version !== undefined) attrs['network.protocol.version'] = version;
  return attrs;
}

function queryFromParameters(e: Record<string, unknown>, encode: boolean): string | undefined {
  const enc = encode ? encodeURIComponent : (s: string) => s;
  const multi = asObject(e.multiValueQueryStringParameters);
  let out = '';
  if (multi !== undefined) {
    for (const key in multi) {
      const values = multi[key];
      if (!Array.isArray(values)) continue;
      for (const v of values) if (typeof v === 'string') out += `${out === '' ? '' : '&'}${enc(key)}=${enc(v)}`;
    }
    return out;
  }
  const single = asObject(e.queryStringParameters);
  if (single === undefined) return undefined;
  for (const key in single) {
    const v = single[key];
    if (typeof v === 'string') out += `${out === '' ? '' : '&'}${enc(key)}=${enc(v)}`;
  }
  return out;
}

/** A query from a map of decoded parameters whose values are strings or lists of strings (VPC Lattice). */
function queryFromMap(map: Record<string, unknown> | undefined): string | undefined {
  if (map === undefined) return undefined;
  let out = '';
  for (const key in map) {
    const v = map[key];
    const values = Array.isArray(v) ? v : [v];
    for (const one of values) {
      if (typeof one === 'string') out += `${out === '' ? '' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(one)}`;
    }
  }
  return out;
}

function splitHostPort(host: string): { address: string; port: number | undefined } {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) return { address: host, port: undefined };
    return { address: host.slice(1, close), port: host[close + 1] === ':' ? toPort(host.slice(close + 2)) : undefined };
  }
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.indexOf(':') !== colon) return { address: host, port: undefined };
  return { address: host.slice(0, colon), port: toPort(host.slice(colon + 1)) };
}

function toPort(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

function firstForwardedFor(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}

/** `HTTP/1.1` → `1.1`, `HTTP/2.0` → `2`. */
function protocolVersion(protocol: string | undefined): string | undefined {
  if (protocol === undefined || !protocol.toUpperCase().startsWith('HTTP/')) return undefined;
  const v = protocol.slice(5);
  if (v === '') return undefined;
  return v.endsWith('.0') && v !== '1.0' ? v.slice(0, -2) : v;
}

/**
 * The HTTP status the caller gets for a handler result. An object with a
 * `statusCode` (number or numeric string) gives that. Without one, HTTP APIs
 * (payload 2.0) and function URLs answer 200 with the result as the body —
 * also for strings, numbers and nothing at all; REST APIs and ALB answer 502
 * (malformed proxy response). Pass the trigger so the right rule applies;
 * without it the payload 2.0 rule is used.
 */
export function httpStatusFromResult(result: unknown, trigger?: TriggerInfo): number | undefined {
  const r = asObject(result);
  if (r !== undefined && r.statusCode !== undefined) {
    const code = typeof r.statusCode === 'number' ? r.statusCode : typeof r.statusCode === 'string' ? Number(r.statusCode) : NaN;
    return Number.isInteger(code) && code >= 100 && code <= 599 ? code : 502;
  }
  if (trigger === undefined || trigger.source === 'apigateway-v2' || trigger.source === 'function-url') return 200;
  if (trigger.source === 'apigateway-v1' || trigger.source === 'alb') return 502;
  return undefined;
}

/**
 * The HTTP trigger's request headers with lower-case keys (multi-value headers
 * joined with `,`), or undefined for other triggers. The result is frozen and
 * cached per event object, so repeated calls in one invocation (sticky chaos
 * keys are read per outgoing call) cost one lookup.
 */
export function headersOf(event: unknown, trigger: TriggerInfo = detectTrigger(event)): Readonly<Record<string, string>> | undefined {
  const e = asObject(event);
  if (e === undefined || trigger.faasTrigger !== 'http') return undefined;
  const cached = headersCache.get(e);
  if (cached !== undefined) return cached;
  const out: Record<string, string> = {};
  const single = asObject(e.headers);
  if (single !== undefined) {
    for (const key in single) {
      const v = single[key];
      if (typeof v === 'string') out[key.toLowerCase()] = v;
      else if (Array.isArray(v)) {
        // VPC Lattice v2 sends every header as a list of values.
        const strings = v.filter((s): s is string => typeof s === 'string');
        if (strings.length > 0) out[key.toLowerCase()] = strings.join(',');
      }
    }
  }
  const multi = asObject(e.multiValueHeaders);
  if (multi !== undefined) {
    for (const key in multi) {
      const values = multi[key];
      if (!Array.isArray(values)) continue;
      const strings = values.filter((v): v is string => typeof v === 'string');
      if (strings.length > 0) out[key.toLowerCase()] = strings.join(',');
    }
  }
  // Payload 2.0 moves cookies out of the headers into `cookies`.
  if (out.cookie === undefined && Array.isArray(e.cookies)) {
    const cookies = e.cookies.filter((c): c is string => typeof c === 'string');
    if (cookies.length > 0) out.cookie = cookies.join('; ');
  }
  const frozen = Object.freeze(out);
  headersCache.set(e, frozen);
  return frozen;
}

// Keyed weakly by the event: an entry lives exactly as long as its invocation's event.
const headersCache = new WeakMap<object, Readonly<Record<string, string>>>();
