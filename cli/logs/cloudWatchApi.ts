// The CloudWatch Logs calls the CLI makes, over cli/aws's JSON client instead
// of @aws-sdk/client-cloudwatch-logs (its load time: docs/benchmarks.md "CLI
// startup"). Only the request and answer fields faultline reads or sends.
import { CLOUDWATCH_LOGS, resolveAwsEndpoint, type ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { createJsonClient, LOGS_JSON, type AwsJsonClient } from '../aws/jsonClient.js';
import { resolveAccess, type AwsAccess, type ResolvedAccess, type Tuning } from '../aws/openClient.js';
import type { CredentialProvider } from '../aws/credentials.js';
import type {
  DescribeLogGroupsInput,
  DescribeLogGroupsOutput,
  FilterLogEventsInput,
  FilterLogEventsOutput,
  GetQueryResultsOutput,
  LiveTailItem,
  StartLiveTailInput,
  StartQueryInput,
  StartQueryOutput,
} from './cloudWatchTypes.js';
import { openLiveTailStream, liveTailEndpoint } from './liveTailStream.js';

export type * from './cloudWatchTypes.js';

/** The CloudWatch Logs operations the CLI uses. Errors: AwsServiceError (name = the service's code), AwsNetworkError, the credential chain's. */
export interface LogsApi {
  /** Where the calls go: its region and URL, for messages. */
  readonly endpoint: ResolvedEndpoint;
  filterLogEvents(input: FilterLogEventsInput): Promise<FilterLogEventsOutput>;
  describeLogGroups(input: DescribeLogGroupsInput): Promise<DescribeLogGroupsOutput>;
  startQuery(input: StartQueryInput): Promise<StartQueryOutput>;
  getQueryResults(input: { readonly queryId: string }): Promise<GetQueryResultsOutput>;
  /** Resolves once the session is accepted; the events then stream until the session ends or `signal` aborts. */
  startLiveTail(input: StartLiveTailInput, signal: AbortSignal): Promise<AsyncIterable<LiveTailItem>>;
  destroy(): void;
}

/** A LogsApi over `client`; Live Tail streams from `liveTail` (the streaming endpoint) signed with `credentials`. */
export function logsApi(client: AwsJsonClient, live: { endpoint: ResolvedEndpoint; credentials: CredentialProvider }): LogsApi {
  return {
    endpoint: client.endpoint,
    filterLogEvents: (input) => client.call<FilterLogEventsOutput>('FilterLogEvents', input),
    describeLogGroups: (input) => client.call<DescribeLogGroupsOutput>('DescribeLogGroups', input),
    startQuery: (input) => client.call<StartQueryOutput>('StartQuery', input),
    getQueryResults: (input) => client.call<GetQueryResultsOutput>('GetQueryResults', input),
    startLiveTail: (input, signal) => openLiveTailStream({ ...live, input, signal }),
    destroy: () => client.destroy(),
  };
}

/**
 * Opens CloudWatch Logs for a command (region, endpoint and credentials as
 * cli/aws/openClient.ts chooses them); throws EndpointError before any
 * request when no region, a bad region or a bad endpoint is given.
 * One attempt per call: the caller's budgetedCall retries, inside the rate budget.
 */
export async function openLogsApi(access: AwsAccess, tuning: Tuning = {}, accessResolved: Promise<ResolvedAccess> = resolveAccess(access)): Promise<LogsApi> {
  const env = access.env ?? process.env;
  const resolved = await accessResolved;
  const endpoint = resolveAwsEndpoint(CLOUDWATCH_LOGS, resolved.region, env);
  const client = await createJsonClient({ protocol: LOGS_JSON, endpoint, credentials: resolved.credentials, maxAttempts: 1, ...tuning });
  return logsApi(client, { endpoint: liveTailEndpoint(endpoint), credentials: resolved.credentials });
}
