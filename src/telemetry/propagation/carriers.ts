// Where each event shape carries W3C trace context, one pure reader per shape.
// triggers/ decides which reader applies; these only read.
//
// Conventions (the producer writes them; nothing here invents ids):
//   HTTP triggers     `traceparent` / `tracestate` / `baggage` request headers, any case
//   SQS               message attributes `traceparent` / `tracestate` / `baggage` (String);
//                     a body that is an SNS notification envelope (SNS → SQS without raw
//                     delivery) or an EventBridge event (EventBridge → SQS) is read like those;
//                     the system attribute `AWSTraceHeader` (X-Ray form) as the fallback
//   SNS               message attributes `traceparent` / `tracestate` / `baggage` (String)
//   EventBridge       string fields `detail.traceparent` / `detail.tracestate` / `detail.baggage`
//                     (EventBridge does not deliver the PutEvents trace header to targets, so
//                     the context must ride in the event itself)
//   Kinesis           top-level `traceparent` / `tracestate` fields of a JSON record payload
//                     (only payloads up to MAX_DECODED_PAYLOAD bytes are looked into)
//   DynamoDB streams  string attributes `traceparent` / `tracestate` of the record's NewImage
//   Kafka             record headers `traceparent` / `tracestate` / `baggage` (Lambda hands each
//                     header over as `{ "<name>": [<byte>, …] }`)
//   Amazon MQ         ActiveMQ message `properties` / RabbitMQ `basicProperties.headers`
//                     `traceparent` / `tracestate` / `baggage` (RabbitMQ strings arrive as
//                     `{ "bytes": [<byte>, …] }`)
import { xrayToTraceparent } from './xray.js';

/** What `propagation.extract(ROOT_CONTEXT, carrier)` reads. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
  baggage?: string;
  /**
   * Read by no propagator: the trace (32 hex) a caller named without naming a span
   * (X-Ray `Root` without `Parent`), for the invocation's span to start as its root.
   * Only set without `traceparent`.
   */
  rootTraceId?: string;
}

/** One batch record's context, for a span link. */
export interface RecordCarrier {
  readonly traceparent: string;
  readonly tracestate?: string;
}

type Obj = Record<string, unknown>;

export function asObject(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// The W3C trace-context grammar, as OpenTelemetry's W3CTraceContextPropagator
// accepts it, so precedence decisions here match what extract() will take.
const TRACEPARENT = /^\s?([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?\s?$/;
const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

export function isValidTraceparent(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 55 || value.length > 512) return false;
  const m = TRACEPARENT.exec(value);
  if (m === null) return false;
  const version = m[1];
  if (version === 'ff' || (version === '00' && m[5] !== undefined)) return false;
  return m[2] !== ZERO_TRACE_ID && m[3] !== ZERO_SPAN_ID;
}

/** Builds a carrier from three values read from one place; undefined unless one of them is usable. */
function carrierOf(traceparent: unknown, tracestate: unknown, baggage: unknown): TraceCarrier | undefined {
  const tp = isValidTraceparent(traceparent) ? traceparent : undefined;
  const bg = typeof baggage === 'string' && baggage !== '' ? baggage : undefined;
  if (tp === undefined && bg === undefined) return undefined;
  const carrier: TraceCarrier = {};
  if (tp !== undefined) {
    carrier.traceparent = tp;
    if (typeof tracestate === 'string' && tracestate !== '') carrier.tracestate = tracestate;
  }
  if (bg !== undefined) carrier.baggage = bg;
  return carrier;
}

// ---------- HTTP headers ----------

/**
 * A header's value from an event's `headers` (string values, or lists as VPC Lattice v2 sends) or
 * `multiValueHeaders` (first value), matched case-insensitively.
 * `lowerName` must be lower case.
 */
export function headerValue(event: Obj, lowerName: string): string | undefined {
  const headers = asObject(event.headers);
  if (headers !== undefined) {
    const v = lookup(headers, lowerName);
    if (typeof v === 'string') return v;
    // VPC Lattice v2 sends every header as a list of values.
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  const multi = asObject(event.multiValueHeaders);
  if (multi !== undefined) {
    const v = lookup(multi, lowerName);
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

function lookup(map: Obj, lowerName: string): unknown {
  const direct = map[lowerName];
  if (direct !== undefined) return direct;
  for (const key in map) {
    if (key.length === lowerName.length && key.toLowerCase() === lowerName) return map[key];
  }
  return undefined;
}

export function httpHeaderCarrier(event: Obj): TraceCarrier | undefined {
  return carrierOf(headerValue(event, 'traceparent'), headerValue(event, 'tracestate'), headerValue(event, 'baggage'));
}

// ---------- SQS ----------

function sqsAttribute(attributes: Obj | undefined, name: string): string | undefined {
  return attributes === undefined ? undefined : asString(asObject(attributes[name])?.stringValue);
}

/** The W3C context of one SQS record: its message attributes, else an SNS/EventBridge envelope in its body. */
export function sqsRecordCarrier(record: unknown): TraceCarrier | undefined {
  const rec = asObject(record);
  if (rec === undefined) return undefined;
  const attrs = asObject(rec.messageAttributes);
  const fromAttributes =
    attrs === undefined
      ? undefined
      : carrierOf(sqsAttribute(attrs, 'traceparent'), sqsAttribute(attrs, 'tracestate'), sqsAttribute(attrs, 'baggage'));
  if (fromAttributes?.traceparent !== undefined) return fromAttributes;
  const body = asString(rec.body);
  const fromBody = body === undefined ? undefined : envelopeCarrier(body);
  return fromBody ?? fromAttributes;
}

/** The X-Ray header of one SQS record: its system attribute `AWSTraceHeader`. */
export function sqsRecordXRayHeader(record: unknown): string | undefined {
  return asString(asObject(asObject(record)?.attributes)?.AWSTraceHeader);
}

/** The X-Ray context of one SQS record (`attributes.AWSTraceHeader`) as a traceparent. */
export function sqsRecordXRayTraceparent(record: unknown): string | undefined {
  const header = sqsRecordXRayHeader(record);
  return header === undefined ? undefined : xrayToTraceparent(header);
}

/** Bodies above this are not parsed for an envelope: SQS allows 256 KiB, and parsing that per record costs more than a link is worth. */
export const MAX_ENVELOPE_BODY = 64 * 1024;

/**
 * An SQS body that is an SNS notification envelope (`"Type" : "Notification"`
 * with `MessageAttributes`) or an EventBridge event (`detail-type`, `detail`).
 * Parsed only when it looks like JSON and mentions `traceparent`/`baggage`.
 */
export function envelopeCarrier(body: string): TraceCarrier | undefined {
  if (body.length < 2 || body.length > MAX_ENVELOPE_BODY) return undefined;
  if (firstNonSpace(body) !== '{') return undefined;
  if (!body.includes('traceparent') && !body.includes('baggage')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const envelope = asObject(parsed);
  if (envelope === undefined) return undefined;
  if (envelope.Type === 'Notification') return snsAttributesCarrier(asObject(envelope.MessageAttributes));
  if (typeof envelope['detail-type'] === 'string') return eventBridgeCarrier(envelope);
  return undefined;
}

function firstNonSpace(s: string): string | undefined {
  for (let i = 0; i < s.length && i < 64; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return s[i];
  }
  return undefined;
}

// ---------- SNS ----------

function snsAttribute(attributes: Obj, name: string): string | undefined {
  return asString(asObject(attributes[name])?.Value);
}

function snsAttributesCarrier(attributes: Obj | undefined): TraceCarrier | undefined {
  if (attributes === undefined) return undefined;
  return carrierOf(
    snsAttribute(attributes, 'traceparent'),
    snsAttribute(attributes, 'tracestate'),
    snsAttribute(attributes, 'baggage'),
  );
}

/** The context of one SNS record: `Sns.MessageAttributes.traceparent.Value`. */
export function snsRecordCarrier(record: unknown): TraceCarrier | undefined {
  return snsAttributesCarrier(asObject(asObject(asObject(record)?.Sns)?.MessageAttributes));
}

// ---------- EventBridge ----------

/** `detail.traceparent` / `detail.tracestate` / `detail.baggage`. */
export function eventBridgeCarrier(event: Obj): TraceCarrier | undefined {
  const detail = asObject(event.detail);
  if (detail === undefined) return undefined;
  return carrierOf(detail.traceparent, detail.tracestate, detail.baggage);
}

// ---------- Kinesis ----------

/** Payloads above this many bytes are not decoded: the context of a big record is not worth a big decode. */
export const MAX_DECODED_PAYLOAD = 8 * 1024;
const MAX_BASE64_PAYLOAD = Math.ceil(MAX_DECODED_PAYLOAD / 3) * 4;

/** The context in a Kinesis record's payload, when it is small JSON with a top-level `traceparent`. */
export function kinesisRecordCarrier(record: unknown): TraceCarrier | undefined {
  const data = asString(asObject(asObject(record)?.kinesis)?.data);
  if (data === undefined || data.length < 4 || data.length > MAX_BASE64_PAYLOAD) return undefined;
  // A payload starting with `{` starts with `e` in base64: skip the decode for anything else.
  if (data.charCodeAt(0) !== 0x65) return undefined;
  const text = Buffer.from(data, 'base64').toString('utf8');
  if (!text.includes('traceparent')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const payload = asObject(parsed);
  return payload === undefined ? undefined : carrierOf(payload.traceparent, payload.tracestate, undefined);
}

// ---------- DynamoDB streams ----------

/** `dynamodb.NewImage.traceparent.S` (and `tracestate.S`): the context of the write that made the record. */
export function dynamodbRecordCarrier(record: unknown): TraceCarrier | undefined {
  const image = asObject(asObject(asObject(record)?.dynamodb)?.NewImage);
  if (image === undefined) return undefined;
  return carrierOf(asObject(image.traceparent)?.S, asObject(image.tracestate)?.S, undefined);
}

// ---------- Kafka (MSK, self-managed) ----------

/** Header values longer than this are not decoded: no W3C header is that long. */
const MAX_KAFKA_HEADER_BYTES = 8192;

/**
 * A header's bytes as a string, one character per byte. The W3C values are ASCII; a byte
 * outside it (Java's bytes are signed) or a non-number gives a character no W3C value
 * holds, and carrierOf rejects the result.
 */
function bytesToString(bytes: unknown): string | undefined {
  if (!Array.isArray(bytes) || bytes.length > MAX_KAFKA_HEADER_BYTES) return undefined;
  return String.fromCharCode.apply(null, bytes as number[]);
}

/** The W3C context of one Kafka record: its `traceparent` / `tracestate` / `baggage` headers. */
export function kafkaRecordCarrier(record: unknown): TraceCarrier | undefined {
  const headers = asObject(record)?.headers;
  if (!Array.isArray(headers) || headers.length === 0) return undefined;
  let traceparent: unknown;
  let tracestate: unknown;
  let baggage: unknown;
  // One pass: each header is an object of one name.
  for (const h of headers) {
    const header = asObject(h);
    if (header === undefined) continue;
    if (traceparent === undefined && header.traceparent !== undefined) traceparent = header.traceparent;
    if (tracestate === undefined && header.tracestate !== undefined) tracestate = header.tracestate;
    if (baggage === undefined && header.baggage !== undefined) baggage = header.baggage;
  }
  if (traceparent === undefined && baggage === undefined) return undefined;
  return carrierOf(bytesToString(traceparent), bytesToString(tracestate), bytesToString(baggage));
}

// ---------- Amazon MQ (ActiveMQ, RabbitMQ) ----------

/** A RabbitMQ header value: a string, or the `{ bytes: [...] }` Lambda makes of an AMQP long string. */
function amqpString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : bytesToString(asObject(value)?.bytes);
}

/** The W3C context of one ActiveMQ message: its `properties`. */
export function activemqMessageCarrier(message: unknown): TraceCarrier | undefined {
  const props = asObject(asObject(message)?.properties);
  return props === undefined ? undefined : carrierOf(props.traceparent, props.tracestate, props.baggage);
}

/** The W3C context of one RabbitMQ message: its `basicProperties.headers`. */
export function rabbitmqMessageCarrier(message: unknown): TraceCarrier | undefined {
  const headers = asObject(asObject(asObject(message)?.basicProperties)?.headers);
  if (headers === undefined) return undefined;
  return carrierOf(amqpString(headers.traceparent), amqpString(headers.tracestate), amqpString(headers.baggage));
}
