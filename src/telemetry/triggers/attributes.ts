// The OpenTelemetry attributes an invocation span takes from its event, per trigger:
//   http        the HTTP server attributes (http.ts httpAttributes)
//   messaging   SQS, SNS, Kafka, Amazon MQ: `messaging.system`, `messaging.operation.type`
//               and `.name` (`process`), `messaging.destination.name`, the batch size
//               (semantic-conventions/docs/faas/aws-lambda.md "SQS", semantic-conventions/docs/messaging/messaging-spans.md)
//   datasource  S3, DynamoDB streams, CodeCommit: `faas.document.collection`,
//               `faas.document.operation` (both required), `.name`, `.time`
//   timer       `faas.time`
// Pure, never throws for any JSON value, reads only what the event holds.
import { asObject, asString } from '../propagation/carriers.js';
import { detectTrigger, type TriggerInfo } from './detect.js';
import { httpAttributes } from './http.js';
import { DEFAULT_REDACTOR, type QueryRedactor } from '../redaction/redact.js';

export type TriggerAttributes = Record<string, string | number>;

/** The attributes of the invocation span that come from the event (see the file comment). */
export function triggerAttributes(
  event: unknown,
  trigger: TriggerInfo = detectTrigger(event),
  redactor: QueryRedactor = DEFAULT_REDACTOR,
): TriggerAttributes {
  if (trigger.faasTrigger === 'http') return httpAttributes(event, trigger, redactor);
  const attrs: TriggerAttributes = {};
  const e = asObject(event);
  if (e === undefined) return attrs;
  switch (trigger.source) {
    case 'sqs':
      messaging(attrs, 'aws_sqs', recordsOf(e), (r) => asString(r.eventSourceARN), (r) => asString(r.messageId), arnResource);
      break;
    case 'sns': {
      const records = recordsOf(e);
      messaging(attrs, 'aws.sns', records, topicArn, (r) => asString(asObject(r.Sns)?.MessageId), arnResource);
      const arn = topicArn(records[0]);
      if (arn !== undefined) attrs['aws.sns.topic.arn'] = arn;
      break;
    }
    case 'kafka-msk':
    case 'kafka-self-managed':
      messaging(attrs, 'kafka', groupedRecords(e.records), (r) => asString(r.topic), undefined);
      break;
    case 'mq-activemq':
      messaging(
        attrs,
        'activemq',
        Array.isArray(e.messages) ? e.messages : [],
        (m) => asString(asObject(m.destination)?.physicalName),
        (m) => asString(m.messageID),
      );
      break;
    case 'mq-rabbitmq':
      messaging(attrs, 'rabbitmq', groupedRecords(e.rmqMessagesByQueue, queueOfKey), (m) => asString(m.queue), undefined);
      break;
    case 'kinesis': {
      const stream = arnResource(asString(asObject(recordsOf(e)[0])?.eventSourceARN), 'stream/');
      if (stream !== undefined) attrs['aws.kinesis.stream_name'] = stream;
      break;
    }
    case 's3':
      s3Document(attrs, asObject(recordsOf(e)[0]));
      break;
    case 'dynamodb-stream':
      dynamodbDocument(attrs, asObject(recordsOf(e)[0]));
      break;
    case 'codecommit':
      codecommitDocument(attrs, asObject(recordsOf(e)[0]));
      break;
    case 'schedule': {
      const time = isoTime(e.time);
      if (time !== undefined) attrs['faas.time'] = time;
      break;
    }
  }
  return attrs;
}

/**
 * The invocation span's name: `{method} {route}` (or the path) for an HTTP request, as the
 * HTTP server conventions ask; `process {destination}` (`process` for a batch from several)
 * for messages, as the messaging and AWS Lambda SQS conventions ask; else the function name.
 */
export function invocationSpanName(functionName: string, attrs: TriggerAttributes): string {
  const method = attrs['http.request.method'];
  if (method !== undefined) {
    const route = attrs['http.route'] ?? attrs['url.path'];
    return route === undefined ? String(method) : `${method} ${route}`;
  }
  if (attrs['messaging.operation.name'] !== undefined) {
    const destination = attrs['messaging.destination.name'];
    return destination === undefined ? 'process' : `process ${destination}`;
  }
  return functionName;
}

type Obj = Record<string, unknown>;

function recordsOf(e: Obj): unknown[] {
  return Array.isArray(e.Records) ? e.Records : [];
}

/** `"<queue>::<virtual host>"` → `<queue>`. */
function queueOfKey(key: string): string {
  const sep = key.lastIndexOf('::');
  return sep === -1 ? key : key.slice(0, sep);
}

/**
 * The records of an event that groups them in an object of lists (Kafka by topic-partition,
 * RabbitMQ by queue). With `tag`, each record is replaced by `{ queue: tag(key) }`: the
 * group key is all the attributes need of it.
 */
function groupedRecords(groups: unknown, tag?: (key: string) => string): unknown[] {
  const byKey = asObject(groups);
  const out: unknown[] = [];
  if (byKey === undefined) return out;
  for (const key in byKey) {
    const list = byKey[key];
    if (!Array.isArray(list)) continue;
    const queue = tag?.(key);
    for (const item of list) out.push(queue === undefined ? item : { queue });
  }
  return out;
}

/**
 * The messaging `process` attributes of a batch: the destination only when every
 * message came from the same one (as the conventions ask), the message id only for
 * a batch of one. `nameOf` turns the destination each message names (an ARN) into
 * its name, once for the batch.
 */
function messaging(
  attrs: TriggerAttributes,
  system: string,
  messages: readonly unknown[],
  destinationOf: (m: Obj) => string | undefined,
  idOf: ((m: Obj) => string | undefined) | undefined,
  nameOf: (destination: string) => string | undefined = (d) => d,
): void {
  attrs['messaging.system'] = system;
  attrs['messaging.operation.type'] = 'process';
  attrs['messaging.operation.name'] = 'process';
  attrs['messaging.batch.message_count'] = messages.length;
  let destination: string | undefined;
  for (let i = 0; i < messages.length; i++) {
    const m = asObject(messages[i]);
    const d = m === undefined ? undefined : destinationOf(m);
    if (d === undefined || (i > 0 && d !== destination)) {
      destination = undefined;
      break;
    }
    destination = d;
  }
  const name = destination === undefined ? undefined : nameOf(destination);
  if (name !== undefined && name !== '') attrs['messaging.destination.name'] = name;
  if (messages.length === 1 && idOf !== undefined) {
    const m = asObject(messages[0]);
    const id = m === undefined ? undefined : idOf(m);
    if (id !== undefined && id !== '') attrs['messaging.message.id'] = id;
  }
}

function topicArn(record: unknown): string | undefined {
  return asString(asObject(asObject(record)?.Sns)?.TopicArn);
}

/**
 * The resource name at the end of an ARN: `arn:aws:sqs:us-east-1:123:my-queue` → `my-queue`;
 * with `prefix`, what follows it up to the next `/` (`table/Orders/stream/…` → `Orders`).
 */
function arnResource(arn: string | undefined, prefix?: string): string | undefined {
  if (arn === undefined || !arn.startsWith('arn:')) return undefined;
  // arn:partition:service:region:account:resource — the resource follows the fifth colon.
  let at = 0;
  for (let i = 0; i < 5 && at !== -1; i++) at = arn.indexOf(':', at + 1);
  if (at === -1) return undefined;
  const resource = arn.slice(at + 1);
  if (prefix === undefined) return resource === '' ? undefined : resource;
  if (!resource.startsWith(prefix)) return undefined;
  const rest = resource.slice(prefix.length);
  const slash = rest.indexOf('/');
  const name = slash === -1 ? rest : rest.slice(0, slash);
  return name === '' ? undefined : name;
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** An ISO 8601 UTC time for a date string or epoch seconds; undefined when it is neither. */
function isoTime(value: unknown): string | undefined {
  // What EventBridge and S3 send already is one.
  if (typeof value === 'string' && ISO_UTC.test(value)) return value;
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string' && value !== '') ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function s3Document(attrs: TriggerAttributes, record: Obj | undefined): void {
  const s3 = asObject(record?.s3);
  const bucket = asString(asObject(s3?.bucket)?.name);
  if (bucket !== undefined) attrs['faas.document.collection'] = bucket;
  const eventName = asString(record?.eventName);
  if (eventName !== undefined) {
    attrs['faas.document.operation'] = eventName.startsWith('ObjectCreated')
      ? 'insert'
      : eventName.startsWith('ObjectRemoved')
        ? 'delete'
        : eventName;
  }
  const key = asString(asObject(s3?.object)?.key);
  if (key !== undefined) attrs['faas.document.name'] = s3Key(key);
  const time = isoTime(record?.eventTime);
  if (time !== undefined) attrs['faas.document.time'] = time;
}

/** S3 notifications hand over keys URL-encoded, with `+` for a space. */
function s3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

const DYNAMODB_OPERATION: Readonly<Record<string, string>> = { INSERT: 'insert', MODIFY: 'edit', REMOVE: 'delete' };

function dynamodbDocument(attrs: TriggerAttributes, record: Obj | undefined): void {
  const table = arnResource(asString(record?.eventSourceARN), 'table/');
  if (table !== undefined) attrs['faas.document.collection'] = table;
  const name = asString(record?.eventName);
  if (name !== undefined) attrs['faas.document.operation'] = DYNAMODB_OPERATION[name] ?? name;
  const time = isoTime(asObject(record?.dynamodb)?.ApproximateCreationDateTime);
  if (time !== undefined) attrs['faas.document.time'] = time;
}

function codecommitDocument(attrs: TriggerAttributes, record: Obj | undefined): void {
  const repository = arnResource(asString(record?.eventSourceARN));
  if (repository !== undefined) attrs['faas.document.collection'] = repository;
  const references = asObject(record?.codecommit)?.references;
  const ref = Array.isArray(references) ? asObject(references[0]) : undefined;
  if (ref !== undefined) {
    attrs['faas.document.operation'] = ref.created === true ? 'insert' : ref.deleted === true ? 'delete' : 'edit';
    const name = asString(ref.ref);
    if (name !== undefined) attrs['faas.document.name'] = name;
  }
  const time = isoTime(record?.eventTime);
  if (time !== undefined) attrs['faas.document.time'] = time;
}
