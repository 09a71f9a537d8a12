// CloudFormation's ListStackResources (what --stack needs) as one signed
// query-protocol POST, read by the pure XML reader in stackResourcesXml.ts,
// instead of @aws-sdk/client-cloudformation and its load time.
import { CLOUDFORMATION, resolveAwsEndpoint, type ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { AwsServiceError } from '../aws/awsError.js';
import { resolveAccess, type AwsAccess, type Tuning } from '../aws/openClient.js';
import { createSignedPost, type HttpAnswer, type SignedPost } from '../aws/signedPost.js';
import { parseListStackResources, parseQueryError, XmlError, type ListStackResourcesPage } from './stackResourcesXml.js';

export const CLOUDFORMATION_VERSION = '2010-05-15';

export interface CloudFormationApi {
  readonly endpoint: ResolvedEndpoint;
  /** One page; rejects with AwsServiceError (name = CloudFormation's code, such as ValidationError), AwsNetworkError or the credential chain's error. */
  listStackResources(input: { readonly StackName: string; readonly NextToken?: string }): Promise<ListStackResourcesPage>;
  destroy(): void;
}

/** Pure: the form body of a query-protocol call. */
export function queryBody(action: string, params: Readonly<Record<string, string | undefined>>): string {
  const form = new URLSearchParams({ Action: action, Version: CLOUDFORMATION_VERSION });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, v);
  return form.toString();
}

const headerOf = (a: HttpAnswer, name: string) => {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Pure: an answer as the error it carries, or undefined for a 2xx. */
export function queryErrorOf(answer: HttpAnswer): AwsServiceError | undefined {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const doc = parseQueryError(answer.body);
  return new AwsServiceError(
    doc?.code || `HTTP${answer.status}`,
    doc?.message || `HTTP ${answer.status}${answer.body.trim() === '' ? '' : ` (${answer.body.trim().slice(0, 200)})`}`,
    answer.status,
    doc?.requestId ?? headerOf(answer, 'x-amzn-requestid'),
  );
}

export function cloudFormationApi(post: SignedPost, endpoint: ResolvedEndpoint): CloudFormationApi {
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'user-agent': 'faultline-cli' };
  return {
    endpoint,
    async listStackResources(input) {
      const answer = await post.send(headers, queryBody('ListStackResources', { StackName: input.StackName, NextToken: input.NextToken }), queryErrorOf);
      try {
        return parseListStackResources(answer.body);
      } catch (err) {
        if (!(err instanceof XmlError)) throw err;
        throw new AwsServiceError('BadResponse', `CloudFormation ListStackResources at ${endpoint.url.host}: ${err.message}`, answer.status, headerOf(answer, 'x-amzn-requestid'));
      }
    },
    destroy: () => post.destroy(),
  };
}

/** Opens CloudFormation for a command; throws EndpointError before any request. One attempt per call: budgetedCall retries. */
export async function openCloudFormationApi(access: AwsAccess, tuning: Tuning = {}): Promise<CloudFormationApi> {
  const resolved = await resolveAccess(access);
  const endpoint = resolveAwsEndpoint(CLOUDFORMATION, resolved.region, access.env ?? process.env);
  const post = await createSignedPost({ endpoint, signingName: 'cloudformation', credentials: resolved.credentials, maxAttempts: 1, ...tuning });
  return cloudFormationApi(post, endpoint);
}
