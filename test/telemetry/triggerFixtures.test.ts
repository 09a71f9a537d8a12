// Every Lambda trigger event shape in test/fixtures/events (public samples; README.md there
// names each file's source), against the OpenTelemetry conventions: the trigger detected,
// `faas.trigger` and span kind (semantic-conventions/docs/faas/faas-spans.md and …/aws-lambda.md), the
// attributes each trigger type requires (HTTP server; messaging `process`: messaging.system,
// messaging.operation.type/name; datasource: faas.document.collection/operation), and the
// incoming trace context — once on the pure functions and once on the span an invocation
// through wrap() emits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { wrap } from '../../src/wrap.js';
import { detectTrigger, extractParentCarrier, type TriggerSource } from '../../src/telemetry/triggers/index.js';
import { triggerAttributes } from '../../src/telemetry/triggers/index.js';
import { lambdaContext, TEST_ENV } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';

const DIR = new URL('../fixtures/events/', import.meta.url);
const load = (name: string): any => JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8'));

type Kind = 'SERVER' | 'CONSUMER';
type Context = { parent: string } | { root: string } | undefined;
interface Row {
  readonly source: TriggerSource;
  readonly kind: Kind;
  readonly attrs: Readonly<Record<string, string | number>>;
  readonly context: Context;
}
const row = (source: TriggerSource, kind: Kind, attrs: Record<string, string | number>, context: Context): Row => ({ source, kind, attrs, context });

/** `faas.trigger` per source, as the FaaS conventions define the values. */
const FAAS_TRIGGER: Record<TriggerSource, string> = {
  'apigateway-v1': 'http',
  'apigateway-v2': 'http',
  'apigateway-websocket': 'http',
  alb: 'http',
  'function-url': 'http',
  'vpc-lattice-v1': 'http',
  'vpc-lattice-v2': 'http',
  sqs: 'pubsub',
  sns: 'pubsub',
  eventbridge: 'pubsub',
  kinesis: 'pubsub',
  'kinesis-firehose': 'pubsub',
  'kafka-msk': 'pubsub',
  'kafka-self-managed': 'pubsub',
  'mq-activemq': 'pubsub',
  'mq-rabbitmq': 'pubsub',
  'cloudwatch-logs': 'pubsub',
  ses: 'pubsub',
  'dynamodb-stream': 'datasource',
  s3: 'datasource',
  codecommit: 'datasource',
  schedule: 'timer',
  's3-batch': 'other',
  cognito: 'other',
  'cloudformation-custom-resource': 'other',
  'secretsmanager-rotation': 'other',
  'config-rule': 'other',
  lex: 'other',
  alexa: 'other',
  'iot-button': 'other',
  other: 'other',
};

/** Each fixture: what it must give. Attributes are compared exactly (every key, every value). */
const TABLE: Record<string, Row> = {
  'alb-sample': row('alb', 'SERVER', {'http.request.method': 'GET', 'url.path': '/todos', 'url.query': 'parameter1=value1&parameter1=value2&parameter2=value', 'url.scheme': 'http', 'server.address': 'alb-c-LoadB-14POFKYCLBNSF-1815800096.eu-central-1.elb.amazonaws.com', 'server.port': 80, 'user_agent.original': 'curl/7.79.1', 'client.address': '123.123.123.123'}, { root: '62fa932721cdd4da4c6db451490a5fb7' }),
  'alb': row('alb', 'SERVER', {'http.request.method': 'GET', 'url.path': '/lambda', 'url.query': 'query=1234ABCD&q=a%20b', 'url.scheme': 'http', 'server.address': 'lambda-alb-123578498.us-east-1.elb.amazonaws.com', 'server.port': 80, 'user_agent.original': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/71.0.3578.98 Safari/537.36', 'client.address': '72.12.164.125'}, { root: '5c5363483d683b8b04734faae651f476' }),
  'alexa-skills-kit': row('alexa', 'SERVER', {}, undefined),
  'apigateway-v1-sample': row('apigateway-v1', 'SERVER', {'http.request.method': 'GET', 'url.path': '/my/path', 'url.query': 'parameter1=value1&parameter1=value2&parameter2=value', 'url.scheme': 'https', 'server.address': 'id.execute-api.us-east-1.amazonaws.com', 'http.route': '/my/path', 'user_agent.original': 'user-agent', 'client.address': '192.168.0.1/32', 'network.protocol.version': '1.1'}, undefined),
  'apigateway-v1': row('apigateway-v1', 'SERVER', {'http.request.method': 'GET', 'url.path': '/users/42', 'url.query': 'verbose=true&tag=a%20b&tag=b', 'url.scheme': 'https', 'server.address': 'abc123defg.execute-api.us-east-1.amazonaws.com', 'server.port': 443, 'http.route': '/users/{id}', 'user_agent.original': 'curl/8.4.0', 'client.address': '203.0.113.7', 'network.protocol.version': '1.1'}, { parent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
  'apigateway-v2-sample': row('apigateway-v2', 'SERVER', {'http.request.method': 'POST', 'url.path': '/my/path', 'url.query': 'parameter1=value1&parameter1=value2&parameter2=value', 'url.scheme': 'https', 'server.address': 'id.execute-api.us-east-1.amazonaws.com', 'user_agent.original': 'agent', 'client.address': '192.168.0.1/32', 'network.protocol.version': '1.1'}, undefined),
  'apigateway-v2': row('apigateway-v2', 'SERVER', {'http.request.method': 'POST', 'url.path': '/orders/991', 'url.query': 'expand=items&dryRun=1', 'url.scheme': 'https', 'server.address': 'r3pmxmplak.execute-api.us-east-2.amazonaws.com', 'server.port': 443, 'http.route': '/orders/{orderId}', 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)', 'client.address': '198.51.100.24', 'network.protocol.version': '1.1'}, { parent: '00-5e6722a7cc56a0b146db7ae02d4da47e-2c9e3f5a1b4d6e70-01' }),
  'apigateway-websocket-connect': row('apigateway-websocket', 'SERVER', {'http.request.method': 'GET', 'url.path': '/prod', 'url.scheme': 'wss', 'server.address': 'asasasas.execute-api.us-east-1.amazonaws.com', 'server.port': 443, 'http.route': '$connect', 'client.address': '166.90.225.1'}, { root: '6731ebfc08e1e656421db73c5d2eef31' }),
  'apigateway-websocket-disconnect': row('apigateway-websocket', 'SERVER', {'url.path': '/prod', 'url.scheme': 'wss', 'server.address': 'dl7ptocha9.execute-api.ap-northeast-1.amazonaws.com', 'http.route': '$disconnect', 'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36', 'client.address': '49.105.91.154'}, undefined),
  'apigateway-websocket-message': row('apigateway-websocket', 'SERVER', {'url.path': '/prod', 'url.scheme': 'wss', 'server.address': 'dl7ptocha9.execute-api.ap-northeast-1.amazonaws.com', 'http.route': '$default', 'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36', 'client.address': '49.105.91.154'}, undefined),
  'cloudformation-custom-resource': row('cloudformation-custom-resource', 'SERVER', {}, undefined),
  'cloudwatch-logs': row('cloudwatch-logs', 'CONSUMER', {}, undefined),
  'codecommit': row('codecommit', 'SERVER', {'faas.document.collection': 'my-repo', 'faas.document.operation': 'edit', 'faas.document.name': 'refs/heads/master', 'faas.document.time': '2018-01-26T15:58:33.475Z'}, undefined),
  'cognito-userpools-presignup': row('cognito', 'SERVER', {}, undefined),
  'config-rule': row('config-rule', 'SERVER', {}, undefined),
  'dynamodb-stream-sample': row('dynamodb-stream', 'SERVER', {'faas.document.collection': 'Example-Table', 'faas.document.operation': 'insert', 'faas.document.time': '2016-12-02T01:27:00.000Z'}, undefined),
  'dynamodb-stream': row('dynamodb-stream', 'SERVER', {'faas.document.collection': 'ExampleTableWithStream', 'faas.document.operation': 'insert'}, { parent: '00-55555555555555555555555555555555-6666666666666666-01' }),
  'eventbridge-sample': row('eventbridge', 'CONSUMER', {}, undefined),
  'eventbridge': row('eventbridge', 'CONSUMER', {}, { parent: '00-7d5d747be160e280504c099d984bcfe0-1d3d7e2ae7b4c3a9-01' }),
  'function-url-sample': row('function-url', 'SERVER', {'http.request.method': 'GET', 'url.path': '/', 'url.scheme': 'https', 'server.address': '<url-id>.lambda-url.us-east-1.on.aws', 'server.port': 443, 'user_agent.original': 'agent', 'client.address': '123.123.123.123', 'network.protocol.version': '1.1'}, { root: '62ecd1635f302e550dcde3b12402207d' }),
  'function-url': row('function-url', 'SERVER', {'http.request.method': 'POST', 'url.path': '/my/path', 'url.query': 'parameter1=value1&parameter1=value2&parameter2=value', 'url.scheme': 'https', 'server.address': 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.us-west-2.on.aws', 'user_agent.original': 'agent', 'client.address': '123.123.123.123', 'network.protocol.version': '1.1'}, { parent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }),
  'iot-button': row('iot-button', 'SERVER', {}, undefined),
  'kafka-msk': row('kafka-msk', 'CONSUMER', {'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'AWSKafkaTopic'}, undefined),
  'kafka-self-managed': row('kafka-self-managed', 'CONSUMER', {'messaging.system': 'kafka', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'mytopic'}, undefined),
  'kinesis-firehose': row('kinesis-firehose', 'CONSUMER', {}, undefined),
  'kinesis-sample': row('kinesis', 'CONSUMER', {'aws.kinesis.stream_name': 'lambda-stream'}, undefined),
  'kinesis': row('kinesis', 'CONSUMER', {'aws.kinesis.stream_name': 'lambda-stream'}, { parent: '00-11111111111111111111111111111111-2222222222222222-01' }),
  'lex-v1': row('lex', 'SERVER', {}, undefined),
  'mq-activemq': row('mq-activemq', 'CONSUMER', {'messaging.system': 'activemq', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'testQueue', 'messaging.message.id': 'ID:b-0f5b7522-2b41-4f85-a615-735a4e6d96b5-2.mq.us-west-2.amazonaws.com-34859-1598944546501-4:12:1:1:3'}, undefined),
  'mq-rabbitmq': row('mq-rabbitmq', 'CONSUMER', {'messaging.system': 'rabbitmq', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'test'}, undefined),
  's3-batch-v1': row('s3-batch', 'SERVER', {}, undefined),
  's3-batch-v2': row('s3-batch', 'SERVER', {}, undefined),
  's3-sample': row('s3', 'SERVER', {'faas.document.collection': 'lambda-artifacts-deafc19498e3f2df', 'faas.document.operation': 'insert', 'faas.document.name': 'b21b84d653bb07b05b1e6b33684dc11b', 'faas.document.time': '2019-09-03T19:37:27.192Z'}, undefined),
  's3': row('s3', 'SERVER', {'faas.document.collection': 'DOC-EXAMPLE-BUCKET', 'faas.document.operation': 'insert', 'faas.document.name': 'b21b84d653bb07b05b1e6b33684dc11b', 'faas.document.time': '2019-09-03T19:37:27.192Z'}, undefined),
  'schedule': row('schedule', 'SERVER', {'faas.time': '2019-03-01T01:23:45Z'}, undefined),
  'secretsmanager-rotation': row('secretsmanager-rotation', 'SERVER', {}, undefined),
  'ses': row('ses', 'CONSUMER', {}, undefined),
  'sns-sample': row('sns', 'CONSUMER', {'messaging.system': 'aws.sns', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'sns-lambda', 'messaging.message.id': '95df01b4-ee98-5cb9-9903-4c221d41eb5e', 'aws.sns.topic.arn': 'arn:aws:sns:us-east-2:123456789012:sns-lambda'}, undefined),
  'sns': row('sns', 'CONSUMER', {'messaging.system': 'aws.sns', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'sns-lambda', 'messaging.message.id': '95df01b4-ee98-5cb9-9903-4c221d41eb5e', 'aws.sns.topic.arn': 'arn:aws:sns:us-east-1:123456789012:sns-lambda'}, { parent: '00-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174-01' }),
  'sqs-sample': row('sqs', 'CONSUMER', {'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 2, 'messaging.destination.name': 'my-queue'}, undefined),
  'sqs-sns-envelope': row('sqs', 'CONSUMER', {'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 1, 'messaging.destination.name': 'my-queue', 'messaging.message.id': '3f2535e5-0000-459a-8184-9c92662be6db'}, { parent: '00-99999999999999999999999999999999-aaaaaaaaaaaaaaaa-01' }),
  'sqs': row('sqs', 'CONSUMER', {'messaging.system': 'aws_sqs', 'messaging.operation.type': 'process', 'messaging.operation.name': 'process', 'messaging.batch.message_count': 4, 'messaging.destination.name': 'my-queue'}, { parent: '00-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb-01' }),
  'vpc-lattice-v1': row('vpc-lattice-v1', 'SERVER', {'http.request.method': 'GET', 'url.path': '/testpath', 'url.query': 'order-id=1', 'url.scheme': 'https', 'server.address': 'test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws', 'client.address': '10.213.229.10'}, undefined),
  'vpc-lattice-v2-multivalue': row('vpc-lattice-v2', 'SERVER', {'http.request.method': 'GET', 'url.path': '/newpath', 'url.query': 'parameter1=value1&parameter1=value2&parameter2=value', 'url.scheme': 'https', 'server.address': 'lattice-svc-027b423199122da5f.7d67968.vpc-lattice-svcs.us-east-1.on.aws', 'user_agent.original': 'curl/8.3.0', 'client.address': '172.31.40.143'}, undefined),
  'vpc-lattice-v2': row('vpc-lattice-v2', 'SERVER', {'http.request.method': 'GET', 'url.path': '/newpath', 'url.query': 'order-id=1', 'url.scheme': 'https', 'server.address': 'test-lambda-service-3908sdf9u3u.dkfjd93.vpc-lattice-svcs.us-east-2.on.aws', 'client.address': '10.213.229.10'}, undefined),
};

/** The attributes the conventions require, per `faas.trigger` (and per messaging system). */
function requiredKeys(source: TriggerSource, attrs: Readonly<Record<string, unknown>>): string[] {
  switch (FAAS_TRIGGER[source]) {
    case 'http':
      // A WebSocket frame is no HTTP request: only $connect (the upgrade) has a method.
      return attrs['http.route'] === '$connect' || source !== 'apigateway-websocket'
        ? ['http.request.method', 'url.path', 'url.scheme']
        : ['url.path', 'url.scheme', 'http.route'];
    case 'datasource':
      return ['faas.document.collection', 'faas.document.operation'];
    default:
      break;
  }
  if (source === 'sqs' || source === 'sns' || source.startsWith('kafka-') || source.startsWith('mq-')) {
    return ['messaging.system', 'messaging.operation.type', 'messaging.operation.name', 'messaging.batch.message_count'];
  }
  return [];
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

describe('trigger fixtures', () => {
  test('every fixture has a row here and its source named in the README, and every row a fixture', () => {
    const readme = readFileSync(new URL('README.md', DIR), 'utf8');
    for (const f of files) {
      assert.ok(TABLE[f] !== undefined, `${f}.json has no row in TABLE`);
      assert.match(readme, new RegExp(`^\\| ${f.replace(/[.-]/g, '\\$&')}\\.json \\| \\S`, 'm'), `${f}.json has no source in README.md`);
    }
    assert.deepEqual(Object.keys(TABLE).sort(), files);
  });

  test('every trigger source but `other` has a fixture', () => {
    const covered = new Set(Object.values(TABLE).map((r) => r.source));
    for (const source of Object.keys(FAAS_TRIGGER) as TriggerSource[]) {
      if (source !== 'other') assert.ok(covered.has(source), `no fixture for ${source}`);
    }
  });

  for (const name of files) {
    const expected = TABLE[name];
    if (expected === undefined) continue;
    test(`${name}: trigger, kind, required attributes and trace context`, () => {
      const event = load(name);
      const trigger = detectTrigger(event);
      assert.deepEqual(trigger, { source: expected.source, faasTrigger: FAAS_TRIGGER[expected.source], spanKind: expected.kind });
      const attrs = triggerAttributes(event, trigger);
      assert.deepEqual(attrs, expected.attrs);
      for (const key of requiredKeys(expected.source, attrs)) assert.ok(attrs[key] !== undefined, `${name}: required ${key} missing`);
      if (attrs['messaging.system'] !== undefined) {
        assert.equal(attrs['messaging.operation.type'], 'process');
        assert.equal(expected.kind, 'CONSUMER', 'a messaging process span is a CONSUMER');
      }
      const carrier = extractParentCarrier(event, {}, trigger);
      if (expected.context === undefined) assert.equal(carrier, undefined);
      else if ('parent' in expected.context) assert.equal(carrier?.traceparent, expected.context.parent);
      else assert.deepEqual(carrier, { rootTraceId: expected.context.root });
    });
  }
});

describe('the invocation span of each fixture, through wrap()', () => {
  const saved = process.env._X_AMZN_TRACE_ID;
  before(() => delete process.env._X_AMZN_TRACE_ID);
  after(() => {
    if (saved !== undefined) process.env._X_AMZN_TRACE_ID = saved;
  });

  for (const name of files) {
    const expected = TABLE[name];
    if (expected === undefined) continue;
    test(name, async (t) => {
      const { sink } = installTestAgent(t);
      await wrap(async () => ({ statusCode: 200 }))(load(name), lambdaContext(`req-${name}`) as any);
      const [span, ...rest] = sink.spans() as Array<Record<string, any>>;
      assert.equal(rest.length, 0);
      assert.equal(span!.kind, expected.kind);
      assert.equal(span!.attributes['faas.trigger'], FAAS_TRIGGER[expected.source]);
      assert.equal(span!.attributes['faultline.trigger'], expected.source);
      for (const [key, value] of Object.entries(expected.attrs)) assert.equal(span!.attributes[key], value, key);
      // Span names: HTTP server `{method} {route}`, messaging `process {destination}`, else the function.
      const a = expected.attrs;
      const spanName =
        a['http.request.method'] !== undefined
          ? `${a['http.request.method']} ${a['http.route'] ?? a['url.path']}`
          : a['messaging.system'] !== undefined
            ? a['messaging.destination.name'] === undefined ? 'process' : `process ${a['messaging.destination.name']}`
            : TEST_ENV.AWS_LAMBDA_FUNCTION_NAME;
      assert.equal(span!.name, spanName);
      if (expected.context === undefined) {
        assert.equal(span!.parentSpanId, undefined);
      } else if ('parent' in expected.context) {
        assert.equal(span!.traceId, expected.context.parent.slice(3, 35));
        assert.equal(span!.parentSpanId, expected.context.parent.slice(36, 52));
      } else {
        assert.equal(span!.traceId, expected.context.root, 'the trace named by X-Amzn-Trace-Id Root is kept');
        assert.equal(span!.parentSpanId, undefined, 'and the invocation is its root');
      }
    });
  }
});

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const bytes = (s: string) => Array.from(Buffer.from(s, 'latin1')).map((b) => (b > 127 ? b - 256 : b)); // Java's signed bytes

/** Puts `headers` where the event of `source` carries request headers; false for sources without. */
function setHttpHeaders(source: TriggerSource, event: any, headers: Record<string, string>): boolean {
  if (FAAS_TRIGGER[source] !== 'http') return false;
  const lists = source === 'vpc-lattice-v2';
  event.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, lists ? [v] : v]));
  delete event.multiValueHeaders;
  return true;
}

describe('trace context placed where each trigger carries it', () => {
  for (const name of files) {
    const expected = TABLE[name];
    if (expected === undefined) continue;
    const { source } = expected;
    test(`${name}: a traceparent there is the parent`, () => {
      const event = load(name);
      if (setHttpHeaders(source, event, { TraceParent: TP })) {
        // any header case
      } else if (source === 'sqs') {
        event.Records[0].messageAttributes = { traceparent: { stringValue: TP, dataType: 'String' } };
      } else if (source === 'sns') {
        event.Records[0].Sns.MessageAttributes = { traceparent: { Type: 'String', Value: TP } };
      } else if (source === 'kafka-msk' || source === 'kafka-self-managed') {
        const first = Object.values(event.records as Record<string, any[]>)[0]![0];
        first.headers = [{ other: bytes('x') }, { traceparent: bytes(TP) }];
      } else if (source === 'eventbridge') {
        event.detail = { ...event.detail, traceparent: TP };
      } else if (source === 'mq-activemq') {
        event.messages[0].properties = { ...event.messages[0].properties, traceparent: TP };
      } else if (source === 'mq-rabbitmq') {
        const first = Object.values(event.rmqMessagesByQueue as Record<string, any[]>)[0]![0];
        first.basicProperties.headers = { ...first.basicProperties.headers, traceparent: { bytes: bytes(TP) } };
      } else {
        return;
      }
      assert.equal(extractParentCarrier(event)?.traceparent, TP);
    });
  }

  test('Kafka: every record with a traceparent header is a link, across partitions', async () => {
    const { recordLinks } = await import('../../src/telemetry/triggers/index.js');
    const event = load('kafka-msk');
    const record = Object.values(event.records as Record<string, any[]>)[0]![0];
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    event.records = {
      'a-0': [{ ...record, headers: [{ traceparent: bytes(TP) }] }, { ...record, headers: [] }],
      'b-1': [{ ...record, headers: [{ traceparent: bytes(other) }, { tracestate: bytes('k=v') }] }],
    };
    assert.deepEqual(recordLinks(event), [{ traceparent: TP }, { traceparent: other, tracestate: 'k=v' }]);
  });
});

test('Amazon MQ: every message with a context is a link (ActiveMQ properties, RabbitMQ headers as bytes or strings)', async () => {
  const { recordLinks } = await import('../../src/telemetry/triggers/index.js');
  const other = '00-11111111111111111111111111111111-2222222222222222-01';
  const active = load('mq-activemq');
  const message = active.messages[0];
  active.messages = [{ ...message, properties: { traceparent: TP } }, message, { ...message, properties: { traceparent: other, tracestate: 'k=v' } }];
  assert.deepEqual(recordLinks(active), [{ traceparent: TP }, { traceparent: other, tracestate: 'k=v' }]);
  const rabbit = load('mq-rabbitmq');
  const m = Object.values(rabbit.rmqMessagesByQueue as Record<string, any[]>)[0]![0];
  const withHeaders = (headers: object) => ({ ...m, basicProperties: { ...m.basicProperties, headers } });
  rabbit.rmqMessagesByQueue = { 'q1::/': [withHeaders({ traceparent: { bytes: bytes(TP) } })], 'q2::/': [withHeaders({ traceparent: other })] };
  assert.deepEqual(recordLinks(rabbit), [{ traceparent: TP }, { traceparent: other }]);
});

describe('X-Amzn-Trace-Id with a Root and no Parent', () => {
  const ROOT = '1-6731ebfc-08e1e656421db73c5d2eef31';
  const TRACE = '6731ebfc08e1e656421db73c5d2eef31';
  for (const name of files) {
    const expected = TABLE[name];
    if (expected === undefined || FAAS_TRIGGER[expected.source] !== 'http') continue;
    test(`${name}: its Root is the invocation's trace, unless the runtime's X-Ray span is in that trace`, () => {
      const event = load(name);
      setHttpHeaders(expected.source, event, { 'X-Amzn-Trace-Id': `Self=1-67891234-12456789abcdef012345678;Root=${ROOT};Sampled=0`, baggage: 'k=v' });
      assert.deepEqual(extractParentCarrier(event), { rootTraceId: TRACE, baggage: 'k=v' });
      // Lambda's own segment in another trace (ALB requests with active tracing): the request's trace wins.
      const elsewhere = 'Root=1-6a1b2c3d-0123456789abcdef01234567;Parent=fedcba9876543210;Sampled=1';
      assert.deepEqual(extractParentCarrier(event, { xrayEnv: elsewhere }), { rootTraceId: TRACE, baggage: 'k=v' });
      // Lambda's segment in the same trace (API Gateway with tracing): it is the parent.
      const same = `Root=${ROOT};Parent=fedcba9876543210;Sampled=1`;
      assert.deepEqual(extractParentCarrier(event, { xrayEnv: same }), { traceparent: `00-${TRACE}-fedcba9876543210-01`, baggage: 'k=v' });
    });
  }
});

describe('any event: nothing throws', () => {
  // Each fixture with one value anywhere in it replaced by an arbitrary JSON value (or deleted):
  // the shapes detection recognises, broken in every place a reader looks.
  const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    if (value === null || typeof value !== 'object') return [prefix];
    const out: (string | number)[][] = [prefix];
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, Array.isArray(value) ? Number(k) : k]));
    return out;
  };
  const run = (event: unknown) => {
    const trigger = detectTrigger(event);
    triggerAttributes(event, trigger);
    extractParentCarrier(event, { xrayEnv: 'Root=1-6a1b2c3d-0123456789abcdef01234567;Parent=fedcba9876543210;Sampled=1' }, trigger);
    recordLinksOf(event, trigger);
  };
  let recordLinksOf: typeof import('../../src/telemetry/triggers/index.js').recordLinks;
  before(async () => {
    recordLinksOf = (await import('../../src/telemetry/triggers/index.js')).recordLinks;
  });

  test('mutated fixtures', async () => {
    const fc = (await import('fast-check')).default;
    const events = files.map((f) => ({ name: f, event: load(f) }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: events.length - 1 }),
        fc.nat(),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (which, at, replacement) => {
          const { event } = events[which]!;
          const all = paths(event).filter((p) => p.length > 0);
          const path = all[at % all.length]!;
          const copy = structuredClone(event);
          let parent: any = copy;
          for (const k of path.slice(0, -1)) parent = parent[k];
          if (replacement === undefined) delete parent[path[path.length - 1]!];
          else parent[path[path.length - 1]!] = replacement;
          run(copy);
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  test('arbitrary JSON values', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(fc.property(fc.jsonValue(), (v) => run(v)), { numRuns: 1000, seed: 7 });
  });
});
