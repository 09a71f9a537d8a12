// Differential: the same SDK client, once against a local server that answers
// as the real service does (status, headers, body written from the protocol
// specifications: awsJson1_0/1_1 `__type`, awsQueryCompatible
// `x-amzn-query-error: Code;Type`, awsQuery `ErrorResponse`, S3's `Error`,
// restJson1 `x-amzn-errortype`, rpcv2Cbor's CBOR `__type` with
// `smithy-protocol`), once with faultline injecting the same error by the name
// a rule gives it. The two errors must be equal in class, name, Code,
// $metadata.httpStatusCode, $fault and retry attempts (the same no-delay retry
// strategy on both sides), over the SDK's node:http handler and, for the first
// row of each wire, its fetch handler.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import { cbor } from '@smithy/core/cbor';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { installOutgoingInstrumentation } from '../../../src/instrument/index.js';
import { createWireFaultHook } from '../../../src/chaos/wire/index.js';
import { FakeEngine, setupOtel, type TestOtel } from '../../instrument/otel.js';
import { closeServer, listen } from '../../helpers/targetServer.js';

/** How the real service puts an error on the wire. */
type Wire = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 's3RestXml' | 'restJson1' | 'rpcv2Cbor';

/** What the real service sends for one error (from its API reference and Smithy model). */
interface RealError {
  /** The error shape: `__type` / `x-amzn-errortype`. */
  readonly shape: string;
  /** awsQueryError code (query `Code`, `x-amzn-query-error`); the shape name where the model has none. */
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
}

interface Client {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

interface ServiceWire {
  readonly label: string;
  readonly service: string;
  readonly wire: Wire;
  readonly queryCompatible: boolean;
  /** Namespace in the real service's `__type` values. */
  readonly namespace: string;
  readonly xmlns?: string;
  readonly client: (config: Record<string, unknown>) => Client;
  readonly command: () => unknown;
  readonly method?: 'HEAD';
}

interface Row {
  readonly on: ServiceWire;
  /** What the faultline rule names: shape name or query code, or an HTTP status. */
  readonly rule: string | number;
  readonly real: RealError;
  /** The error name the SDK raises for the real response (checked, so the real side is what it claims). */
  readonly sdkName: string;
}

const cfg = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } };
const MAX_ATTEMPTS = 3;

const cloudWatchCommand = () => new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Orders', Value: 1 }] });
const CW_NS = 'com.amazonaws.cloudwatch';

const W = {
  sqs: {
    label: 'SQS (query-compatible JSON 1.0)',
    service: 'sqs',
    wire: 'awsJson1_0',
    queryCompatible: true,
    namespace: 'com.amazonaws.sqs',
    client: (c) => new SQSClient(c),
    command: () => new SendMessageCommand({ QueueUrl: 'http://127.0.0.1/123456789012/q', MessageBody: 'm' }),
  },
  sns: {
    label: 'SNS (awsQuery)',
    service: 'sns',
    wire: 'awsQuery',
    queryCompatible: false,
    namespace: 'com.amazonaws.sns',
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
    client: (c) => new SNSClient(c),
    command: () => new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' }),
  },
  s3: {
    label: 'S3 (REST-XML)',
    service: 's3',
    wire: 's3RestXml',
    queryCompatible: false,
    namespace: 'com.amazonaws.s3',
    client: (c) => new S3Client({ ...c, forcePathStyle: true }),
    command: () => new GetObjectCommand({ Bucket: 'bkt', Key: 'k' }),
  },
  s3Head: {
    label: 'S3 HEAD (REST-XML, no body)',
    service: 's3',
    wire: 's3RestXml',
    queryCompatible: false,
    namespace: 'com.amazonaws.s3',
    client: (c) => new S3Client({ ...c, forcePathStyle: true }),
    command: () => new HeadObjectCommand({ Bucket: 'bkt', Key: 'k' }),
    method: 'HEAD',
  },
  lambda: {
    label: 'Lambda (REST-JSON)',
    service: 'lambda',
    wire: 'restJson1',
    queryCompatible: false,
    namespace: 'com.amazonaws.lambda',
    client: (c) => new LambdaClient(c),
    command: () => new InvokeCommand({ FunctionName: 'fn', Payload: Buffer.from('{}') }),
  },
  dynamodb: {
    label: 'DynamoDB (JSON 1.0)',
    service: 'dynamodb',
    wire: 'awsJson1_0',
    queryCompatible: false,
    namespace: 'com.amazonaws.dynamodb.v20120810',
    client: (c) => new DynamoDBClient(c),
    command: () => new GetItemCommand({ TableName: 't', Key: { pk: { S: '1' } } }),
  },
  kinesis: {
    label: 'Kinesis (JSON 1.1)',
    service: 'kinesis',
    wire: 'awsJson1_1',
    queryCompatible: false,
    namespace: 'com.amazonaws.kinesis',
    // Kinesis defaults to HTTP/2 (for SubscribeToShard); the wire format is the same over HTTP/1.1, which this test's servers speak.
    client: (c) => new KinesisClient({ ...c, requestHandler: c.requestHandler ?? new NodeHttpHandler() }),
    command: () => new ListStreamsCommand({}),
  },
  cwJson: {
    label: 'CloudWatch (query-compatible JSON 1.0, the SDK default)',
    service: 'monitoring',
    wire: 'awsJson1_0',
    queryCompatible: true,
    namespace: CW_NS,
    client: (c) => new CloudWatchClient(c),
    command: cloudWatchCommand,
  },
  cwQuery: {
    label: 'CloudWatch (awsQuery)',
    service: 'monitoring',
    wire: 'awsQuery',
    queryCompatible: false,
    namespace: CW_NS,
    xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    client: (c) => new CloudWatchClient({ ...c, protocol: AwsQueryProtocol }),
    command: cloudWatchCommand,
  },
  cwCbor: {
    label: 'CloudWatch (query-compatible RPC v2 CBOR)',
    service: 'monitoring',
    wire: 'rpcv2Cbor',
    queryCompatible: true,
    namespace: CW_NS,
    client: (c) => new CloudWatchClient({ ...c, protocol: AwsSmithyRpcV2CborProtocol }),
    command: cloudWatchCommand,
  },
  sfn: {
    label: 'Step Functions (JSON 1.0)',
    service: 'states',
    wire: 'awsJson1_0',
    queryCompatible: false,
    namespace: 'com.amazonaws.sfn',
    client: (c) => new SFNClient(c),
    command: () => new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:sm:e' }),
  },
  events: {
    label: 'EventBridge (JSON 1.1)',
    service: 'events',
    wire: 'awsJson1_1',
    queryCompatible: false,
    namespace: 'com.amazonaws.eventbridge',
    client: (c) => new EventBridgeClient(c),
    command: () => new DescribeRuleCommand({ Name: 'r' }),
  },
} satisfies Record<string, ServiceWire>;

const S = (shape: string, status: number, code = shape): RealError => ({ shape, code, status, type: status >= 500 ? 'Receiver' : 'Sender' });

/** One row per error, the rule naming it by `rule`; `sdkName` defaults to the shape. */
function row(on: ServiceWire, rule: string | number, real: RealError, sdkName = real.shape): Row {
  return { on, rule, real, sdkName };
}

const cwRows = (on: ServiceWire): Row[] => [
  row(on, 'LimitExceededFault', S('LimitExceededFault', 400, 'LimitExceeded')),
  row(on, 'LimitExceeded', S('LimitExceededFault', 400, 'LimitExceeded')),
  row(on, 'InvalidParameterValueException', S('InvalidParameterValueException', 400, 'InvalidParameterValue')),
  row(on, 'InvalidParameterValue', S('InvalidParameterValueException', 400, 'InvalidParameterValue')),
  row(on, 'InternalServiceFault', S('InternalServiceFault', 500, 'InternalServiceError')),
  row(on, 'InternalServiceError', S('InternalServiceFault', 500, 'InternalServiceError')),
  row(on, 'MissingRequiredParameterException', S('MissingRequiredParameterException', 400, 'MissingParameter')),
  row(on, 'ResourceNotFound', S('ResourceNotFound', 404)),
  row(on, 'DashboardNotFoundError', S('DashboardNotFoundError', 404, 'ResourceNotFound'), 'ResourceNotFound'),
  row(on, 'ConcurrentModificationException', S('ConcurrentModificationException', 429)),
  // An HTTP status: the service's own error for it.
  row(on, 500, S('InternalServiceFault', 500, 'InternalServiceError')),
];

const ROWS: Row[] = [
  row(W.sqs, 'QueueDoesNotExist', S('QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue')),
  row(W.sqs, 'AWS.SimpleQueueService.NonExistentQueue', S('QueueDoesNotExist', 400, 'AWS.SimpleQueueService.NonExistentQueue')),
  row(W.sqs, 'RequestThrottled', S('RequestThrottled', 403)),
  row(W.sqs, 'KmsThrottled', S('KmsThrottled', 400, 'KMS.ThrottlingException')),
  row(W.sqs, 'OverLimit', S('OverLimit', 403)),
  row(W.sqs, 'InvalidAddress', S('InvalidAddress', 404)),

  row(W.sns, 'ThrottledException', S('ThrottledException', 429, 'Throttled')),
  row(W.sns, 'Throttled', S('ThrottledException', 429, 'Throttled')),
  row(W.sns, 'NotFoundException', S('NotFoundException', 404, 'NotFound')),
  row(W.sns, 'InvalidParameterValueException', S('InvalidParameterValueException', 400, 'ParameterValueInvalid')),
  row(W.sns, 'InternalErrorException', S('InternalErrorException', 500, 'InternalError')),
  row(W.sns, 'AuthorizationErrorException', S('AuthorizationErrorException', 403, 'AuthorizationError')),
  row(W.sns, 'KMSThrottlingException', S('KMSThrottlingException', 400, 'KMSThrottling')),
  // Not in the model: the common query throttling error.
  row(W.sns, 'Throttling', S('Throttling', 400)),
  row(W.sns, 429, S('ThrottledException', 429, 'Throttled')),
  row(W.sns, 500, S('InternalErrorException', 500, 'InternalError')),

  row(W.s3, 'NoSuchKey', S('NoSuchKey', 404)),
  row(W.s3, 'NoSuchBucket', S('NoSuchBucket', 404)),
  row(W.s3, 'AccessDenied', S('AccessDenied', 403)),
  row(W.s3, 'InvalidObjectState', S('InvalidObjectState', 403)),
  row(W.s3, 'SlowDown', S('SlowDown', 503)),
  row(W.s3, 'InternalError', S('InternalError', 500)),
  row(W.s3Head, 'NoSuchKey', S('NoSuchKey', 404), 'NotFound'),

  row(W.lambda, 'TooManyRequestsException', S('TooManyRequestsException', 429)),
  row(W.lambda, 'ResourceNotFoundException', S('ResourceNotFoundException', 404)),
  row(W.lambda, 'ServiceException', S('ServiceException', 500)),
  row(W.lambda, 'ResourceConflictException', S('ResourceConflictException', 409)),
  row(W.lambda, 'EC2ThrottledException', S('EC2ThrottledException', 502)),
  row(W.lambda, 'ServiceQuotaExceededException', S('ServiceQuotaExceededException', 402)),
  row(W.lambda, 'InvalidParameterValueException', S('InvalidParameterValueException', 400)),
  row(W.lambda, 429, S('TooManyRequestsException', 429)),

  row(W.dynamodb, 'ProvisionedThroughputExceededException', S('ProvisionedThroughputExceededException', 400)),
  row(W.dynamodb, 'ResourceNotFoundException', S('ResourceNotFoundException', 400)),
  row(W.dynamodb, 'ConditionalCheckFailedException', S('ConditionalCheckFailedException', 400)),
  row(W.dynamodb, 'InternalServerError', S('InternalServerError', 500)),
  row(W.dynamodb, 'ThrottlingException', S('ThrottlingException', 400, 'Throttling')),
  row(W.dynamodb, 'RequestLimitExceeded', S('RequestLimitExceeded', 400)),
  row(W.dynamodb, 'InvalidEndpointException', S('InvalidEndpointException', 421)),
  row(W.dynamodb, 500, S('InternalServerError', 500)),

  row(W.kinesis, 'ProvisionedThroughputExceededException', S('ProvisionedThroughputExceededException', 400)),
  row(W.kinesis, 'ResourceNotFoundException', S('ResourceNotFoundException', 400)),
  row(W.kinesis, 'LimitExceededException', S('LimitExceededException', 400)),
  row(W.kinesis, 'KMSThrottlingException', S('KMSThrottlingException', 400)),
  row(W.kinesis, 'InternalFailureException', S('InternalFailureException', 500)),

  ...cwRows(W.cwJson),
  ...cwRows(W.cwQuery),
  ...cwRows(W.cwCbor),

  row(W.sfn, 'ExecutionDoesNotExist', S('ExecutionDoesNotExist', 400)),
  row(W.sfn, 'StateMachineDoesNotExist', S('StateMachineDoesNotExist', 400)),
  row(W.sfn, 'ResourceNotFound', S('ResourceNotFound', 404)),
  row(W.sfn, 'ServiceQuotaExceededException', S('ServiceQuotaExceededException', 402)),
  row(W.sfn, 'ConflictException', S('ConflictException', 409)),
  // Not in the model.
  row(W.sfn, 'ThrottlingException', S('ThrottlingException', 400)),

  row(W.events, 'ResourceNotFoundException', S('ResourceNotFoundException', 400)),
  row(W.events, 'ConcurrentModificationException', S('ConcurrentModificationException', 400)),
  row(W.events, 'InternalException', S('InternalException', 500)),
  row(W.events, 'LimitExceededException', S('LimitExceededException', 400)),
  row(W.events, 'ThrottlingException', S('ThrottlingException', 400)),
];

const REQUEST_ID = 'c0ffee00-0000-4000-8000-000000000000';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The response the real service sends for `real` over `on.wire`. */
function realResponse(on: ServiceWire, real: RealError, method: string): { status: number; headers: Record<string, string>; body: string | Uint8Array } {
  const message = `${real.shape} from the service`;
  const queryError: Record<string, string> = on.queryCompatible ? { 'x-amzn-query-error': `${real.code};${real.type}` } : {};
  switch (on.wire) {
    case 'awsJson1_0':
    case 'awsJson1_1':
      return {
        status: real.status,
        headers: {
          'content-type': on.wire === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
          'x-amzn-requestid': REQUEST_ID,
          ...queryError,
        },
        body: JSON.stringify({ __type: `${on.namespace}#${real.shape}`, message }),
      };
    case 'rpcv2Cbor':
      return {
        status: real.status,
        headers: { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-requestid': REQUEST_ID, ...queryError },
        body: cbor.serialize({ __type: `${on.namespace}#${real.shape}`, message }),
      };
    case 'awsQuery':
      return {
        status: real.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': REQUEST_ID },
        body:
          `<ErrorResponse xmlns="${on.xmlns}">\n  <Error>\n    <Type>${real.type}</Type>\n    <Code>${xmlEscape(real.code)}</Code>\n` +
          `    <Message>${xmlEscape(message)}</Message>\n  </Error>\n  <RequestId>${REQUEST_ID}</RequestId>\n</ErrorResponse>\n`,
      };
    case 's3RestXml':
      return {
        status: real.status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'EXAMPLE', 'x-amz-id-2': 'EXAMPLEHOST' },
        body:
          method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${real.code}</Code><Message>${xmlEscape(message)}</Message>` +
              `<RequestId>EXAMPLE</RequestId><HostId>EXAMPLEHOST</HostId></Error>`,
      };
    case 'restJson1':
      return {
        status: real.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${real.shape}:http://internal.amazon.com/coral/com.amazonaws.${on.service}/`, 'x-amzn-requestid': REQUEST_ID },
        body: JSON.stringify({ Type: real.type === 'Sender' ? 'User' : 'Service', message }),
      };
  }
}

/** The SDK's own transports: its default node:http handler, or its fetch handler (undici in Node). */
type Transport = 'http' | 'fetch';

interface Seen {
  name: string;
  ctor: unknown;
  Code: unknown;
  status: number | undefined;
  fault: unknown;
  attempts: number | undefined;
}

function seenOf(e: unknown): Seen {
  assert.ok(e instanceof Error, `an error, got ${String(e)}`);
  const err = e as Error & { Code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number; attempts?: number } };
  return {
    name: err.name,
    ctor: err.constructor,
    Code: err.Code,
    status: err.$metadata?.httpStatusCode,
    fault: err.$fault,
    attempts: err.$metadata?.attempts,
  };
}

describe('injected AWS errors equal the real wire errors (differential, per service × error × protocol)', () => {
  let server: Server;
  let origin: string;
  let otel: TestOtel;
  let uninstall: () => void;
  const engine = new FakeEngine();
  let replay: Row | undefined;
  let hits = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      hits++;
      req.resume();
      req.on('end', () => {
        if (replay === undefined) {
          res.writeHead(500).end();
          return;
        }
        const r = realResponse(replay.on, replay.real, req.method ?? 'GET');
        const body = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body);
        res.writeHead(r.status, { ...r.headers, 'content-length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
    origin = `http://127.0.0.1:${await listen(server)}`;
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, faultHook: createWireFaultHook(engine) });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await closeServer(server);
  });

  /** One call through a fresh client (retries with no delay, the same strategy on both sides). */
  async function callOnce(on: ServiceWire, transport: Transport): Promise<Seen> {
    const client = on.client({
      ...cfg,
      endpoint: origin,
      maxAttempts: MAX_ATTEMPTS,
      retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0),
      ...(transport === 'fetch' ? { requestHandler: new FetchHttpHandler() } : {}),
    });
    try {
      const e = await client.send(on.command()).then(
        () => assert.fail('the call succeeded'),
        (err: unknown) => err,
      );
      return seenOf(e);
    } finally {
      client.destroy();
    }
  }

  // Every row over the client's default (node:http) transport; the first rows of each wire
  // also over the SDK's fetch handler, which faultline answers at the undici dispatcher.
  const firstOfWire = new Set(ROWS.filter((r, i) => ROWS.findIndex((o) => o.on === r.on) === i));
  const runs = ROWS.flatMap((r): [Row, Transport][] => (firstOfWire.has(r) ? [[r, 'http'], [r, 'fetch']] : [[r, 'http']]));
  for (const [r, transport] of runs) {
    test(`${r.on.label}${transport === 'fetch' ? ' over fetch' : ''}: rule ${r.rule} → ${r.real.shape} (${r.real.code}, ${r.real.status})`, async () => {
      // (a) the real service's wire answer, replayed by the local server.
      engine.reset();
      replay = r;
      hits = 0;
      const real = await callOnce(r.on, transport);
      assert.equal(hits, real.attempts, 'the server saw every attempt');
      assert.equal(real.name, r.sdkName, 'the replay is the error it claims to be');
      assert.equal(real.status, r.real.status);

      // (b) faultline's injection of the error the rule names; the server is never reached.
      const error = typeof r.rule === 'number' ? ({ kind: 'http', status: r.rule } as const) : ({ kind: 'aws', code: r.rule } as const);
      engine.reset((call) => (call.kind === 'aws' && call.service === r.on.service ? { type: 'error', error } : undefined));
      replay = undefined;
      hits = 0;
      const injected = await callOnce(r.on, transport);
      assert.equal(hits, 0, 'the injected error never reached the server');
      assert.equal(engine.injectedFaults.length, injected.attempts, 'one injection per attempt');

      assert.deepEqual(injected, real);
    });
  }
});
