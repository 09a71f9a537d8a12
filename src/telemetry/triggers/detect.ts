// What invoked the function, from the event's shape alone: one frozen TriggerInfo per
// source (the trigger type, `faas.trigger`, the span kind). Pure and cheap — called once
// per invocation — and never throws for any JSON value: the agent must not hurt the function.
import { asObject, asString } from '../propagation/carriers.js';

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
