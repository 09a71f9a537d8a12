// A realistic API Gateway HTTP API (payload v2) event and Lambda context, the
// same for every tool. Ids come from fixed pools so making them costs nothing
// on the measured path, and consecutive invocations still differ.
import { randomBytes, randomUUID } from 'node:crypto';

const POOL = 256;
export const requestIds = Array.from({ length: POOL }, () => randomUUID());
export const xrayHeaders = Array.from({ length: POOL }, () => {
  const t = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${t}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
});

const EVENT = JSON.stringify({
  version: '2.0',
  routeKey: 'GET /orders/{id}',
  rawPath: '/orders/42',
  rawQueryString: 'expand=items&currency=EUR',
  cookies: ['session=abc123'],
  headers: {
    accept: 'application/json',
    'accept-encoding': 'gzip, deflate, br',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.bench',
    'content-length': '0',
    host: 'abc123.execute-api.us-east-1.amazonaws.com',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
    'x-amzn-trace-id': 'Root=1-67890abc-0123456789abcdef01234567',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  },
  queryStringParameters: { expand: 'items', currency: 'EUR' },
  pathParameters: { id: '42' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'abc123',
    http: { method: 'GET', path: '/orders/42', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench' },
    requestId: 'JKJaXmPLvHcESHA=',
    routeKey: 'GET /orders/{id}',
    stage: '$default',
    time: '01/Jan/2026:00:00:00 +0000',
    timeEpoch: 1767225600000,
  },
  isBase64Encoded: false,
});

/** A fresh event, as the runtime parses one per invocation. */
export function apiGatewayV2Event() {
  return JSON.parse(EVENT);
}

/** The context object the Node.js runtime passes, with a 30 s deadline. */
export function lambdaContext(i) {
  const deadline = Date.now() + 30_000;
  const fn = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench-fn';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestIds[i % POOL],
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '2026/01/01/[$LATEST]0123',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
}

/** What the runtime does before each invocation: the X-Ray header of this request. */
export function setTraceHeader(i) {
  process.env._X_AMZN_TRACE_ID = xrayHeaders[i % POOL];
}
