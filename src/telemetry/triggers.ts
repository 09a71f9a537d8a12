// What invoked the function, read from the event alone: the trigger type, the
// HTTP request's semantic-convention attributes (the other triggers' are in
// triggerAttributes.ts), and the parent trace context. Pure and cheap — called
// once per invocation — and never throws for any JSON value (what Lambda hands a
// handler): the agent must not hurt the function.
import {
  activemqMessageCarrier,
  asObject,
  asString,
  dynamodbRecordCarrier,
  eventBridgeCarrier,
  headerValue,
  httpHeaderCarrier,
  kafkaRecordCarrier,
  kinesisRecordCarrier,
  rabbitmqMessageCarrier,
  snsRecordCarrier,
  sqsRecordCarrier,
  sqsRecordXRayHeader,
  sqsRecordXRayTraceparent,
  type RecordCarrier,
  type TraceCarrier,
} from './carriers.js';
import { parseXRayHeader, xrayToTraceparent, type XRayHeader } from './xray.js';
import { DEFAULT_REDACTOR, type QueryRedactor } from './redact.js';

export type { RecordCarrier, TraceCarrier } from './carriers.js';

export type TriggerSource =
  | 'apigateway-v1'
  | 'apigateway-v2'
  | 'apigateway-websocket'
  | 'alb'
  | 'function-url'
  | 'vpc-lattice-v1'
  | 'vpc-lattice-v2'
  | 'sqs'
  | 'sns'
  | 'eventbridge'
  | 'kinesis'
  | 'kinesis-firehose'
  | 'kafka-msk'
  | 'kafka-self-managed'
  | 'mq-activemq'
  | 'mq-rabbitmq'
  | 'cloudwatch-logs'
  | 'ses'
  | 'dynamodb-stream'
  | 's3'
  | 'codecommit'
  | 'schedule'
  | 's3-batch'
  | 'cognito'
  | 'cloudformation-custom-resource'
  | 'secretsmanager-rotation'
  | 'config-rule'
  | 'lex'
  | 'alexa'
  | 'iot-button'
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

// One frozen value per source: detection allocates nothing. Span kinds after the
// OpenTelemetry AWS Lambda conventions: SERVER unless stated otherwise, CONSUMER for
// the sources that hand over messages (the messaging `process` span).
export const TRIGGERS: { readonly [S in TriggerSource]: TriggerInfo } = Object.freeze({
  'apigateway-v1': info('apigateway-v1', 'http', 'SERVER'),
  'apigateway-v2': info('apigateway-v2', 'http', 'SERVER'),
  'apigateway-websocket': info('apigateway-websocket', 'http', 'SERVER'),
  alb: info('alb', 'http', 'SERVER'),
  'function-url': info('function-url', 'http', 'SERVER'),
  'vpc-lattice-v1': info('vpc-lattice-v1', 'http', 'SERVER'),
  'vpc-lattice-v2': info('vpc-lattice-v2', 'http', 'SERVER'),
  sqs: info('sqs', 'pubsub', 'CONSUMER'),
  sns: info('sns', 'pubsub', 'CONSUMER'),
  eventbridge: info('eventbridge', 'pubsub', 'CONSUMER'),
  kinesis: info('kinesis', 'pubsub', 'CONSUMER'),
  'kinesis-firehose': info('kinesis-firehose', 'pubsub', 'CONSUMER'),
  'kafka-msk': info('kafka-msk', 'pubsub', 'CONSUMER'),
  'kafka-self-managed': info('kafka-self-managed', 'pubsub', 'CONSUMER'),
  'mq-activemq': info('mq-activemq', 'pubsub', 'CONSUMER'),
  'mq-rabbitmq': info('mq-rabbitmq', 'pubsub', 'CONSUMER'),
  'cloudwatch-logs': info('cloudwatch-logs', 'pubsub', 'CONSUMER'),
  ses: info('ses', 'pubsub', 'CONSUMER'),
  'dynamodb-stream': info('dynamodb-stream', 'datasource', 'SERVER'),
  s3: info('s3', 'datasource', 'SERVER'),
  codecommit: info('codecommit', 'datasource', 'SERVER'),
  schedule: info('schedule', 'timer', 'SERVER'),
  's3-batch': info('s3-batch', 'other', 'SERVER'),
  cognito: info('cognito', 'other', 'SERVER'),
  'cloudformation-custom-resource': info('cloudformation-custom-resource', 'other', 'SERVER'),
  'secretsmanager-rotation': info('secretsmanager-rotation', 'other', 'SERVER'),
  'config-rule': info('config-rule', 'other', 'SERVER'),
  lex: info('lex', 'other', 'SERVER'),
  alexa: info('alexa', 'other', 'SERVER'),
  'iot-button': info('iot-button', 'other', 'SERVER'),
  other: info('other', 'other', 'SERVER'),
});

const FUNCTION_URL_DOMAIN = '.lambda-url.';

/**
 * The trigger of an invocation, from the event's shape (the shapes of the AWS Lambda
 * developer guide's sample events; test/fixtures/events/README.md lists a sample of each):
 * - `Records[0].eventSource` (`EventSource` for SNS) names SQS, SNS, Kinesis, DynamoDB
 *   streams, S3, CodeCommit and SES;
 * - a top-level `eventSource` names Kafka (MSK, self-managed) and Amazon MQ (ActiveMQ, RabbitMQ);
 * - `requestContext.elb` is an ALB request; `requestContext.eventType` with a
 *   `connectionId` an API Gateway WebSocket event; `requestContext.serviceArn` a VPC
 *   Lattice (v2) request; `requestContext.http` (payload 2.0) is an HTTP API, or a
 *   function URL when the domain is `<id>.lambda-url.<region>.on.aws`; `httpMethod` with
 *   `requestContext` is a REST API (payload 1.0); `raw_path` with `method` VPC Lattice v1;
 * - `detail-type` + `source` is EventBridge, and `Scheduled Event` from `aws.events` or
 *   `aws.scheduler` a schedule;
 * - the rest by the fields their service always sends (`awslogs.data`, `deliveryStreamArn`,
 *   `triggerSource` + `userPoolId`, `RequestType` + `ResponseURL`, …).
 * Anything else (direct invocations, strings, null, arrays) is `other`.
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
      case 'aws:codecommit':
        return TRIGGERS.codecommit;
      case 'aws:ses':
        return TRIGGERS.ses;
      default:
        return TRIGGERS.other;
    }
  }

  switch (e.eventSource) {
    case 'aws:kafka':
      return asObject(e.records) !== undefined ? TRIGGERS['kafka-msk'] : TRIGGERS.other;
    case 'aws:SelfManagedKafka':
      return asObject(e.records) !== undefined ? TRIGGERS['kafka-self-managed'] : TRIGGERS.other;
    case 'aws:mq':
      return Array.isArray(e.messages) ? TRIGGERS['mq-activemq'] : TRIGGERS.other;
    case 'aws:rmq':
      return asObject(e.rmqMessagesByQueue) !== undefined ? TRIGGERS['mq-rabbitmq'] : TRIGGERS.other;
  }

  const rc = asObject(e.requestContext);
  if (rc !== undefined) {
    if (rc.elb !== undefined) return TRIGGERS.alb;
    if (typeof rc.eventType === 'string' && typeof rc.connectionId === 'string') return TRIGGERS['apigateway-websocket'];
    if (typeof rc.serviceArn === 'string' && typeof e.method === 'string') return TRIGGERS['vpc-lattice-v2'];
    if (asObject(rc.http) !== undefined) {
      const domain = asString(rc.domainName);
      return domain !== undefined && domain.includes(FUNCTION_URL_DOMAIN) ? TRIGGERS['function-url'] : TRIGGERS['apigateway-v2'];
    }
    if (typeof e.httpMethod === 'string') return TRIGGERS['apigateway-v1'];
    return TRIGGERS.other;
  }
  if (typeof e.raw_path === 'string' && typeof e.method === 'string') return TRIGGERS['vpc-lattice-v1'];

  if (typeof e['detail-type'] === 'string' && typeof e.source === 'string') {
    return e['detail-type'] === 'Scheduled Event' && (e.source === 'aws.events' || e.source === 'aws.scheduler')
      ? TRIGGERS.schedule
      : TRIGGERS.eventbridge;
  }
  return detectByFields(e);
}

/** The triggers recognised by the fields their service always sends. */
function detectByFields(e: Record<string, unknown>): TriggerInfo {
  if (typeof asObject(e.awslogs)?.data === 'string') return TRIGGERS['cloudwatch-logs'];
  if (typeof e.deliveryStreamArn === 'string' && Array.isArray(e.records)) return TRIGGERS['kinesis-firehose'];
  if (typeof e.invocationSchemaVersion === 'string' && Array.isArray(e.tasks) && asObject(e.job) !== undefined) return TRIGGERS['s3-batch'];
  if (typeof e.triggerSource === 'string' && typeof e.userPoolId === 'string') return TRIGGERS.cognito;
  if (typeof e.RequestType === 'string' && typeof e.ResponseURL === 'string' && typeof e.StackId === 'string') {
    return TRIGGERS['cloudformation-custom-resource'];
  }
  if (typeof e.Step === 'string' && typeof e.SecretId === 'string' && typeof e.ClientRequestToken === 'string') {
    return TRIGGERS['secretsmanager-rotation'];
  }
  if (typeof e.configRuleArn === 'string' && typeof e.invokingEvent === 'string') return TRIGGERS['config-rule'];
  const bot = asObject(e.bot);
  if (bot !== undefined && (asObject(e.currentIntent) !== undefined || asObject(e.sessionState) !== undefined)) return TRIGGERS.lex;
  if (typeof asObject(e.request)?.type === 'string' && asObject(asObject(e.context)?.System) !== undefined) return TRIGGERS.alexa;
  if (typeof e.serialNumber === 'string' && typeof e.clickType === 'string') return TRIGGERS['iot-button'];
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
 *     DynamoDB-stream / Kafka / Amazon MQ: the first record's (see carriers.ts for where each is
 *     read); EventBridge: `detail.traceparent`;
 *  2. X-Ray: the HTTP `X-Amzn-Trace-Id` header, an SQS first record's
 *     `AWSTraceHeader`, then `xrayHeader`, then `xrayEnv` — as a traceparent.
 * An event X-Ray header with a `Root` but no `Parent` (what ALB and API Gateway
 * send when the caller did not trace) names the trace but no span: unless the
 * runtime's own X-Ray context is a span of that same trace, the carrier then
 * holds `rootTraceId`, the trace the invocation's span starts as the root of.
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
  const header = eventXRayHeader(event, trigger);
  let traceparent = xrayToTraceparent(header);
  let rootTraceId: string | undefined;
  if (traceparent === undefined) {
    const runtime = xrayToTraceparent(env.xrayHeader) ?? xrayToTraceparent(env.xrayEnv);
    // A traceparent's trace id sits at characters 3..35.
    if (header !== undefined && (runtime === undefined || runtime.slice(3, 35) !== header.traceId)) rootTraceId = header.traceId;
    else traceparent = runtime;
  }
  const baggage = fromEvent?.baggage;
  if (traceparent !== undefined) return baggage === undefined ? { traceparent } : { traceparent, baggage };
  if (rootTraceId !== undefined) return baggage === undefined ? { rootTraceId } : { rootTraceId, baggage };
  return fromEvent;
}

function eventCarrier(event: unknown, trigger: TriggerInfo): TraceCarrier | undefined {
  const e = asObject(event);
  if (e === undefined) return undefined;
  switch (trigger.source) {
    case 'apigateway-v1':
    case 'apigateway-v2':
    case 'apigateway-websocket':
    case 'alb':
    case 'function-url':
    case 'vpc-lattice-v1':
    case 'vpc-lattice-v2':
      return httpHeaderCarrier(e);
    case 'sqs':
      return sqsRecordCarrier(firstRecord(e));
    case 'sns':
      return snsRecordCarrier(firstRecord(e));
    case 'kinesis':
      return kinesisRecordCarrier(firstRecord(e));
    case 'dynamodb-stream':
      return dynamodbRecordCarrier(firstRecord(e));
    case 'kafka-msk':
    case 'kafka-self-managed':
      return kafkaRecordCarrier(firstGrouped(e.records));
    case 'mq-activemq':
      return activemqMessageCarrier(Array.isArray(e.messages) ? e.messages[0] : undefined);
    case 'mq-rabbitmq':
      return rabbitmqMessageCarrier(firstGrouped(e.rmqMessagesByQueue));
    case 'eventbridge':
      return eventBridgeCarrier(e);
    default:
      return undefined;
  }
}

function eventXRayHeader(event: unknown, trigger: TriggerInfo): XRayHeader | undefined {
  const e = asObject(event);
  if (e === undefined) return undefined;
  let raw: string | undefined;
  if (trigger.faasTrigger === 'http') raw = headerValue(e, 'x-amzn-trace-id');
  else if (trigger.source === 'sqs') raw = sqsRecordXRayHeader(firstRecord(e));
  return raw === undefined ? undefined : parseXRayHeader(raw);
}

/** The first record of an event that groups its records in lists (Kafka by topic-partition, RabbitMQ by queue). */
function firstGrouped(groups: unknown): unknown {
  const byKey = asObject(groups);
  if (byKey === undefined) return undefined;
  for (const key in byKey) {
    const list = byKey[key];
    if (Array.isArray(list) && list.length > 0) return list[0];
  }
  return undefined;
}

/** Every record of such an event, group after group. */
function groupedRecords(groups: unknown): unknown[] {
  const out: unknown[] = [];
  const byKey = asObject(groups);
  if (byKey === undefined) return out;
  for (const key in byKey) {
    const list = byKey[key];
    if (Array.isArray(list)) for (const record of list) out.push(record);
  }
  return out;
}

function firstRecord(e: Record<string, unknown>): unknown {
  return Array.isArray(e.Records) ? e.Records[0] : undefined;
}

/** At most this many links: OpenTelemetry's default span link limit, beyond which the SDK drops them anyway. */
export const MAX_RECORD_LINKS = 128;

const NO_LINKS: readonly RecordCarrier[] = Object.freeze([]);

/**
 * One carrier per record of an SQS / SNS / Kinesis / DynamoDB-stream / Kafka / Amazon MQ event
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
    case 'kafka-msk':
    case 'kafka-self-managed':
      read = kafkaRecordCarrier;
      break;
    case 'mq-activemq':
      read = activemqMessageCarrier;
      break;
    case 'mq-rabbitmq':
      read = rabbitmqMessageCarrier;
      break;
    default:
      return NO_LINKS;
  }
  const e = asObject(event);
  let records: unknown;
  if (e !== undefined) {
    if (trigger.source === 'kafka-msk' || trigger.source === 'kafka-self-managed') records = groupedRecords(e.records);
    else if (trigger.source === 'mq-rabbitmq') records = groupedRecords(e.rmqMessagesByQueue);
    else if (trigger.source === 'mq-activemq') records = e.messages;
    else records = e.Records;
  }
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
