// The wire errors of query, REST-XML, REST-JSON, JSON and RPC v2 CBOR services, parsed by
// the real SDK clients pointed at a local server the fault never reaches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, LimitExceededFault, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { startTargetServer } from '../../helpers/targetServer.js';
import { useWireFaults } from '../../helpers/wireFaults.js';

interface SdkError {
  name: string;
  message: string;
  $fault?: string;
  $metadata: { httpStatusCode?: number; attempts?: number; requestId?: string };
}

describe('AWS protocol errors at the wire', () => {
  const harness = useWireFaults(startTargetServer, { reset: (t) => t.reset() });
  const { engine } = harness;
  const common = () => ({
    endpoint: harness.server.origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });

  const awsError = (code: string) => () => ({ type: 'error' as const, error: { kind: 'aws' as const, code } });

  // CloudWatch's model over two wire protocols: JSON 1.0 (today's default) and
  // Smithy RPC v2 CBOR (as newer SDKs build it for CBOR services), both asking for query-compatible errors.
  const cloudWatchWires = [
    { wire: 'JSON 1.0', protocol: undefined, path: '/' },
    { wire: 'Smithy RPC v2 CBOR', protocol: AwsSmithyRpcV2CborProtocol, path: '/service/GraniteServiceVersion20100801/operation/PutMetricData' },
  ] as const;
  for (const { wire, protocol, path } of cloudWatchWires) {
    test(`CloudWatch over ${wire} (query-compatible): LimitExceeded is the SDK's LimitExceededFault; internal errors are 500s it retries`, async () => {
      const cw = new CloudWatchClient({ ...common(), maxAttempts: 2, ...(protocol !== undefined ? { protocol } : {}) });
      const put = () => cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Orders', Value: 1 }] })).catch((e: unknown) => e);
      engine.reset(awsError('LimitExceeded'));
      const limit = (await put()) as SdkError;
      assert.ok(limit instanceof LimitExceededFault, `got ${limit.name}: ${limit.message}`);
      assert.equal(limit.message, 'LimitExceeded', "the message came out of the service's body");
      assert.equal(limit.$metadata.httpStatusCode, 400);
      assert.equal(limit.$metadata.attempts, 1, 'not retried: a client error');
      assert.deepEqual(engine.calls.at(-1), { kind: 'aws', service: 'monitoring', operation: 'PutMetricData', host: '127.0.0.1', path });

      engine.reset(awsError('InternalServiceError'));
      const internal = (await put()) as SdkError;
      cw.destroy();
      assert.equal(internal.name, 'InternalServiceFault');
      assert.equal(internal.$metadata.httpStatusCode, 500);
      assert.equal(internal.$metadata.attempts, 2, 'retried as a server error');
      assert.equal(harness.server.seen.length, 0);
    });
  }

  test('S3 (REST-XML): SlowDown is a 503 the SDK retries', async () => {
    const s3 = new S3Client({ ...common(), forcePathStyle: true, maxAttempts: 2 });
    engine.reset(awsError('SlowDown'));
    const err = (await s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k' })).catch((e: unknown) => e)) as SdkError;
    s3.destroy();
    assert.equal(err.name, 'SlowDown');
    assert.equal(err.message, 'Please reduce your request rate.');
    assert.equal(err.$metadata.httpStatusCode, 503);
    assert.equal(err.$metadata.attempts, 2);
    assert.equal(harness.server.seen.length, 0);
    assert.deepEqual(engine.calls[0], { kind: 'aws', service: 's3', operation: 'GetObject', host: '127.0.0.1', path: '/bkt/k' });
  });

  test('S3 NoSuchKey: the modeled exception class', async () => {
    const s3 = new S3Client({ ...common(), forcePathStyle: true, maxAttempts: 1 });
    engine.reset(awsError('NoSuchKey'));
    const err = (await s3.send(new GetObjectCommand({ Bucket: 'bkt', Key: 'k' })).catch((e: unknown) => e)) as SdkError;
    s3.destroy();
    assert.equal(err.name, 'NoSuchKey');
    assert.equal(err.$metadata.httpStatusCode, 404);
  });

  test('S3 HEAD: no body, the SDK names the error from the status', async () => {
    const s3 = new S3Client({ ...common(), forcePathStyle: true, maxAttempts: 1 });
    engine.reset(awsError('NoSuchKey'));
    const err = (await s3.send(new HeadObjectCommand({ Bucket: 'bkt', Key: 'k' })).catch((e: unknown) => e)) as SdkError;
    s3.destroy();
    assert.equal(err.name, 'NotFound');
    assert.equal(err.$metadata.httpStatusCode, 404);
  });

  test('SNS (query): Throttling with the Sender fault', async () => {
    const sns = new SNSClient({ ...common(), maxAttempts: 1 });
    engine.reset((c) => (c.service === 'sns' ? awsError('Throttling')() : undefined));
    const err = (await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })).catch((e: unknown) => e)) as SdkError;
    sns.destroy();
    assert.equal(err.name, 'Throttling');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.match(err.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(harness.server.seen.length, 0);
  });

  test('SNS (query): a rule on the operation matches, though the operation is only in the body', async () => {
    const sns = new SNSClient({ ...common(), maxAttempts: 1 });
    engine.reset((c) => (c.service === 'sns' && c.operation === 'Publish' ? awsError('InternalError')() : undefined));
    harness.otel.exporter.reset();
    const err = (await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })).catch((e: unknown) => e)) as SdkError;
    // SNS sends the code InternalError; the SDK maps it to its modeled class.
    assert.equal(err.name, 'InternalErrorException');
    assert.equal(err.$metadata.httpStatusCode, 500);
    assert.deepEqual(engine.calls, [{ kind: 'aws', service: 'sns', operation: 'Publish', host: '127.0.0.1', path: '/' }]);
    assert.equal(harness.otel.spans()[0]?.name, 'SNS.Publish');
    assert.equal(harness.server.seen.length, 0);
    // No matching rule: the held request goes out to the server through the client's own agent.
    engine.reset();
    await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })).catch(() => undefined);
    sns.destroy();
    assert.equal(harness.server.seen.length, 1);
    assert.equal(harness.server.seen[0]?.method, 'POST');
  });

  test('SNS (query): latency on the operation, then the real call', async () => {
    const sns = new SNSClient({ ...common(), maxAttempts: 1 });
    engine.reset((c) => (c.operation === 'Publish' ? { type: 'latency', latencyMs: 100, jitterMs: 0 } : undefined));
    const t0 = Date.now();
    await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })).catch(() => undefined);
    sns.destroy();
    assert.ok(Date.now() - t0 >= 90);
    assert.equal(harness.server.seen.length, 1);
  });

  test('STS (query): ExpiredToken', async () => {
    const sts = new STSClient({ ...common(), maxAttempts: 1 });
    engine.reset(awsError('ExpiredTokenException'));
    const err = (await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e)) as SdkError;
    sts.destroy();
    assert.equal(err.name, 'ExpiredTokenException');
    assert.equal(err.$metadata.httpStatusCode, 400);
  });

  test('CloudFormation (query): InternalFailure is a server fault', async () => {
    const cfn = new CloudFormationClient({ ...common(), maxAttempts: 1 });
    engine.reset(awsError('InternalFailure'));
    const err = (await cfn.send(new DescribeStacksCommand({})).catch((e: unknown) => e)) as SdkError;
    cfn.destroy();
    assert.equal(err.name, 'InternalFailure');
    assert.equal(err.$fault, 'server');
    assert.equal(err.$metadata.httpStatusCode, 500);
  });

  test('Lambda (REST-JSON): TooManyRequestsException 429, retried', async () => {
    const lambda = new LambdaClient({ ...common(), maxAttempts: 2 });
    engine.reset(awsError('TooManyRequestsException'));
    const err = (await lambda.send(new InvokeCommand({ FunctionName: 'fn', Payload: Buffer.from('{}') })).catch((e: unknown) => e)) as SdkError;
    lambda.destroy();
    assert.ok(err instanceof TooManyRequestsException, String(err));
    assert.equal(err.message, 'Rate Exceeded.');
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(err.$metadata.attempts, 2);
    assert.equal(engine.calls[0]?.operation, 'Invoke');
    assert.equal(harness.server.seen.length, 0);
  });

  test('Lambda ResourceNotFoundException is a 404', async () => {
    const lambda = new LambdaClient({ ...common(), maxAttempts: 1 });
    engine.reset(awsError('ResourceNotFoundException'));
    const err = (await lambda.send(new InvokeCommand({ FunctionName: 'fn' })).catch((e: unknown) => e)) as SdkError;
    lambda.destroy();
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.$metadata.httpStatusCode, 404);
  });

  test('SQS (JSON 1.0): QueueDoesNotExist', async () => {
    const sqs = new SQSClient({ ...common(), maxAttempts: 1 });
    engine.reset(awsError('QueueDoesNotExist'));
    const err = (await sqs.send(new SendMessageCommand({ QueueUrl: `${harness.server.origin}/123/q`, MessageBody: 'm' })).catch((e: unknown) => e)) as SdkError;
    sqs.destroy();
    assert.equal(err.name, 'QueueDoesNotExist');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(engine.calls[0]?.operation, 'SendMessage');
    assert.equal(harness.server.seen.length, 0);
  });
});
