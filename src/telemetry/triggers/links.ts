// Span links: one per record of a batch event that carries a trace context, so a batch
// invocation links to every producer it consumes from. Pure, never throws.
import {
  activemqMessageCarrier,
  asObject,
  dynamodbRecordCarrier,
  kafkaRecordCarrier,
  kinesisRecordCarrier,
  rabbitmqMessageCarrier,
  snsRecordCarrier,
  sqsRecordCarrier,
  sqsRecordXRayTraceparent,
  type RecordCarrier,
  type TraceCarrier,
} from '../propagation/carriers.js';
import { detectTrigger, type TriggerInfo } from './detect.js';
import { groupedRecords } from './records.js';

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
