// The CloudWatch Logs requests and answers the CLI sends and reads: only the
// fields faultline uses, as they travel in JSON (the service's own names).

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
