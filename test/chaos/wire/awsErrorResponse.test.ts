import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cbor, loadSmithyRpcV2CborErrorCode } from '@smithy/core/cbor';
import { awsCodeForStatus, awsErrorResponse, awsErrorStatus, type WireResponse } from '../../../src/chaos/wire/awsErrorResponse.js';
import type { AwsProtocol } from '../../../src/instrument/awsCall.js';

/** The body of a text protocol's response. */
function textBody(r: WireResponse): string {
  assert.equal(typeof r.body, 'string', 'a text protocol answers with text');
  return r.body as string;
}

describe('awsErrorStatus', () => {
  const table: [string, string, AwsProtocol, number][] = [
    ['ProvisionedThroughputExceededException', 'dynamodb', 'json', 400],
    ['ThrottlingException', 'dynamodb', 'json', 400],
    ['RequestLimitExceeded', 'dynamodb', 'json', 400],
    ['RequestLimitExceeded', 'ec2', 'ec2', 503],
    ['InternalServerError', 'dynamodb', 'json', 500],
    ['ServiceUnavailable', 'sns', 'query', 503],
    ['SlowDown', 's3', 'rest-xml', 503],
    ['AccessDenied', 's3', 'rest-xml', 403],
    ['NoSuchKey', 's3', 'rest-xml', 404],
    ['TooManyRequestsException', 'lambda', 'rest-json', 429],
    ['ResourceNotFoundException', 'dynamodb', 'json', 400],
    ['ResourceNotFoundException', 'lambda', 'rest-json', 404],
    ['AccessDeniedException', 'dynamodb', 'json', 400],
    ['AccessDeniedException', 'lambda', 'rest-json', 403],
    // unknown codes: from what the name says
    ['SomethingInternalBroke', 'x', 'json', 500],
    ['WidgetUnavailable', 'x', 'json', 503],
    ['WidgetNotFound', 'x', 'rest-json', 404],
    ['WidgetNotFound', 'x', 'json', 400],
    ['TooManyWidgets', 'x', 'rest-json', 429],
    ['MadeUpError', 'x', 'query', 400],
  ];
  for (const [code, service, protocol, status] of table) {
    test(`${service} ${code} → ${status}`, () => assert.equal(awsErrorStatus(code, service, protocol), status));
  }
});

describe('awsErrorResponse bodies per protocol', () => {
  test('JSON 1.0 (DynamoDB): __type with the service namespace, the request content type', () => {
    const r = awsErrorResponse('ProvisionedThroughputExceededException', {
      service: 'dynamodb',
      protocol: 'json',
      contentType: 'application/x-amz-json-1.0',
      requestId: 'RID',
    });
    assert.equal(r.status, 400);
    assert.equal(r.headers['x-amzn-requestid'], 'RID');
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.0');
    assert.deepEqual(JSON.parse(textBody(r)), {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message:
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    });
  });

  test('JSON 1.1 (CloudWatch Logs) keeps 1.1', () => {
    const r = awsErrorResponse('ThrottlingException', { service: 'logs', protocol: 'json', contentType: 'application/x-amz-json-1.1', requestId: 'R' });
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
  });

  test("SQS JSON carries the query-compatible error header with the model's awsQueryError code", () => {
    const r = awsErrorResponse('QueueDoesNotExist', { service: 'sqs', protocol: 'json', requestId: 'R' });
    assert.equal(r.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    assert.equal(r.headers['x-amzn-errortype'], 'QueueDoesNotExist');
    assert.equal(JSON.parse(textBody(r)).__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  });

  test('query (SNS): ErrorResponse with Type, Code, Message and RequestId', () => {
    const r = awsErrorResponse('InternalFailure', { service: 'sns', protocol: 'query', requestId: 'RID' });
    assert.equal(r.status, 500);
    assert.equal(r.headers['content-type'], 'text/xml');
    assert.equal(
      r.body,
      '<ErrorResponse xmlns="https://sns.amazonaws.com/doc/"><Error><Type>Receiver</Type><Code>InternalFailure</Code>' +
        '<Message>The request processing has failed because of an unknown error, exception or failure.</Message></Error>' +
        '<RequestId>RID</RequestId></ErrorResponse>',
    );
  });

  test('REST-XML (S3): Error with Code, Message, RequestId; request id headers', () => {
    const r = awsErrorResponse('SlowDown', { service: 's3', protocol: 'rest-xml', requestId: 'RID' });
    assert.equal(r.status, 503);
    assert.equal(r.headers['x-amz-request-id'], 'RID');
    assert.match(textBody(r), /<Error><Code>SlowDown<\/Code><Message>Please reduce your request rate.<\/Message><RequestId>RID<\/RequestId>/);
  });

  test('REST-XML HEAD has no body', () => {
    assert.equal(awsErrorResponse('NoSuchKey', { service: 's3', protocol: 'rest-xml', method: 'HEAD', requestId: 'R' }).body, '');
  });

  test('REST-JSON (Lambda): x-amzn-errortype and a User body', () => {
    const r = awsErrorResponse('TooManyRequestsException', { service: 'lambda', protocol: 'rest-json', requestId: 'RID' });
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException');
    assert.deepEqual(JSON.parse(textBody(r)), { Type: 'User', message: 'Rate Exceeded.' });
  });

  test('EC2: Response/Errors/Error', () => {
    const r = awsErrorResponse('RequestLimitExceeded', { service: 'ec2', protocol: 'ec2', requestId: 'RID' });
    assert.equal(r.status, 503);
    assert.match(textBody(r), /<Response><Errors><Error><Code>RequestLimitExceeded<\/Code>.*<RequestID>RID<\/RequestID><\/Response>/);
  });

  test('XML special characters in codes are escaped', () => {
    assert.match(textBody(awsErrorResponse('A<B', { service: 'sns', protocol: 'query', requestId: 'R' })), /<Code>A&lt;B<\/Code>/);
  });
});

describe('awsCodeForStatus', () => {
  test('common statuses', () => {
    assert.equal(awsCodeForStatus(503, 's3', 'rest-xml'), 'SlowDown');
    assert.equal(awsCodeForStatus(503, 'dynamodb', 'json'), 'ServiceUnavailable');
    assert.equal(awsCodeForStatus(500, 'sts', 'query'), 'InternalFailure');
    assert.equal(awsCodeForStatus(429, 'lambda', 'rest-json'), 'TooManyRequestsException');
    assert.equal(awsCodeForStatus(429, 'dynamodb', 'json'), 'ThrottlingException');
  });

  test("the service's own error for the status, where its model has exactly one", () => {
    assert.equal(awsCodeForStatus(429, 'sns', 'query'), 'ThrottledException');
    assert.equal(awsCodeForStatus(500, 'sns', 'query'), 'InternalErrorException');
    assert.equal(awsCodeForStatus(500, 'monitoring', 'json'), 'InternalServiceFault');
    assert.equal(awsCodeForStatus(500, 'lambda', 'rest-json'), 'ServiceException');
    // Lambda models many 502s: none is the one.
    assert.equal(awsCodeForStatus(502, 'lambda', 'rest-json'), 'InternalServerError');
    // CloudWatch's 429 is ConcurrentModificationException, not a throttle.
    assert.equal(awsCodeForStatus(429, 'monitoring', 'query'), 'ThrottlingException');
  });

  test('RPC v2 CBOR (CloudWatch): smithy-protocol header, a CBOR map with __type and message, the query error when asked', () => {
    const r = awsErrorResponse('LimitExceeded', { service: 'monitoring', protocol: 'rpcv2-cbor', requestId: 'RID', queryCompatible: true });
    assert.equal(r.status, 400);
    assert.equal(r.headers['smithy-protocol'], 'rpc-v2-cbor');
    assert.equal(r.headers['content-type'], 'application/cbor');
    assert.equal(r.headers['x-amzn-requestid'], 'RID');
    assert.equal(r.headers['x-amzn-query-error'], 'LimitExceeded;Sender');
    assert.ok(r.body instanceof Uint8Array);
    const data = cbor.deserialize(r.body) as Record<string, unknown>;
    // The rule named the query code; the body names the shape, as the service does.
    assert.deepEqual(data, { __type: 'com.amazonaws.cloudwatch#LimitExceededFault', message: 'LimitExceeded' });
    assert.equal(loadSmithyRpcV2CborErrorCode({ statusCode: 400, headers: {} } as never, data), 'com.amazonaws.cloudwatch#LimitExceededFault');

    const plain = awsErrorResponse('InternalServerError', { service: 'arc-region-switch', protocol: 'rpcv2-cbor', requestId: 'R2' });
    assert.equal(plain.status, 500);
    assert.equal(plain.headers['x-amzn-query-error'], undefined);
  });

  test('JSON 1.0 asked for query-compatible errors gets x-amzn-query-error too', () => {
    const r = awsErrorResponse('InternalServiceError', { service: 'monitoring', protocol: 'json', requestId: 'R', queryCompatible: true });
    assert.equal(r.headers['x-amzn-query-error'], 'InternalServiceError;Receiver');
  });
});
