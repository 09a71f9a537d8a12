// Pure: which AWS service and operation an outgoing HTTP request is, from what
// is on the wire (host, SigV4 credential scope, x-amz-target, query Action, RPC v2 path,
// REST path shape). Works for the SDK a function bundles itself and for local
// endpoints (dynalite, AWS_ENDPOINT_URL*), where only the signature says "AWS".

import { headerValue, isCborRequest, type HeaderBag } from '../awsProtocol.js';
import type { AwsCall } from '../seam.js';

export { headerValue, protocolOf, protocolOfRequest, type AwsProtocol, type HeaderBag } from '../awsProtocol.js';
export type { AwsCall } from '../seam.js';

export interface WireRequest {
  readonly host: string;
  readonly method: string;
  /** Path with query string, as sent. */
  readonly path: string;
  readonly headers: HeaderBag;
  /** The form body of a query-protocol request, when known. */
  readonly body?: string | undefined;
}

/** Display names of services (span names, `rpc.method`), after the SDK's service ids. */
const RPC_SERVICE: Readonly<Record<string, string>> = {
  dynamodb: 'DynamoDB',
  s3: 'S3',
  sqs: 'SQS',
  sns: 'SNS',
  lambda: 'Lambda',
  sts: 'STS',
  cloudformation: 'CloudFormation',
  logs: 'CloudWatchLogs',
  monitoring: 'CloudWatch',
  events: 'EventBridge',
  kinesis: 'Kinesis',
  firehose: 'Firehose',
  states: 'SFN',
  secretsmanager: 'SecretsManager',
  ssm: 'SSM',
  kms: 'KMS',
  iam: 'IAM',
  ses: 'SES',
  email: 'SES',
  ec2: 'EC2',
  'execute-api': 'ApiGatewayManagementApi',
  apigateway: 'APIGateway',
  appsync: 'AppSync',
  'cognito-idp': 'CognitoIdentityProvider',
  xray: 'XRay',
  scheduler: 'Scheduler',
  athena: 'Athena',
  glue: 'Glue',
  ecs: 'ECS',
  rds: 'RDS',
  elasticache: 'ElastiCache',
};

export function rpcServiceName(service: string): string {
  return RPC_SERVICE[service] ?? service;
}

/** The fully-qualified `rpc.method` of an AWS call: `DynamoDB/GetItem`. */
export function rpcMethod(service: string, operation: string): string {
  return `${rpcServiceName(service)}/${operation}`;
}

/** `…/service/{ServiceName}/operation/{Operation}`: where RPC v2 puts the operation. */
const RPC_V2_PATH = /\/service\/[^/]+\/operation\/([^/]+)$/;

const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** The SigV4 signing name from `authorization` (or the presigned `X-Amz-Credential`). */
function signedService(headers: HeaderBag, path: string): string | undefined {
  const auth = headerValue(headers, 'authorization');
  if (auth !== undefined) {
    const m = CREDENTIAL_SCOPE.exec(auth);
    if (m) return m[1];
  }
  const q = path.indexOf('X-Amz-Credential=');
  if (q !== -1) {
    const raw = decodeURIComponent(path.slice(q + 17).split('&', 1)[0] ?? '');
    const parts = raw.split('/');
    if (parts.length === 5 && parts[4] === 'aws4_request') return parts[3];
  }
  return undefined;
}

/** Service from an `*.amazonaws.com` host, or undefined for other hosts. */
export function serviceFromHost(host: string): string | undefined {
  const h = host.toLowerCase();
  let base: string;
  if (h.endsWith('.amazonaws.com')) base = h.slice(0, -14);
  else if (h.endsWith('.amazonaws.com.cn')) base = h.slice(0, -17);
  else if (h.endsWith('.api.aws')) base = h.slice(0, -8);
  else return undefined;
  const labels = base.split('.');
  // Virtual-hosted S3: <bucket>.s3.<region>, <bucket>.s3, <bucket>.s3-accelerate, s3.dualstack.<region>
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === 's3' || l.startsWith('s3-') || l === 's3-accelerate') return 's3';
  }
  // Endpoints that front the user's own APIs, not AWS APIs.
  if (labels.includes('execute-api') || labels.includes('lambda-url')) return undefined;
  const first = labels[0];
  if (first === undefined || first === '') return undefined;
  if (first === 'queue') return 'sqs';
  return first.endsWith('-fips') ? first.slice(0, -5) : first;
}

function splitPath(path: string): { pathname: string; query: string } {
  const q = path.indexOf('?');
  return q === -1 ? { pathname: path, query: '' } : { pathname: path.slice(0, q), query: path.slice(q + 1) };
}

/** Value of `name` in a form/query string, or undefined; `present` when the key appears without a value. */
function formParam(form: string, name: string): string | undefined {
  for (const pair of form.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    if (key === name) return eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
  }
  return undefined;
}

function hasParam(query: string, name: string): boolean {
  return formParam(query, name) !== undefined;
}

function s3Operation(req: WireRequest, pathname: string, query: string): string | undefined {
  const xid = formParam(query, 'x-id');
  if (xid) return xid;
  const host = req.host.toLowerCase();
  const bucketInHost = /^.+\.s3[.-]/.test(host) && !/^s3[.-]/.test(host);
  const segments = pathname.split('/').filter((s) => s !== '');
  const hasBucket = bucketInHost || segments.length > 0;
  const hasKey = bucketInHost ? segments.length > 0 : segments.length > 1;
  const m = req.method.toUpperCase();
  if (!hasBucket) return m === 'GET' ? 'ListBuckets' : undefined;
  if (!hasKey) {
    switch (m) {
      case 'GET':
        if (hasParam(query, 'list-type')) return 'ListObjectsV2';
        if (hasParam(query, 'location')) return 'GetBucketLocation';
        if (hasParam(query, 'uploads')) return 'ListMultipartUploads';
        if (hasParam(query, 'versions')) return 'ListObjectVersions';
        if (hasParam(query, 'policy')) return 'GetBucketPolicy';
        return 'ListObjects';
      case 'PUT':
        if (hasParam(query, 'policy')) return 'PutBucketPolicy';
        return 'CreateBucket';
      case 'DELETE':
        return 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'POST':
        return hasParam(query, 'delete') ? 'DeleteObjects' : undefined;
      default:
        return undefined;
    }
  }
  switch (m) {
    case 'GET':
      if (hasParam(query, 'tagging')) return 'GetObjectTagging';
      if (hasParam(query, 'uploadId')) return 'ListParts';
      return 'GetObject';
    case 'PUT':
      if (hasParam(query, 'tagging')) return 'PutObjectTagging';
      if (hasParam(query, 'uploadId')) return headerValue(req.headers, 'x-amz-copy-source') ? 'UploadPartCopy' : 'UploadPart';
      if (headerValue(req.headers, 'x-amz-copy-source') !== undefined) return 'CopyObject';
      return 'PutObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return hasParam(query, 'uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (hasParam(query, 'uploads')) return 'CreateMultipartUpload';
      if (hasParam(query, 'uploadId')) return 'CompleteMultipartUpload';
      return undefined;
    default:
      return undefined;
  }
}

function lambdaOperation(method: string, pathname: string): string | undefined {
  const s = pathname.split('/').filter((x) => x !== '');
  const m = method.toUpperCase();
  const [, resource, name, sub] = s;
  if (resource === 'functions') {
    if (name === undefined) return m === 'GET' ? 'ListFunctions' : m === 'POST' ? 'CreateFunction' : undefined;
    switch (sub) {
      case undefined:
        return m === 'GET' ? 'GetFunction' : m === 'DELETE' ? 'DeleteFunction' : undefined;
      case 'invocations':
        return 'Invoke';
      case 'invoke-async':
        return 'InvokeAsync';
      case 'response-streaming-invocations':
        return 'InvokeWithResponseStream';
      case 'configuration':
        return m === 'PUT' ? 'UpdateFunctionConfiguration' : 'GetFunctionConfiguration';
      case 'code':
        return 'UpdateFunctionCode';
      case 'concurrency':
        return m === 'PUT' ? 'PutFunctionConcurrency' : m === 'DELETE' ? 'DeleteFunctionConcurrency' : 'GetFunctionConcurrency';
      case 'versions':
        return m === 'POST' ? 'PublishVersion' : 'ListVersionsByFunction';
      case 'aliases':
        return m === 'POST' ? 'CreateAlias' : s.length > 4 ? (m === 'PUT' ? 'UpdateAlias' : m === 'DELETE' ? 'DeleteAlias' : 'GetAlias') : 'ListAliases';
      case 'policy':
        return m === 'POST' ? 'AddPermission' : m === 'DELETE' ? 'RemovePermission' : 'GetPolicy';
      default:
        return undefined;
    }
  }
  if (resource === 'event-source-mappings') {
    if (name === undefined) return m === 'POST' ? 'CreateEventSourceMapping' : 'ListEventSourceMappings';
    return m === 'PUT' ? 'UpdateEventSourceMapping' : m === 'DELETE' ? 'DeleteEventSourceMapping' : 'GetEventSourceMapping';
  }
  if (resource === 'layers') return m === 'GET' ? (name === undefined ? 'ListLayers' : 'ListLayerVersions') : undefined;
  return undefined;
}

/**
 * REST-JSON operations of the services whose SDK clients send over HTTP/2 by
 * default (Bedrock Runtime, Transcribe Streaming, Lex V2, SageMaker Runtime
 * HTTP/2), by signing name: all POSTs, told apart by their path.
 */
const HTTP2_SERVICE_PATHS: Readonly<Record<string, readonly (readonly [RegExp, string])[]>> = {
  bedrock: [
    [/^\/model\/[^/]+\/invoke$/, 'InvokeModel'],
    [/^\/model\/[^/]+\/invoke-with-response-stream$/, 'InvokeModelWithResponseStream'],
    [/^\/model\/[^/]+\/invoke-with-bidirectional-stream$/, 'InvokeModelWithBidirectionalStream'],
    [/^\/model\/[^/]+\/converse$/, 'Converse'],
    [/^\/model\/[^/]+\/converse-stream$/, 'ConverseStream'],
    [/^\/model\/[^/]+\/count-tokens$/, 'CountTokens'],
    [/^\/guardrail\/[^/]+\/version\/[^/]+\/apply$/, 'ApplyGuardrail'],
  ],
  transcribe: [
    [/^\/stream-transcription$/, 'StartStreamTranscription'],
    [/^\/medical-stream-transcription$/, 'StartMedicalStreamTranscription'],
    [/^\/call-analytics-stream-transcription$/, 'StartCallAnalyticsStreamTranscription'],
    [/^\/medical-scribe-stream$/, 'StartMedicalScribeStream'],
  ],
  lex: [
    [/^\/bot\/[^/]+\/botAlias\/[^/]+\/botLocale\/[^/]+\/session\/[^/]+\/conversation$/, 'StartConversation'],
    [/^\/bot\/[^/]+\/botAlias\/[^/]+\/botLocale\/[^/]+\/session\/[^/]+\/text$/, 'RecognizeText'],
    [/^\/bot\/[^/]+\/botAlias\/[^/]+\/botLocale\/[^/]+\/session\/[^/]+\/utterance$/, 'RecognizeUtterance'],
  ],
  sagemaker: [[/^\/endpoints\/[^/]+\/invocations-bidirectional-stream$/, 'InvokeEndpointWithBidirectionalStream']],
};

function http2ServiceOperation(service: string, method: string, pathname: string): string | undefined {
  const paths = HTTP2_SERVICE_PATHS[service];
  if (paths === undefined || method.toUpperCase() !== 'POST') return undefined;
  for (const [re, op] of paths) if (re.test(pathname)) return op;
  return undefined;
}

/** Operation from the request as it goes out. */
export function operationOf(service: string, req: WireRequest): string | undefined {
  const target = headerValue(req.headers, 'x-amz-target');
  if (target !== undefined) {
    const dot = target.lastIndexOf('.');
    return dot === -1 ? target : target.slice(dot + 1);
  }
  const { pathname, query } = splitPath(req.path);
  if (isCborRequest(req.headers)) {
    const m = RPC_V2_PATH.exec(pathname);
    if (m !== null) return m[1];
  }
  const action = formParam(query, 'Action') ?? (req.body !== undefined ? formParam(req.body, 'Action') : undefined);
  if (action) return action;
  if (service === 's3') return s3Operation(req, pathname, query);
  if (service === 'lambda') return lambdaOperation(req.method, pathname);
  return http2ServiceOperation(service, req.method, pathname);
}

/**
 * The AWS call a request is, or undefined for non-AWS HTTP. The signature is
 * checked first: it is the only sign of AWS on a local or custom endpoint.
 */
export function awsCallOf(req: WireRequest): AwsCall | undefined {
  const service = signedService(req.headers, req.path) ?? serviceFromHost(req.host);
  if (service === undefined) return undefined;
  return { service, operation: operationOf(service, req) };
}

/** `aws.request_id` from response headers (`x-amzn-requestid`, S3's `x-amz-request-id`). */
export function awsRequestId(headers: HeaderBag): string | undefined {
  return headerValue(headers, 'x-amzn-requestid') ?? headerValue(headers, 'x-amz-request-id') ?? headerValue(headers, 'x-amzn-request-id');
}
