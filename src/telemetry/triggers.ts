// What invoked the function, read from the event alone: the trigger type, the
// HTTP request's semantic-convention attributes, and the parent trace context
// (DESIGN section 4). Pure and cheap — called once per invocation — and never
// throws for any JSON value (what Lambda hands a handler): the agent must not
// hurt the function.
import {
  asObject,
  asString,
  dynamodbRecordCarrier,
  eventBridgeCarrier,
  headerValue,
  httpHeaderCarrier,
  kinesisRecordCarrier,
  snsRecordCarrier,
  sqsRecordCarrier,
  sqsRecordXRayTraceparent,
  type RecordCarrier,
  type TraceCarrier,
} from './carriers.js';
import { xrayToTraceparent } from './xray.js';
import { DEFAULT_REDACTOR, type QueryRedactor } from './redact.js';

export type { RecordCarrier, TraceCarrier } from './carriers.js';

export type TriggerSource =
  | 'apigateway-v1'
  | 'apigateway-v2'
  | 'alb'
  | 'function-url'
  | 'sqs'
  | 'sns'
  | 'eventbridge'
  | 'kinesis'
  | 'dynamodb-stream'
  | 's3'
  | 'schedule'
  | 'other';

/** OpenTelemetry `faas.trigger` values. */
export type FaasTrigger = 'http' | 'pubsub' | 'datasource' | 'timer' | 'other';

export interface TriggerInfo {
  readonly source: TriggerSource;
  readonly faasTrigger: FaasTrigger;
  readonly spanKind: 'SERVER' | 'CONSUMER';
}

function info(source: TriggerSource, faasTrigger: FaasTrigger, spanKind: 'SERVER' | 'CONSUMER'): TriggerInfo {
  return Object.freeze({ source, faasTrigger, spanKind });
}

// One frozen value per source: detection allocates nothing.
export const TRIGGERS: { readonly [S in TriggerSource]: TriggerInfo } = Object.freeze({
  'apigateway-v1': info('apigateway-v1', 'http', 'SERVER'),
  'apigateway-v2': info('apigateway-v2', 'http', 'SERVER'),
  alb: info('alb', 'http', 'SERVER'),
  'function-url': info('function-url', 'http', 'SERVER'),
  sqs: info('sqs', 'pubsub', 'CONSUMER'),
  sns: info('sns', 'pubsub', 'CONSUMER'),
  eventbridge: info('eventbridge', 'pubsub', 'CONSUMER'),
  kinesis: info('kinesis', 'pubsub', 'CONSUMER'),
  'dynamodb-stream': info('dynamodb-stream', 'datasource', 'CONSUMER'),
  s3: info('s3', 'datasource', 'SERVER'),
  schedule: info('schedule', 'timer', 'SERVER'),
  other: info('other', 'other', 'SERVER'),
});

const FUNCTION_URL_DOMAIN = '.lambda-url.';

/**
 * The trigger of an invocation, from the event's shape:
 * - `Records[0].eventSource` (`EventSource` for SNS) names SQS, SNS, Kinesis, DynamoDB streams, S3;
 * - `requestContext.elb` is an ALB request; `requestContext.http` (payload 2.0) is an HTTP API,
 *   or a function URL when the domain is `<id>.lambda-url.<region>.on.aws`; `httpMethod` with
 *   `requestContext` is a REST API (payload 1.0);
 * - `detail-type` + `source` is EventBridge, and `Scheduled Event` from `aws.events` a schedule.
 * Anything else (direct invocations, strings, null, arrays, WebSocket frames) is `other`.
 */
export function detectTrigger(event: unknown): TriggerInfo {
  const e = asObject(event);
  if (e === undefined) return TRIGGERS.other;

  const records = e.Records;
  if (Array.isArray(records)) {
    const first = asObject(records[0]);
    if (first === undefined) return TRIGGERS.other;
    switch (first.eventSource ?? first.EventSource) {
      case 'aws:sqs':
        return TRIGGERS.sqs;
      case 'aws:sns':
        return TRIGGERS.sns;
      case 'aws:kinesis':
        return TRIGGERS.kinesis;
      case 'aws:dynamodb':
        return TRIGGERS['dynamodb-stream'];
      case 'aws:s3':
        return TRIGGERS.s3;
      default:
        return TRIGGERS.other;
    }
  }

  const rc = asObject(e.requestContext);
  if (rc !== undefined) {
    if (rc.elb !== undefined) return TRIGGERS.alb;
    if (asObject(rc.http) !== undefined) {
      const domain = asString(rc.domainName);
      return domain !== undefined && domain.includes(FUNCTION_URL_DOMAIN) ? TRIGGERS['function-url'] : TRIGGERS['apigateway-v2'];
    }
    if (typeof e.httpMethod === 'string') return TRIGGERS['apigateway-v1'];
    return TRIGGERS.other;
  }

  if (typeof e['detail-type'] === 'string' && typeof e.source === 'string') {
    return e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event' ? TRIGGERS.schedule : TRIGGERS.eventbridge;
  }
  return TRIGGERS.other;
}

/**
 * True for the sources that hand the function a batch of records to process
 * (SQS, Kinesis, DynamoDB streams) — the ones where partial batch failures and
 * per-record links apply. SNS and S3 events also hold `Records`, but one each.
 */
export function isTriggerBatch(event: unknown, trigger: TriggerInfo = detectTrigger(event)): boolean {
  return trigger.source === 'sqs' || trigger.source === 'kinesis' || trigger.source === 'dynamodb-stream';
}

// ---------- HTTP ----------

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

// ---------- Context propagation in ----------

export interface XRaySources {
  /** `_X_AMZN_TRACE_ID` (or the runtime's per-invocation trace id store). */
  readonly xrayEnv?: string | undefined;
  /** The `Lambda-Runtime-Trace-Id` the runtime client received with this invocation, when known. */
  readonly xrayHeader?: string | undefined;
}

/**
 * The carrier of the invocation's parent context, to pass to
 * `propagation.extract(ROOT_CONTEXT, carrier)`. In order, the first that holds
 * a valid `traceparent`:
 *  1. the event's W3C context: HTTP headers (any case); SQS / SNS / Kinesis /
 *     DynamoDB-stream: the first record's (see carriers.ts for where each is
 *     read); EventBridge: `detail.traceparent`;
 *  2. X-Ray: the HTTP `X-Amzn-Trace-Id` header, an SQS first record's
 *     `AWSTraceHeader`, then `xrayHeader`, then `xrayEnv` — as a traceparent.
 * `baggage` from the event rides along whichever source gives the trace.
 * Undefined when nothing applies.
 */
export function extractParentCarrier(
  event: unknown,
  env: XRaySources = {},
  trigger: TriggerInfo = detectTrigger(event),
): TraceCarrier | undefined {
  const fromEvent = eventCarrier(event, trigger);
  if (fromEvent?.traceparent !== undefined) return fromEvent;
  const traceparent =
    eventXRayTraceparent(event, trigger) ?? xrayToTraceparent(env.xrayHeader) ?? xrayToTraceparent(env.xrayEnv);
  if (traceparent === undefined) return fromEvent;
  return fromEvent?.baggage === undefined ? { traceparent } : { traceparent, baggage: fromEvent.baggage };
}

function eventCarrier(event: unknown, trigger: TriggerInfo): TraceCarrier | undefined {
  const e = asObject(event);
  if (e === undefined) return undefined;
  switch (trigger.source) {
    case 'apigateway-v1':
    case 'apigateway-v2':
    case 'alb':
    case 'function-url':
      return httpHeaderCarrier(e);
    case 'sqs':
      return sqsRecordCarrier(firstRecord(e));
    case 'sns':
      return snsRecordCarrier(firstRecord(e));
    case 'kinesis':
      return kinesisRecordCarrier(firstRecord(e));
    case 'dynamodb-stream':
      return dynamodbRecordCarrier(firstRecord(e));
    case 'eventbridge':
      return eventBridgeCarrier(e);
    default:
      return undefined;
  }
}

function eventXRayTraceparent(event: unknown, trigger: TriggerInfo): string | undefined {
  const e = asObject(event);
  if (e === undefined) return undefined;
  if (trigger.faasTrigger === 'http') return xrayToTraceparent(headerValue(e, 'x-amzn-trace-id'));
  if (trigger.source === 'sqs') return sqsRecordXRayTraceparent(firstRecord(e));
  return undefined;
}

function firstRecord(e: Record<string, unknown>): unknown {
  return Array.isArray(e.Records) ? e.Records[0] : undefined;
}

/** At most this many links: OpenTelemetry's default span link limit, beyond which the SDK drops them anyway. */
export const MAX_RECORD_LINKS = 128;

const NO_LINKS: readonly RecordCarrier[] = Object.freeze([]);

/**
 * One carrier per record of an SQS / SNS / Kinesis / DynamoDB-stream event
 * that carries a context (records without one are skipped), in record order,
 * at most `limit`. SQS records fall back to their X-Ray `AWSTraceHeader`. The
 * invocation span links to each. Empty for other triggers.
 */
export function recordLinks(
  event: unknown,
  trigger: TriggerInfo = detectTrigger(event),
  limit: number = MAX_RECORD_LINKS,
): readonly RecordCarrier[] {
  let read: ((record: unknown) => TraceCarrier | undefined) | undefined;
  switch (trigger.source) {
    case 'sqs':
      read = sqsRecordCarrier;
      break;
    case 'sns':
      read = snsRecordCarrier;
      break;
    case 'kinesis':
      read = kinesisRecordCarrier;
      break;
    case 'dynamodb-stream':
      read = dynamodbRecordCarrier;
      break;
    default:
      return NO_LINKS;
  }
  const records = asObject(event)?.Records;
  if (!Array.isArray(records)) return NO_LINKS;
  const links: RecordCarrier[] = [];
  for (let i = 0; i < records.length && links.length < limit; i++) {
    const record: unknown = records[i];
    const carrier = read(record);
    if (carrier?.traceparent !== undefined) {
      links.push(
        carrier.tracestate === undefined
          ? { traceparent: carrier.traceparent }
          : { traceparent: carrier.traceparent, tracestate: carrier.tracestate },
      );
      continue;
    }
    if (trigger.source === 'sqs') {
      const traceparent = sqsRecordXRayTraceparent(record);
      if (traceparent !== undefined) links.push({ traceparent });
    }
  }
  return links;
}
