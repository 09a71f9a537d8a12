// The CloudWatch Logs calls the CLI makes, over cli/aws's JSON client instead
// of @aws-sdk/client-cloudwatch-logs (its load time: docs/benchmarks.md "CLI
// startup"). Only the request and answer fields faultline reads or sends.
import { CLOUDWATCH_LOGS, resolveAwsEndpoint, type ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { createJsonClient, LOGS_JSON, type AwsJsonClient } from '../aws/jsonClient.js';
import { resolveAccess, type AwsAccess, type Tuning } from '../aws/openClient.js';
import type { CredentialProvider } from '../aws/credentials.js';
import { openLiveTailStream, liveTailEndpoint } from './liveTailStream.js';

export interface FilterLogEventsInput {
  readonly logGroupName: string;
  readonly logStreamNames?: readonly string[];
  readonly startTime?: number;
  readonly endTime?: number;
  readonly filterPattern?: string;
  readonly nextToken?: string;
}

export interface FilteredLogEvent {
  readonly logStreamName?: string;
  readonly timestamp?: number;
  readonly message?: string;
  readonly eventId?: string;
}

export interface FilterLogEventsOutput {
  readonly events?: readonly FilteredLogEvent[];
  readonly nextToken?: string;
}

export interface DescribeLogGroupsInput {
  readonly logGroupNamePrefix: string;
  readonly nextToken?: string;
}

export interface LogGroup {
  readonly logGroupName?: string;
  /** `arn:…:log-group:NAME:*` */
  readonly arn?: string;
  /** `arn:…:log-group:NAME` (what Live Tail takes). */
  readonly logGroupArn?: string;
}

export interface DescribeLogGroupsOutput {
  readonly logGroups?: readonly LogGroup[];
  readonly nextToken?: string;
}

export interface StartQueryInput {
  readonly logGroupNames: readonly string[];
  /** Seconds since the epoch. */
  readonly startTime: number;
  readonly endTime: number;
  readonly queryString: string;
  readonly limit?: number;
}

export interface StartQueryOutput {
  readonly queryId?: string;
}

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';

export interface ResultField {
  readonly field?: string;
  readonly value?: string;
}

export interface QueryStatistics {
  readonly recordsMatched?: number;
  readonly recordsScanned?: number;
}

export interface GetQueryResultsOutput {
  readonly status?: QueryStatus | (string & {});
  readonly results?: readonly (readonly ResultField[])[];
  readonly statistics?: QueryStatistics;
}

export interface StartLiveTailInput {
  readonly logGroupIdentifiers: readonly string[];
}

export interface LiveTailSessionLogEvent {
  readonly logStreamName?: string;
  readonly logGroupIdentifier?: string;
  readonly message?: string;
  readonly timestamp?: number;
}

/** One event of a Live Tail session, keyed by its event (or exception) type as the service names it. */
export type LiveTailItem =
  | { readonly sessionStart: { readonly sessionId?: string } }
  | { readonly sessionUpdate: { readonly sessionResults?: readonly LiveTailSessionLogEvent[] } }
  | { readonly SessionTimeoutException: { readonly message?: string } }
  | { readonly SessionStreamingException: { readonly message?: string } };

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
export async function openLogsApi(access: AwsAccess, tuning: Tuning = {}): Promise<LogsApi> {
  const env = access.env ?? process.env;
  const resolved = await resolveAccess(access);
  const endpoint = resolveAwsEndpoint(CLOUDWATCH_LOGS, resolved.region, env);
  const client = await createJsonClient({ protocol: LOGS_JSON, endpoint, credentials: resolved.credentials, maxAttempts: 1, ...tuning });
  return logsApi(client, { endpoint: liveTailEndpoint(endpoint), credentials: resolved.credentials });
}
