import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { awsCallOf, awsRequestId, protocolOf, protocolOfRequest, serviceFromHost, type WireRequest } from '../../src/instrument/awsCall.js';

const sig = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
});

const cases: [string, WireRequest, { service: string; operation: string | undefined } | undefined][] = [
  [
    'DynamoDB JSON via host',
    { host: 'dynamodb.us-east-1.amazonaws.com', method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' } },
    { service: 'dynamodb', operation: 'GetItem' },
  ],
  [
    'dynalite on 127.0.0.1 via credential scope',
    { host: '127.0.0.1', method: 'POST', path: '/', headers: { ...sig('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.PutItem' } },
    { service: 'dynamodb', operation: 'PutItem' },
  ],
  [
    'SQS JSON 1.0',
    { host: 'sqs.eu-west-1.amazonaws.com', method: 'POST', path: '/', headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } },
    { service: 'sqs', operation: 'SendMessage' },
  ],
  ['legacy SQS host', { host: 'queue.amazonaws.com', method: 'POST', path: '/?Action=SendMessage', headers: {} }, { service: 'sqs', operation: 'SendMessage' }],
  [
    'SNS query protocol, Action in the body',
    { host: 'sns.us-east-1.amazonaws.com', method: 'POST', path: '/', headers: {}, body: 'Action=Publish&Version=2010-03-31&TopicArn=x' },
    { service: 'sns', operation: 'Publish' },
  ],
  ['SNS query, body not yet known', { host: 'sns.us-east-1.amazonaws.com', method: 'POST', path: '/', headers: {} }, { service: 'sns', operation: undefined }],
  ['STS global endpoint', { host: 'sts.amazonaws.com', method: 'GET', path: '/?Action=GetCallerIdentity&Version=2011-06-15', headers: {} }, { service: 'sts', operation: 'GetCallerIdentity' }],
  ['S3 virtual-hosted GetObject', { host: 'my-bucket.s3.us-east-1.amazonaws.com', method: 'GET', path: '/a/b.txt', headers: {} }, { service: 's3', operation: 'GetObject' }],
  ['S3 x-id wins', { host: 'my-bucket.s3.us-east-1.amazonaws.com', method: 'PUT', path: '/k?x-id=PutObject', headers: {} }, { service: 's3', operation: 'PutObject' }],
  ['S3 path-style ListObjectsV2 on a local endpoint', { host: '127.0.0.1', method: 'GET', path: '/bkt?list-type=2', headers: sig('s3') }, { service: 's3', operation: 'ListObjectsV2' }],
  ['S3 path-style HeadObject', { host: 's3.us-east-1.amazonaws.com', method: 'HEAD', path: '/bkt/key', headers: {} }, { service: 's3', operation: 'HeadObject' }],
  ['S3 CopyObject', { host: 'b.s3.amazonaws.com', method: 'PUT', path: '/k', headers: { 'x-amz-copy-source': '/a/b' } }, { service: 's3', operation: 'CopyObject' }],
  ['S3 ListBuckets', { host: 's3.us-east-1.amazonaws.com', method: 'GET', path: '/', headers: {} }, { service: 's3', operation: 'ListBuckets' }],
  ['S3 DeleteObjects', { host: 'b.s3.us-east-1.amazonaws.com', method: 'POST', path: '/?delete', headers: {} }, { service: 's3', operation: 'DeleteObjects' }],
  [
    'Lambda Invoke',
    { host: 'lambda.us-east-1.amazonaws.com', method: 'POST', path: '/2015-03-31/functions/my-fn/invocations', headers: {} },
    { service: 'lambda', operation: 'Invoke' },
  ],
  ['Lambda GetFunction', { host: 'lambda.us-east-1.amazonaws.com', method: 'GET', path: '/2015-03-31/functions/my-fn', headers: {} }, { service: 'lambda', operation: 'GetFunction' }],
  ['Lambda ListFunctions', { host: 'lambda.us-east-1.amazonaws.com', method: 'GET', path: '/2015-03-31/functions/', headers: {} }, { service: 'lambda', operation: 'ListFunctions' }],
  ['CloudWatch Logs JSON 1.1', { host: 'logs.us-east-1.amazonaws.com', method: 'POST', path: '/', headers: { 'x-amz-target': 'Logs_20140328.PutLogEvents' } }, { service: 'logs', operation: 'PutLogEvents' }],
  ['FIPS endpoint', { host: 'dynamodb-fips.us-east-1.amazonaws.com', method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.Query' } }, { service: 'dynamodb', operation: 'Query' }],
  ['China partition', { host: 'dynamodb.cn-north-1.amazonaws.com.cn', method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.Scan' } }, { service: 'dynamodb', operation: 'Scan' }],
  ['presigned S3 URL on a custom host', { host: 'files.example.com', method: 'GET', path: '/bkt/k?X-Amz-Credential=AKID%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=x', headers: {} }, { service: 's3', operation: 'GetObject' }],
  ['plain HTTP', { host: 'api.example.com', method: 'GET', path: '/v1/users', headers: {} }, undefined],
  ['API Gateway endpoint is the user API, not AWS', { host: 'abc123.execute-api.us-east-1.amazonaws.com', method: 'GET', path: '/prod/x', headers: {} }, undefined],
  ['local plain HTTP', { host: '127.0.0.1', method: 'POST', path: '/', headers: { authorization: 'Bearer abc' } }, undefined],
];

describe('awsCallOf', () => {
  for (const [name, req, expected] of cases) {
    test(name, () => assert.deepEqual(awsCallOf(req), expected));
  }
});

describe('serviceFromHost', () => {
  test('non-AWS hosts', () => {
    assert.equal(serviceFromHost('example.com'), undefined);
    assert.equal(serviceFromHost('amazonaws.com.evil.example'), undefined);
  });
});

describe('protocols', () => {
  const table: [string, string][] = [
    ['dynamodb', 'json'],
    ['sqs', 'json'],
    ['sns', 'query'],
    ['sts', 'query'],
    ['cloudformation', 'query'],
    ['s3', 'rest-xml'],
    ['lambda', 'rest-json'],
    ['ec2', 'ec2'],
    ['somethingnew', 'rest-json'],
  ];
  for (const [svc, p] of table) test(`${svc} → ${p}`, () => assert.equal(protocolOf(svc), p));
  test('an old SDK sending SQS as query protocol', () => {
    assert.equal(protocolOfRequest('sqs', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }), 'query');
    assert.equal(protocolOfRequest('sqs', { 'x-amz-target': 'AmazonSQS.SendMessage' }), 'json');
  });
  test('Smithy RPC v2 CBOR: the smithy-protocol header wins; the operation is in the path', () => {
    const headers = {
      'smithy-protocol': 'rpc-v2-cbor',
      'content-type': 'application/cbor',
      authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=abc',
    };
    assert.equal(protocolOfRequest('monitoring', headers), 'rpcv2-cbor');
    const req: WireRequest = { host: '127.0.0.1', method: 'POST', path: '/service/GraniteServiceVersion20100801/operation/PutMetricData', headers };
    assert.deepEqual(awsCallOf(req), { service: 'monitoring', operation: 'PutMetricData' });
    // the same path without the header is not read as RPC v2
    const { 'smithy-protocol': _p, ...noHeader } = headers;
    assert.equal(awsCallOf({ ...req, headers: noHeader })?.operation, undefined);
  });
});

describe('awsRequestId', () => {
  test('JSON services and S3', () => {
    assert.equal(awsRequestId({ 'x-amzn-requestid': 'R1' }), 'R1');
    assert.equal(awsRequestId({ 'x-amz-request-id': 'S3R' }), 'S3R');
    assert.equal(awsRequestId({}), undefined);
  });
});
