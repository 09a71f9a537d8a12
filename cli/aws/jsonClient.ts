// A client for AWS's JSON protocols (DynamoDB speaks awsJson1_0, CloudWatch
// Logs awsJson1_1): POST the input as JSON with `X-Amz-Target`, read JSON
// back. What the CLI needs of the SDK clients, without their load time
// (about 130 ms per client here: docs/benchmarks.md "CLI startup").
import type { ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { AwsServiceError, errorCodeOf, errorMessageOf } from './awsError.js';
import { createSignedPost, headerOf, type HttpAnswer, type TransportOptions } from './signedPost.js';

export interface JsonProtocol {
  readonly signingName: string;
  /** `DynamoDB_20120810`: the X-Amz-Target is `<prefix>.<Operation>`. */
  readonly targetPrefix: string;
  readonly contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
}

export const DYNAMODB_JSON: JsonProtocol = { signingName: 'dynamodb', targetPrefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' };
export const LOGS_JSON: JsonProtocol = { signingName: 'logs', targetPrefix: 'Logs_20140328', contentType: 'application/x-amz-json-1.1' };

export interface AwsJsonClient {
  readonly endpoint: ResolvedEndpoint;
  /** Calls `operation`; rejects with AwsServiceError (name = the service's code), AwsNetworkError, or the credential chain's error. */
  call<O = Record<string, unknown>>(operation: string, input: object, options?: { signal?: AbortSignal }): Promise<O>;
  destroy(): void;
}

export type JsonClientOptions = Omit<TransportOptions, 'signingName'> & { readonly protocol: JsonProtocol; readonly userAgent?: string };

function parse(answer: HttpAnswer): unknown {
  if (answer.body.trim() === '') return {};
  try {
    return JSON.parse(answer.body);
  } catch {
    return undefined;
  }
}

/** The answer as an error, or undefined for a 2xx JSON object. */
function classify(answer: HttpAnswer): AwsServiceError | undefined {
  const body = parse(answer);
  const requestId = headerOf(answer, 'x-amzn-requestid');
  if (answer.status >= 200 && answer.status < 300) {
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return undefined;
    return new AwsServiceError('BadResponse', `HTTP ${answer.status} with a body that is not a JSON object`, answer.status, requestId);
  }
  return new AwsServiceError(errorCodeOf(headerOf(answer, 'x-amzn-errortype'), body, answer.status), errorMessageOf(body, answer.status), answer.status, requestId);
}

export async function createJsonClient(opts: JsonClientOptions): Promise<AwsJsonClient> {
  const post = await createSignedPost({ ...opts, signingName: opts.protocol.signingName });
  const base = { 'content-type': opts.protocol.contentType, 'user-agent': opts.userAgent ?? 'faultline-cli' };
  return {
    endpoint: opts.endpoint,
    async call<O>(operation: string, input: object, options: { signal?: AbortSignal } = {}): Promise<O> {
      const headers = { ...base, 'x-amz-target': `${opts.protocol.targetPrefix}.${operation}` };
      const answer = await post.send(headers, JSON.stringify(input), classify, options.signal);
      return parse(answer) as O;
    },
    destroy: () => post.destroy(),
  };
}
