// The game-day report as data: what `faultline report --json` prints and what
// the HTML page embeds and draws. Times are epoch ms; series are columns, one
// value per time bucket.
import type { FunctionColdStarts } from '../logs/coldStarts.js';
import type { Recovery as WindowRecovery } from '../local/windowStats.js';

/** One function's (or, as `*`, all functions') values per bucket. */
export interface Series {
  readonly function: string;
  readonly requests: readonly number[];
  readonly errors: readonly number[];
  /** Null where the bucket had no request. */
  readonly p50Ms: ReadonlyArray<number | null>;
  readonly p99Ms: ReadonlyArray<number | null>;
  readonly coldStarts: readonly number[];
  readonly faults: readonly number[];
}

/** A chaos rule from set to clear: from the rule's audit fields when known, else the first to last fault it injected. */
export interface RuleBand {
  readonly ruleId: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly from: 'audit' | 'telemetry';
  readonly faults: number;
  readonly kinds: readonly string[];
  readonly functions: readonly string[];
}

/** A rule window as the game day (or `chaos` audit fields) knows it. */
export interface RuleWindow {
  readonly ruleId: string;
  readonly setAtMs: number;
  /** Undefined: still set at the end of the report. */
  readonly clearedAtMs: number | undefined;
  /** The recovery the caller measured after this clear (the local game day, over its own requests): shown as is. */
  readonly recovery?: WindowRecovery;
}

export interface Recovery {
  readonly ruleId: string;
  readonly clearedAtMs: number;
  /** `caller`: the figures the game day measured over its own requests; `logs`: measured here over the invocations in the logs. */
  readonly measuredBy: 'caller' | 'logs';
  readonly baselineErrorRate: number;
  readonly baselineP99Ms: number;
  /** Null: not back to the baseline before the end of the observation. */
  readonly errorsMs: number | null;
  /** The later of p50 and p99 recovery (as the game day's recovery.latency.ms). */
  readonly latencyMs: number | null;
}

export interface RequestRef {
  readonly function: string;
  readonly requestId: string;
  readonly traceId: string | null;
  readonly atMs: number;
  readonly durationMs: number;
  readonly error: boolean;
  readonly coldStart: boolean;
  readonly faults: number;
  /** Set when a waterfall page was written for it (relative to the report). */
  readonly href?: string;
}

export interface Totals {
  readonly invocations: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly coldStarts: number;
  readonly faults: number;
}

export interface GameDayReport {
  readonly type: 'report';
  readonly title: string;
  readonly source: string;
  readonly range: { readonly startMs: number; readonly endMs: number };
  /** Start of the first bucket and the bucket width. */
  readonly t0Ms: number;
  readonly bucketMs: number;
  readonly buckets: number;
  readonly totals: Totals;
  readonly overall: Series;
  readonly functions: readonly Series[];
  readonly bands: readonly RuleBand[];
  readonly recovery: readonly Recovery[];
  readonly faultsByRule: ReadonlyArray<{ readonly ruleId: string; readonly faults: number; readonly kinds: readonly string[]; readonly functions: readonly string[] }>;
  readonly coldStarts: readonly FunctionColdStarts[];
  readonly slowest: readonly RequestRef[];
  readonly failed: readonly RequestRef[];
  readonly failedTotal: number;
}
