// The one interface `logs correlate`, `logs tail` and `coldstarts` read logs
// through. Two implementations: a log directory (logDirSource.ts, docs/local-mode.md)
// and CloudWatch Logs (cloudWatchSource.ts).
import type { SourceEvent } from './records.js';

export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}

export interface SearchQuery {
  readonly functions: readonly string[];
  /** Events whose message contains any of these substrings (exact, case-sensitive). */
  readonly terms: readonly string[];
  readonly range: TimeRange;
}

/** The invocations to fetch whole: request ids seen in one log stream of one function. */
export interface InvocationRef {
  readonly function: string;
  readonly stream: string;
  readonly requestIds: readonly string[];
}

export interface FollowOptions {
  readonly functions: readonly string[];
  /** Events from this time on; later events as they arrive. */
  readonly sinceMs: number;
  readonly signal: AbortSignal;
}

export interface LogSource {
  /** For messages: `log directory .faultline/logs`, `CloudWatch Logs (eu-west-1)`. */
  readonly description: string;
  /** Calls `onEvent` for every event matching the query, in no guaranteed order. */
  search(query: SearchQuery, onEvent: (event: SourceEvent) => void): Promise<void>;
  /** Calls `onEvent` for every event of the named invocations (every line carrying their request id). */
  fetchInvocations(refs: readonly InvocationRef[], range: TimeRange, onEvent: (event: SourceEvent) => void): Promise<void>;
  /** Yields events as they are written, until `signal` aborts. */
  follow(opts: FollowOptions): AsyncIterable<SourceEvent>;
}
