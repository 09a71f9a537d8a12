// Context propagation in: the invocation's parent trace context, read from the event's
// W3C context or its X-Ray header, then the runtime's X-Ray context. Pure, never throws.
import {
  activemqMessageCarrier,
  asObject,
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
  type TraceCarrier,
} from '../propagation/carriers.js';
import { parseXRayHeader, xrayToTraceparent, type XRayHeader } from '../propagation/xray.js';
import { detectTrigger, type TriggerInfo } from './detect.js';
import { firstGrouped, firstRecord } from './records.js';

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
 *     DynamoDB-stream / Kafka / Amazon MQ: the first record's (see ../propagation/carriers.ts for where each is
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
