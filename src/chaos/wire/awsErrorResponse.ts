// Pure: the error response an AWS service itself sends for an error code, as
// its protocol puts it on the wire (status, headers, body), so that the SDK a
// function uses raises the named exception, fills $metadata and applies its own
// retry policy exactly as in a real outage. Shapes checked against the
// deserializers of the installed @aws-sdk clients (@aws-sdk/core protocols);
// name, query code, status and fault of modeled errors from the service's model
// (awsErrorModel.ts), the tables here for the rest.
import type { AwsProtocol } from '../../awsProtocol.js';
import { errorInModel, modeledError, modeledErrorForStatus, serviceErrorModel, type ModeledError } from './awsErrorModel.js';
import { cborTextMap } from './cbor.js';

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Text (sent as UTF-8) or bytes (a binary protocol's body). */
  readonly body: string | Uint8Array;
}

export interface AwsErrorRequest {
  readonly service: string;
  readonly protocol: AwsProtocol;
  /** The request's content type, echoed for JSON protocols (1.0 or 1.1). */
  readonly contentType?: string | undefined;
  readonly method?: string | undefined;
  readonly requestId: string;
  /** The SDK asked for query-compatible errors (`x-amzn-query-mode: true`): the code also goes in `x-amzn-query-error`. */
  readonly queryCompatible?: boolean;
}

const STATUS: Readonly<Record<string, number>> = {
  ProvisionedThroughputExceededException: 400,
  ThrottlingException: 400,
  Throttling: 400,
  ThrottledException: 400,
  RequestThrottled: 403,
  RequestThrottledException: 400,
  RequestLimitExceeded: 400,
  LimitExceededException: 400,
  KmsThrottled: 400,
  TooManyRequestsException: 429,
  SlowDown: 503,
  ServiceUnavailable: 503,
  ServiceUnavailableException: 503,
  InternalServerError: 500,
  InternalError: 500,
  InternalFailure: 500,
  InternalServerErrorException: 500,
  ServiceException: 500,
  AccessDenied: 403,
  AccessDeniedException: 400,
  UnrecognizedClientException: 400,
  ExpiredTokenException: 400,
  ExpiredToken: 400,
  InvalidClientTokenId: 403,
  ResourceNotFoundException: 400,
  NoSuchKey: 404,
  NoSuchBucket: 404,
  NotFound: 404,
  ConditionalCheckFailedException: 400,
  TransactionConflictException: 400,
  TransactionCanceledException: 400,
  ItemCollectionSizeLimitExceededException: 400,
  ValidationException: 400,
  ValidationError: 400,
  InvalidParameterValueException: 400,
  RequestTimeout: 400,
  RequestTimeoutException: 408,
  ResourceConflictException: 409,
  RequestEntityTooLargeException: 413,
  KMSAccessDeniedException: 502,
  EC2ThrottledException: 502,
  ENILimitReachedException: 502,
  QueueDoesNotExist: 400,
  NotFoundException: 404,
};

/** Where a service or protocol answers a code with another status than the table's. */
function statusOverride(code: string, service: string, protocol: AwsProtocol): number | undefined {
  if (protocol === 'rest-json') {
    if (code === 'ResourceNotFoundException') return 404;
    if (code === 'AccessDeniedException') return 403;
    if (code === 'ThrottlingException') return 429;
  }
  if (protocol === 'ec2' && code === 'RequestLimitExceeded') return 503;
  if (service === 'sns' && code === 'Throttled') return 429;
  return undefined;
}

/** A status for codes not in the table, from what their names say. */
function guessStatus(code: string, protocol: AwsProtocol): number {
  if (/Internal|ServiceException|ServerError/.test(code)) return 500;
  if (/Unavailable/.test(code)) return 503;
  if (/NotFound|NoSuch/.test(code)) return protocol === 'rest-json' || protocol === 'rest-xml' ? 404 : 400;
  if (/Throttl|TooMany|LimitExceeded/.test(code)) return protocol === 'rest-json' ? 429 : 400;
  if (/AccessDenied|Forbidden|Unauthorized/.test(code)) return 403;
  return 400;
}

/**
 * The status of an error the service's model names: its status trait, else the
 * protocol's default for its fault (400 client, 500 server) — not the name-based
 * table, whose entries are other services' (Lambda's KMSAccessDeniedException is
 * a 502, Kinesis's a 400). S3 models NotFound without one: it is the 404 of a HEAD.
 */
function modeledStatus(modeled: ModeledError, protocol: AwsProtocol): number {
  if (modeled.status !== undefined) return modeled.status;
  if (modeled.name === 'NotFound' && protocol === 'rest-xml') return 404;
  return modeled.fault === 'server' ? 500 : 400;
}

/** The status `service` answers `code` with over `protocol`: from its model where it names the code, else the tables above. */
export function awsErrorStatus(code: string, service: string, protocol: AwsProtocol): number {
  const modeled = modeledError(service, code, protocol === 'query');
  if (modeled !== undefined) return modeledStatus(modeled, protocol);
  return statusOverride(code, service, protocol) ?? STATUS[code] ?? guessStatus(code, protocol);
}

const MESSAGE: Readonly<Record<string, string>> = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException: 'Rate exceeded',
  Throttling: 'Rate exceeded',
  RequestLimitExceeded: 'Throughput exceeds the current throughput limit for your account.',
  TooManyRequestsException: 'Rate Exceeded.',
  SlowDown: 'Please reduce your request rate.',
  ServiceUnavailable: 'Service is unable to handle request.',
  InternalServerError: 'Internal server error',
  InternalError: 'We encountered an internal error. Please try again.',
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  AccessDenied: 'Access Denied',
  ResourceNotFoundException: 'Requested resource not found',
  NoSuchKey: 'The specified key does not exist.',
  NoSuchBucket: 'The specified bucket does not exist',
};

export function awsErrorMessage(code: string): string {
  return MESSAGE[code] ?? code;
}

/** Smithy namespace of the service, as `__type` values in JSON and CBOR error bodies carry it. */
function jsonNamespace(service: string): string {
  switch (service) {
    case 'dynamodb':
      return 'com.amazonaws.dynamodb.v20120810';
    case 'kinesis':
      return 'com.amazonaws.kinesis.v20131202';
    case 'logs':
      return 'com.amazonaws.logs.v20140328';
    case 'monitoring':
      return 'com.amazonaws.cloudwatch';
    default:
      return serviceErrorModel(service)?.namespace ?? `com.amazonaws.${service}`;
  }
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The whole error response for `code` as `req.service` sends it. Where the
 * service's model names the code (by shape name, or by its awsQueryError code
 * where the service speaks query codes), the wire carries what the model says:
 * the shape name in `__type` / `x-amzn-errortype`, the query code in the query
 * XML `Code` and `x-amzn-query-error`, the model's status and fault.
 */
export function awsErrorResponse(code: string, req: AwsErrorRequest): WireResponse {
  const model = serviceErrorModel(req.service);
  const modeled = errorInModel(model, code, req.protocol === 'query');
  const name = modeled?.name ?? code;
  const queryCode = modeled?.queryCode ?? code;
  const status = modeled !== undefined ? modeledStatus(modeled, req.protocol) : awsErrorStatus(code, req.service, req.protocol);
  const message = awsErrorMessage(code);
  const fault = (modeled !== undefined ? modeled.fault === 'server' : status >= 500) ? 'Receiver' : 'Sender';
  // Query-compatible services send the query code on every error; others when the SDK asks.
  const queryError = req.queryCompatible === true || model?.queryCompatible === true;
  const noBody = req.method?.toUpperCase() === 'HEAD';
  switch (req.protocol) {
    case 'json': {
      const headers: Record<string, string> = {
        'x-amzn-requestid': req.requestId,
        'x-amzn-errortype': name,
        'content-type': req.contentType?.startsWith('application/x-amz-json') ? req.contentType : 'application/x-amz-json-1.0',
      };
      if (queryError) headers['x-amzn-query-error'] = `${queryCode};${fault}`;
      return { status, headers, body: JSON.stringify({ __type: `${jsonNamespace(req.service)}#${name}`, message }) };
    }
    case 'rpcv2-cbor': {
      // The SDK checks smithy-protocol on every response before it reads the body.
      const headers: Record<string, string> = {
        'x-amzn-requestid': req.requestId,
        'smithy-protocol': 'rpc-v2-cbor',
        'content-type': 'application/cbor',
      };
      if (queryError) headers['x-amzn-query-error'] = `${queryCode};${fault}`;
      return { status, headers, body: cborTextMap({ __type: `${jsonNamespace(req.service)}#${name}`, message }) };
    }
    case 'rest-json':
      return {
        status,
        headers: { 'x-amzn-requestid': req.requestId, 'x-amzn-errortype': name, 'content-type': 'application/json' },
        body: noBody ? '' : JSON.stringify({ Type: fault === 'Receiver' ? 'Service' : 'User', message }),
      };
    case 'query':
      return {
        status,
        headers: { 'x-amzn-requestid': req.requestId, 'content-type': 'text/xml' },
        body:
          `<ErrorResponse xmlns="https://${req.service}.amazonaws.com/doc/"><Error><Type>${fault}</Type>` +
          `<Code>${xmlEscape(queryCode)}</Code><Message>${xmlEscape(message)}</Message></Error>` +
          `<RequestId>${req.requestId}</RequestId></ErrorResponse>`,
      };
    case 'ec2':
      return {
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(name)}</Code>` +
          `<Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${req.requestId}</RequestID></Response>`,
      };
    case 'rest-xml':
      return {
        status,
        headers: { 'x-amz-request-id': req.requestId, 'x-amz-id-2': req.requestId, 'content-type': 'application/xml' },
        body: noBody
          ? ''
          : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(name)}</Code><Message>${xmlEscape(message)}</Message>` +
            `<RequestId>${req.requestId}</RequestId><HostId>${req.requestId}</HostId></Error>`,
      };
  }
}

/** An AWS-looking code for an HTTP status injected into an AWS call: the service's own where its model has one. */
export function awsCodeForStatus(status: number, service: string, protocol: AwsProtocol): string {
  const modeled = modeledErrorForStatus(service, status);
  if (modeled !== undefined) return modeled.name;
  if (status === 429) return protocol === 'rest-json' ? 'TooManyRequestsException' : 'ThrottlingException';
  if (status === 503) return service === 's3' ? 'SlowDown' : 'ServiceUnavailable';
  if (status >= 500) return service === 's3' ? 'InternalError' : protocol === 'query' ? 'InternalFailure' : 'InternalServerError';
  if (status === 404) return service === 's3' ? 'NoSuchKey' : 'ResourceNotFoundException';
  if (status === 403) return service === 's3' ? 'AccessDenied' : 'AccessDeniedException';
  return 'ValidationException';
}
