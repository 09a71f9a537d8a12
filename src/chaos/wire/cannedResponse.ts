// Pure: what answers a call instead of the real service, for the faults that
// never reach it (error and recorded response).
import { STATUS_CODES } from 'node:http';
import type { ErrorSpec, Fault, NetworkErrorCode } from '../ruleTypes.js';
import { headerValue, protocolOfRequest, type HeaderBag } from '../../awsProtocol.js';
import type { AwsCall } from '../../seam.js';
import { awsCodeForStatus, awsErrorResponse, awsErrorStatus, type WireResponse } from './awsErrorResponse.js';

export type CannedOutcome =
  | { readonly kind: 'response'; readonly response: WireResponse }
  | { readonly kind: 'network'; readonly code: NetworkErrorCode };

export interface CannedCall {
  readonly method: string;
  readonly headers: HeaderBag;
  readonly aws: AwsCall | undefined;
}

/** An HTTP status error on a plain HTTP call: the status with a short JSON body, like most APIs send. */
function httpStatusResponse(status: number): WireResponse {
  const reason = STATUS_CODES[status] ?? 'Error';
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: reason }) };
}

function errorOutcome(error: ErrorSpec, call: CannedCall, requestId: string): CannedOutcome {
  if (error.kind === 'network') return { kind: 'network', code: error.code };
  const aws = call.aws;
  if (aws === undefined) {
    // An AWS code on a plain HTTP call (a `*` rule): the status AWS would use, plain body.
    return error.kind === 'http'
      ? { kind: 'response', response: httpStatusResponse(error.status) }
      : {
          kind: 'response',
          response: {
            status: awsErrorStatus(error.code, '', 'rest-json'),
            headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
            body: JSON.stringify({ __type: error.code, message: error.code }),
          },
        };
  }
  const protocol = protocolOfRequest(aws.service, call.headers);
  const req = {
    service: aws.service,
    protocol,
    contentType: headerValue(call.headers, 'content-type'),
    method: call.method,
    requestId,
    queryCompatible: headerValue(call.headers, 'x-amzn-query-mode') === 'true',
  };
  if (error.kind === 'aws') return { kind: 'response', response: awsErrorResponse(error.code, req) };
  // An HTTP status on an AWS call: the service's error for that status, with exactly that status.
  const res = awsErrorResponse(awsCodeForStatus(error.status, aws.service, protocol), req);
  return { kind: 'response', response: { ...res, status: error.status } };
}

/** The canned outcome of `fault`, or undefined for faults that let the real call proceed. */
export function cannedOutcome(fault: Fault, call: CannedCall, requestId: string): CannedOutcome | undefined {
  switch (fault.type) {
    case 'error':
      return errorOutcome(fault.error, call, requestId);
    case 'respond':
      return { kind: 'response', response: { status: fault.status, headers: fault.headers, body: fault.body } };
    default:
      return undefined;
  }
}
