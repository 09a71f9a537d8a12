// CloudFormation's ListStackResources (what --stack needs) as one signed
// query-protocol POST, read by the pure XML reader in stackResourcesXml.ts,
// instead of @aws-sdk/client-cloudformation and its load time.
import { CLOUDFORMATION, resolveAwsEndpoint, type ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { AwsServiceError } from '../aws/awsError.js';
import { QUERY_HEADERS, queryBody, queryErrorOf } from '../aws/queryProtocol.js';
import { XmlError } from '../aws/xml.js';
import { resolveAccess, type AwsAccess, type ResolvedAccess, type Tuning } from '../aws/openClient.js';
import { createSignedPost, headerOf, type SignedPost } from '../aws/signedPost.js';
import { parseListStackResources, type ListStackResourcesPage } from './stackResourcesXml.js';

export const CLOUDFORMATION_VERSION = '2010-05-15';

export interface CloudFormationApi {
  readonly endpoint: ResolvedEndpoint;
  /** One page; rejects with AwsServiceError (name = CloudFormation's code, such as ValidationError), AwsNetworkError or the credential chain's error. */
  listStackResources(input: { readonly StackName: string; readonly NextToken?: string }): Promise<ListStackResourcesPage>;
  destroy(): void;
}

export function cloudFormationApi(post: SignedPost, endpoint: ResolvedEndpoint): CloudFormationApi {
  return {
    endpoint,
    async listStackResources(input) {
      const answer = await post.send(QUERY_HEADERS, queryBody('ListStackResources', CLOUDFORMATION_VERSION, { StackName: input.StackName, NextToken: input.NextToken }), queryErrorOf);
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
export async function openCloudFormationApi(access: AwsAccess, tuning: Tuning = {}, accessResolved: Promise<ResolvedAccess> = resolveAccess(access)): Promise<CloudFormationApi> {
  const resolved = await accessResolved;
  const endpoint = resolveAwsEndpoint(CLOUDFORMATION, resolved.region, access.env ?? process.env);
  const post = await createSignedPost({ endpoint, signingName: 'cloudformation', credentials: resolved.credentials, maxAttempts: 1, ...tuning });
  return cloudFormationApi(post, endpoint);
}
