import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type {
  ALBEvent,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  KinesisStreamEvent,
  LambdaFunctionURLEvent,
  S3Event,
  ScheduledEvent,
  SNSEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import {
  detectTrigger,
  extractParentCarrier,
  headersOf,
  httpAttributes,
  httpStatusFromResult,
  isTriggerBatch,
  recordLinks,
  TRIGGERS,
  type TriggerSource,
} from '../../src/telemetry/triggers/index.js';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as T;
}

/** A fresh copy per test, so no test sees another's edits. */
const fixtures = {
  apigatewayV1: () => load<APIGatewayProxyEvent>('apigateway-v1'),
  apigatewayV2: () => load<APIGatewayProxyEventV2>('apigateway-v2'),
  alb: () => load<ALBEvent>('alb'),
  functionUrl: () => load<LambdaFunctionURLEvent>('function-url'),
  sqs: () => load<SQSEvent>('sqs'),
  sqsSnsEnvelope: () => load<SQSEvent>('sqs-sns-envelope'),
  sns: () => load<SNSEvent>('sns'),
  eventbridge: () => load<EventBridgeEvent<'OrderPlaced', Record<string, unknown>>>('eventbridge'),
  kinesis: () => load<KinesisStreamEvent>('kinesis'),
  dynamodb: () => load<DynamoDBStreamEvent>('dynamodb-stream'),
  s3: () => load<S3Event>('s3'),
  schedule: () => load<ScheduledEvent>('schedule'),
};

const XRAY_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const XRAY_TRACE = '5759e988bd862e3fe1be46a994272793';
const ENV_XRAY = 'Root=1-6a1b2c3d-0123456789abcdef01234567;Parent=fedcba9876543210;Sampled=1';
const ENV_TRACEPARENT = '00-6a1b2c3d0123456789abcdef01234567-fedcba9876543210-01';

/** What OpenTelemetry's own W3C propagator makes of a carrier: proves the carriers are consumable as they are. */
function extracted(carrier: Record<string, string> | undefined) {
  if (carrier === undefined) return undefined;
  const ctx = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  return trace.getSpanContext(ctx);
}

describe('detectTrigger', () => {
  const cases: Array<[string, unknown, TriggerSource, string, 'SERVER' | 'CONSUMER']> = [
    ['API Gateway REST (payload 1.0)', fixtures.apigatewayV1(), 'apigateway-v1', 'http', 'SERVER'],
    ['API Gateway HTTP API (payload 2.0)', fixtures.apigatewayV2(), 'apigateway-v2', 'http', 'SERVER'],
    ['ALB', fixtures.alb(), 'alb', 'http', 'SERVER'],
    ['function URL', fixtures.functionUrl(), 'function-url', 'http', 'SERVER'],
    ['SQS batch', fixtures.sqs(), 'sqs', 'pubsub', 'CONSUMER'],
    ['SNS', fixtures.sns(), 'sns', 'pubsub', 'CONSUMER'],
    ['EventBridge', fixtures.eventbridge(), 'eventbridge', 'pubsub', 'CONSUMER'],
    ['Kinesis', fixtures.kinesis(), 'kinesis', 'pubsub', 'CONSUMER'],
    ['DynamoDB stream', fixtures.dynamodb(), 'dynamodb-stream', 'datasource', 'SERVER'],
    ['S3', fixtures.s3(), 's3', 'datasource', 'SERVER'],
    ['scheduled event', fixtures.schedule(), 'schedule', 'timer', 'SERVER'],
    ['direct {}', {}, 'other', 'other', 'SERVER'],
    ['direct payload', { orderId: 1, requestContext: 'not an object' }, 'other', 'other', 'SERVER'],
    ['string', 'hello', 'other', 'other', 'SERVER'],
    ['number', 42, 'other', 'other', 'SERVER'],
    ['null', null, 'other', 'other', 'SERVER'],
    ['undefined', undefined, 'other', 'other', 'SERVER'],
    ['array', [1, 2, 3], 'other', 'other', 'SERVER'],
    ['empty Records', { Records: [] }, 'other', 'other', 'SERVER'],
    ['Records of unknown source', { Records: [{ eventSource: 'aws:unknown' }] }, 'other', 'other', 'SERVER'],
    ['Records holding null', { Records: [null] }, 'other', 'other', 'SERVER'],
    [
      'WebSocket message (no HTTP request)',
      { requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: 'abc=' }, body: 'hi' },
      'apigateway-websocket',
      'http',
      'SERVER',
    ],
  ];
  for (const [name, event, source, faasTrigger, spanKind] of cases) {
    test(name, () => {
      assert.deepEqual(detectTrigger(event), { source, faasTrigger, spanKind });
    });
  }

  test('an HTTP API on a custom domain is not a function URL', () => {
    const event = fixtures.apigatewayV2();
    event.requestContext.domainName = 'api.example.com';
    assert.equal(detectTrigger(event).source, 'apigateway-v2');
  });

  test('a function URL with payload 2.0 routeKey $default is told apart by its domain only', () => {
    const event = fixtures.functionUrl();
    assert.equal(detectTrigger(event).source, 'function-url');
    event.requestContext.domainName = 'r3pmxmplak.execute-api.us-east-2.amazonaws.com';
    assert.equal(detectTrigger(event).source, 'apigateway-v2');
  });

  test('an EventBridge event from an AWS service that is not a schedule is EventBridge', () => {
    assert.equal(detectTrigger({ ...fixtures.schedule(), 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2' }).source, 'eventbridge');
  });

  test('returns the shared frozen value', () => {
    assert.equal(detectTrigger(fixtures.sqs()), TRIGGERS.sqs);
    assert.ok(Object.isFrozen(TRIGGERS.sqs));
  });
});

describe('isTriggerBatch', () => {
  test('SQS, Kinesis and DynamoDB streams are batches; the rest are not', () => {
    assert.equal(isTriggerBatch(fixtures.sqs()), true);
    assert.equal(isTriggerBatch(fixtures.kinesis()), true);
    assert.equal(isTriggerBatch(fixtures.dynamodb()), true);
    for (const e of [fixtures.sns(), fixtures.s3(), fixtures.apigatewayV1(), fixtures.eventbridge(), {}, null, 'x', []]) {
      assert.equal(isTriggerBatch(e), false);
    }
  });
});

describe('httpAttributes', () => {
  test('API Gateway REST', () => {
    assert.deepEqual(httpAttributes(fixtures.apigatewayV1()), {
      'http.request.method': 'GET',
      'url.path': '/users/42',
      'url.query': 'verbose=true&tag=a%20b&tag=b',
      'url.scheme': 'https',
      'server.address': 'abc123defg.execute-api.us-east-1.amazonaws.com',
      'server.port': 443,
      'http.route': '/users/{id}',
      'user_agent.original': 'curl/8.4.0',
      'client.address': '203.0.113.7',
      'network.protocol.version': '1.1',
    });
  });

  test('API Gateway HTTP API', () => {
    assert.deepEqual(httpAttributes(fixtures.apigatewayV2()), {
      'http.request.method': 'POST',
      'url.path': '/orders/991',
      'url.query': 'expand=items&dryRun=1',
      'url.scheme': 'https',
      'server.address': 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      'server.port': 443,
      'http.route': '/orders/{orderId}',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)',
      'client.address': '198.51.100.24',
      'network.protocol.version': '1.1',
    });
  });

  test('ALB', () => {
    assert.deepEqual(httpAttributes(fixtures.alb()), {
      'http.request.method': 'GET',
      'url.path': '/lambda',
      'url.query': 'query=1234ABCD&q=a%20b',
      'url.scheme': 'http',
      'server.address': 'lambda-alb-123578498.us-east-1.elb.amazonaws.com',
      'server.port': 80,
      'user_agent.original':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36',
      'client.address': '72.12.164.125',
    });
  });

  test('function URL ($default has no route)', () => {
    assert.deepEqual(httpAttributes(fixtures.functionUrl()), {
      'http.request.method': 'POST',
      'url.path': '/my/path',
      'url.query': 'parameter1=value1&parameter1=value2&parameter2=value',
      'url.scheme': 'https',
      'server.address': 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.us-west-2.on.aws',
      'user_agent.original': 'agent',
      'client.address': '123.123.123.123',
      'network.protocol.version': '1.1',
    });
  });

  test('a method outside the HTTP set is _OTHER with the original kept', () => {
    const event = fixtures.apigatewayV1();
    event.httpMethod = 'PURGE';
    const attrs = httpAttributes(event);
    assert.equal(attrs['http.request.method'], '_OTHER');
    assert.equal(attrs['http.request.method_original'], 'PURGE');
  });

  test('credential-like query values are redacted, others kept', () => {
    const event = fixtures.apigatewayV2();
    event.rawQueryString = 'X-Amz-Signature=abc&X-Amz-Credential=AKIA%2F1&page=2&access_token=s3cr3t&monkey=1';
    assert.equal(
      httpAttributes(event)['url.query'],
      'X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&page=2&access_token=REDACTED&monkey=1',
    );
  });

  test('HTTP/2 and a host header with a port', () => {
    const event = fixtures.alb();
    event.headers = { ...event.headers, host: 'internal.example.com:8443' };
    assert.equal(httpAttributes(event)['server.address'], 'internal.example.com');
    assert.equal(httpAttributes(event)['server.port'], 8443);
    const v2 = fixtures.apigatewayV2();
    v2.requestContext.http.protocol = 'HTTP/2.0';
    assert.equal(httpAttributes(v2)['network.protocol.version'], '2');
  });

  test('non-HTTP triggers and malformed HTTP events give what they have', () => {
    assert.deepEqual(httpAttributes(fixtures.sqs()), {});
    assert.deepEqual(httpAttributes(null), {});
    assert.deepEqual(httpAttributes({ requestContext: { http: null, elb: undefined }, httpMethod: 'GET' }), {
      'http.request.method': 'GET',
      'url.scheme': 'https',
    });
  });
});

describe('httpStatusFromResult', () => {
  const v1 = TRIGGERS['apigateway-v1'];
  const v2 = TRIGGERS['apigateway-v2'];
  const cases: Array<[string, unknown, typeof v1 | undefined, number | undefined]> = [
    ['statusCode number', { statusCode: 201, body: '' }, v1, 201],
    ['statusCode numeric string', { statusCode: '404' }, TRIGGERS.alb, 404],
    ['statusCode out of range', { statusCode: 999 }, v2, 502],
    ['statusCode not a number', { statusCode: 'teapot' }, v2, 502],
    ['v2: object without statusCode is a 200 body', { ok: true }, v2, 200],
    ['v2: string result', 'hello', v2, 200],
    ['v2: undefined result', undefined, TRIGGERS['function-url'], 200],
    ['v2 rule when no trigger is given', 42, undefined, 200],
    ['v1: object without statusCode is a malformed proxy response', { ok: true }, v1, 502],
    ['ALB: string result is malformed', 'hello', TRIGGERS.alb, 502],
    ['not an HTTP trigger', { ok: true }, TRIGGERS.sqs, undefined],
  ];
  for (const [name, result, trigger, expected] of cases) {
    test(name, () => assert.equal(httpStatusFromResult(result, trigger), expected));
  }
});

describe('headersOf', () => {
  test('REST API: lower-case keys, multi-value headers joined', () => {
    const headers = headersOf(fixtures.apigatewayV1());
    assert.ok(headers);
    assert.equal(headers['host'], 'abc123defg.execute-api.us-east-1.amazonaws.com');
    assert.equal(headers['x-custom'], 'one,two');
    assert.equal(headers['user-agent'], 'curl/8.4.0');
    assert.equal(headers['User-Agent'], undefined);
  });

  test('HTTP API: cookies come back as the cookie header', () => {
    assert.equal(headersOf(fixtures.apigatewayV2())?.['cookie'], 'session=abc');
  });

  test('ALB with multi-value headers only', () => {
    const event: ALBEvent = { ...fixtures.alb(), headers: undefined, multiValueHeaders: { 'X-Tenant': ['acme'] } };
    assert.deepEqual({ ...headersOf(event) }, { 'x-tenant': 'acme' });
  });

  test('cached per event, frozen, and undefined for non-HTTP events', () => {
    const event = fixtures.functionUrl();
    const first = headersOf(event);
    assert.equal(headersOf(event), first);
    assert.ok(Object.isFrozen(first));
    assert.equal(headersOf(fixtures.sqs()), undefined);
    assert.equal(headersOf('x'), undefined);
  });
});

describe('extractParentCarrier', () => {
  test('REST API: traceparent, tracestate and baggage from the headers win over X-Ray', () => {
    const carrier = extractParentCarrier(fixtures.apigatewayV1(), { xrayEnv: ENV_XRAY });
    assert.deepEqual(carrier, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'vendor=value',
      baggage: 'tenant=acme',
    });
    assert.equal(extracted(carrier)?.traceId, '0af7651916cd43dd8448eb211c80319c');
    const baggage = new W3CBaggagePropagator().extract(ROOT_CONTEXT, carrier!, defaultTextMapGetter);
    assert.ok(baggage);
  });

  test('header names are matched in any case', () => {
    for (const name of ['traceparent', 'Traceparent', 'TraceParent', 'TRACEPARENT']) {
      const event = fixtures.apigatewayV1();
      event.headers = { [name]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', Host: 'x' };
      event.multiValueHeaders = {};
      assert.equal(extractParentCarrier(event)?.traceparent, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', name);
    }
  });

  test('a traceparent only in multiValueHeaders is found', () => {
    const event = fixtures.apigatewayV1();
    event.headers = {};
    assert.equal(extractParentCarrier(event)?.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  });

  test('HTTP API: no traceparent, so the X-Amzn-Trace-Id header, before the environment', () => {
    const carrier = extractParentCarrier(fixtures.apigatewayV2(), { xrayEnv: ENV_XRAY });
    assert.deepEqual(carrier, { traceparent: '00-5e6722a7cc56a0b146db7ae02d4da47e-2c9e3f5a1b4d6e70-01' });
    assert.equal(extracted(carrier)?.spanId, '2c9e3f5a1b4d6e70');
  });

  test('function URL: traceparent wins over the X-Ray header in the same request', () => {
    assert.equal(
      extractParentCarrier(fixtures.functionUrl(), { xrayEnv: ENV_XRAY })?.traceparent,
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    );
  });

  test('ALB: its X-Ray header has no Parent, so its Root is the trace the invocation starts (not the environment\'s)', () => {
    assert.deepEqual(extractParentCarrier(fixtures.alb(), { xrayEnv: ENV_XRAY }), { rootTraceId: '5c5363483d683b8b04734faae651f476' });
  });

  test('a malformed traceparent falls through to X-Ray, keeping the baggage', () => {
    const event = fixtures.apigatewayV1();
    event.headers = { traceparent: '00-not-a-trace-01', baggage: 'k=v', 'X-Amzn-Trace-Id': `Root=${XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=0` };
    event.multiValueHeaders = {};
    assert.deepEqual(extractParentCarrier(event), { traceparent: `00-${XRAY_TRACE}-53995c3f42cd8ad8-00`, baggage: 'k=v' });
  });

  test('invalid traceparents are not taken', () => {
    for (const bad of [
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
    ]) {
      const event = fixtures.functionUrl();
      event.headers = { traceparent: bad };
      assert.equal(extractParentCarrier(event), undefined, bad);
    }
  });

  test('the runtime-provided header comes before _X_AMZN_TRACE_ID', () => {
    const header = `Root=${XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`;
    assert.deepEqual(extractParentCarrier({}, { xrayHeader: header, xrayEnv: ENV_XRAY }), {
      traceparent: `00-${XRAY_TRACE}-53995c3f42cd8ad8-01`,
    });
    assert.deepEqual(extractParentCarrier({}, { xrayEnv: ENV_XRAY }), { traceparent: ENV_TRACEPARENT });
  });

  test('nothing to extract gives undefined', () => {
    for (const e of [{}, null, 'x', [], fixtures.s3(), fixtures.schedule()]) {
      assert.equal(extractParentCarrier(e, {}), undefined);
    }
  });

  test('SQS: the first record’s message attributes', () => {
    assert.deepEqual(extractParentCarrier(fixtures.sqs(), { xrayEnv: ENV_XRAY }), {
      traceparent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01',
      tracestate: 'vendor=1',
      baggage: 'tenant=acme',
    });
  });

  test('SQS: without message attributes, the record’s AWSTraceHeader before the environment', () => {
    const event = fixtures.sqs();
    event.Records = [event.Records[1]!];
    assert.deepEqual(extractParentCarrier(event, { xrayEnv: ENV_XRAY }), {
      traceparent: '00-64e5d5a8cccccccccccccccccccccccc-dddddddddddddddd-00',
    });
  });

  test('SQS: an SNS notification envelope in the body', () => {
    assert.deepEqual(extractParentCarrier(fixtures.sqsSnsEnvelope(), { xrayEnv: ENV_XRAY }), {
      traceparent: '00-99999999999999999999999999999999-aaaaaaaaaaaaaaaa-01',
    });
  });

  test('SQS: an EventBridge event in the body', () => {
    const event = fixtures.sqsSnsEnvelope();
    event.Records[0]!.body = JSON.stringify(fixtures.eventbridge());
    assert.deepEqual(extractParentCarrier(event), {
      traceparent: '00-7d5d747be160e280504c099d984bcfe0-1d3d7e2ae7b4c3a9-01',
      baggage: 'tenant=acme',
    });
  });

  test('SQS: bodies that only look like envelopes are ignored', () => {
    for (const body of ['{"traceparent": ', '{"Type":"Other","traceparent":"x"}', '["traceparent"]', `{"Type":"Notification","MessageAttributes":{"traceparent":{"Value":42}}}`]) {
      const event = fixtures.sqsSnsEnvelope();
      event.Records[0]!.body = body;
      assert.equal(extractParentCarrier(event), undefined, body);
    }
  });

  test('SNS: MessageAttributes.traceparent.Value', () => {
    assert.deepEqual(extractParentCarrier(fixtures.sns(), { xrayEnv: ENV_XRAY }), {
      traceparent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01',
      tracestate: 'congo=t61rcWkgMzE',
    });
  });

  test('EventBridge: detail.traceparent', () => {
    assert.deepEqual(extractParentCarrier(fixtures.eventbridge(), { xrayEnv: ENV_XRAY }), {
      traceparent: '00-7d5d747be160e280504c099d984bcfe0-1d3d7e2ae7b4c3a9-01',
      baggage: 'tenant=acme',
    });
  });

  test('Kinesis and DynamoDB streams: the first record’s context', () => {
    assert.equal(extractParentCarrier(fixtures.kinesis())?.traceparent, '00-11111111111111111111111111111111-2222222222222222-01');
    assert.equal(extractParentCarrier(fixtures.dynamodb())?.traceparent, '00-55555555555555555555555555555555-6666666666666666-01');
  });

  test('events without context fall back to the environment', () => {
    for (const e of [fixtures.s3(), fixtures.schedule(), {}, 'x', null]) {
      assert.deepEqual(extractParentCarrier(e, { xrayEnv: ENV_XRAY }), { traceparent: ENV_TRACEPARENT });
    }
  });
});

describe('recordLinks', () => {
  function sqsRecord(i: number): SQSRecord {
    const template = fixtures.sqs().Records[3]!;
    const hex = i.toString(16).padStart(2, '0');
    return {
      ...template,
      messageId: `message-${i}`,
      messageAttributes: {
        traceparent: { stringValue: `00-${hex.repeat(16)}-${hex.repeat(8)}-01`, dataType: 'String' },
      },
    };
  }

  test('a batch of 10 SQS records gives 10 links, in record order, each a valid context', () => {
    const event: SQSEvent = { Records: Array.from({ length: 10 }, (_, i) => sqsRecord(i + 1)) };
    const links = recordLinks(event);
    assert.equal(links.length, 10);
    links.forEach((link, i) => {
      const hex = (i + 1).toString(16).padStart(2, '0');
      assert.equal(extracted({ ...link })?.traceId, hex.repeat(16));
    });
  });

  test('SQS fixture: attributes, AWSTraceHeader and SNS envelope records link; the bare one does not', () => {
    assert.deepEqual(recordLinks(fixtures.sqs()), [
      { traceparent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01', tracestate: 'vendor=1' },
      { traceparent: '00-64e5d5a8cccccccccccccccccccccccc-dddddddddddddddd-00' },
      { traceparent: '00-99999999999999999999999999999999-aaaaaaaaaaaaaaaa-01' },
    ]);
  });

  test('Kinesis: JSON payloads with a traceparent link; others do not', () => {
    assert.deepEqual(recordLinks(fixtures.kinesis()), [
      { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      { traceparent: '00-33333333333333333333333333333333-4444444444444444-00', tracestate: 'k=v' },
    ]);
  });

  test('Kinesis: large payloads and broken base64 are not decoded', () => {
    const event = fixtures.kinesis();
    const big = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01', pad: 'x'.repeat(20_000) };
    event.Records[0]!.kinesis.data = Buffer.from(JSON.stringify(big)).toString('base64');
    event.Records[1]!.kinesis.data = 'e!!!not base64';
    event.Records.length = 2;
    assert.deepEqual(recordLinks(event), []);
  });

  test('DynamoDB stream: records whose NewImage has a traceparent', () => {
    assert.deepEqual(recordLinks(fixtures.dynamodb()), [
      { traceparent: '00-55555555555555555555555555555555-6666666666666666-01' },
    ]);
  });

  test('SNS: its one record', () => {
    assert.deepEqual(recordLinks(fixtures.sns()), [
      { traceparent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01', tracestate: 'congo=t61rcWkgMzE' },
    ]);
  });

  test('capped at the limit', () => {
    const event: SQSEvent = { Records: Array.from({ length: 200 }, (_, i) => sqsRecord((i % 250) + 1)) };
    assert.equal(recordLinks(event).length, 128);
    assert.equal(recordLinks(event, undefined, 5).length, 5);
  });

  test('no links for non-batch triggers', () => {
    for (const e of [fixtures.apigatewayV1(), fixtures.eventbridge(), fixtures.s3(), {}, null, 'x', []]) {
      assert.deepEqual(recordLinks(e), []);
    }
  });
});

describe('malformed events never throw', () => {
  const BAD_VALUES: unknown[] = [null, 7, 'x', '', [], {}, [null], true];

  /** Every path into a JSON value, to depth 6. */
  function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    if (prefix.length > 6 || value === null || typeof value !== 'object') return out;
    for (const key of Object.keys(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths((value as Record<string, unknown>)[key], path, out);
    }
    return out;
  }

  function withValueAt(event: unknown, path: (string | number)[], bad: unknown): unknown {
    const copy = structuredClone(event) as Record<string | number, unknown>;
    let node: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
    node[path[path.length - 1]!] = structuredClone(bad);
    return copy;
  }

  function exerciseAll(event: unknown): void {
    const trigger = detectTrigger(event);
    httpAttributes(event, trigger);
    headersOf(event, trigger);
    extractParentCarrier(event, { xrayEnv: ENV_XRAY, xrayHeader: 'garbage' }, trigger);
    recordLinks(event, trigger);
    isTriggerBatch(event, trigger);
    httpStatusFromResult(event, trigger);
  }

  for (const [name, make] of Object.entries(fixtures)) {
    test(`${name}: every field replaced by every bad value`, () => {
      const event = make();
      let variants = 0;
      for (const path of paths(event)) {
        for (const bad of BAD_VALUES) {
          const mutated = withValueAt(event, path, bad);
          assert.doesNotThrow(() => exerciseAll(mutated), `${path.join('.')} = ${JSON.stringify(bad)}`);
          variants++;
        }
      }
      assert.ok(variants > 20, `only ${variants} variants`);
    });
  }

  test('top-level non-objects', () => {
    for (const e of [undefined, null, 0, 'str', [], [{}], { Records: 'x' }, { Records: [[]] }, { requestContext: [] }]) {
      assert.doesNotThrow(() => exerciseAll(e), JSON.stringify(e));
    }
  });
});
