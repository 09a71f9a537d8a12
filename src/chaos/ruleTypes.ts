// The shapes of chaos rules, shared by the agent (src/chaos) and the CLI
// (cli/commands/chaos*). One module validates and matches them: rules.ts.
// Types only: nothing here runs.

/** Which calls a rule hits (docs/rules.md `target`). */
export type Target =
  /** `aws:<service>[:<Operation>]`; service is the lower-case SDK service id (`dynamodb`, `s3`, `sqs`) or `*`. */
  | { readonly kind: 'aws'; readonly service: string; readonly operation: string | undefined }
  /** `http:<host>[/<path>]`; host and path are globs where `*` matches any run of characters. */
  | { readonly kind: 'http'; readonly host: string; readonly path: string | undefined }
  /** `invocation`: the handler itself. */
  | { readonly kind: 'invocation' }
  /** `*`: every outgoing call (not the invocation). */
  | { readonly kind: 'any' };

export type NetworkErrorCode = 'ECONNRESET' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'EPIPE' | 'ENOTFOUND' | 'EAI_AGAIN';
export type Corruption = 'truncate' | 'garble' | 'json' | 'empty';

/** What the `error` attribute names. */
export type ErrorSpec =
  | { readonly kind: 'aws'; readonly code: string }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'network'; readonly code: NetworkErrorCode };

export type Fault =
  | { readonly type: 'error'; readonly error: ErrorSpec }
  | { readonly type: 'latency'; readonly latencyMs: number; readonly jitterMs: number }
  | { readonly type: 'timeout'; readonly timeoutMs: number | undefined }
  | { readonly type: 'corrupt'; readonly corruption: Corruption }
  /** Recorded response ("placebo pill"): the call's response replaced by this one (docs/rules.md). */
  | {
      readonly type: 'respond';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    };

export type FaultType = Fault['type'];

/**
 * Sticky targeting: the same key value is always hit or always spared, in this
 * function and downstream (the value travels in W3C baggage).
 * `header:<name>` (HTTP trigger header), `event:<dot.path>` (event field), `baggage:<key>`.
 */
export interface StickyKey {
  readonly source: 'header' | 'event' | 'baggage';
  readonly name: string;
}

/** Fault schedules. */
export type Schedule =
  /** On for `onSeconds`, off for `offSeconds`, repeating, from epoch second 0 aligned to `createdAt` when set. */
  | { readonly kind: 'flap'; readonly onSeconds: number; readonly offSeconds: number }
  /** Only the first `count` hits in each execution environment (calls spared by `rate` do not count), then none. */
  | { readonly kind: 'firstN'; readonly count: number };

export interface Rule {
  readonly scope: string;
  readonly id: string;
  readonly enabled: boolean;
  readonly target: Target;
  /** The target as written in the item, for logs and span events. */
  readonly targetText: string;
  readonly fault: Fault;
  readonly rate: number;
  /** Epoch seconds. */
  readonly expiresAt: number | undefined;
  readonly sticky: StickyKey | undefined;
  readonly schedule: Schedule | undefined;
  readonly createdBy: string | undefined;
  /** Epoch seconds. */
  readonly createdAt: number | undefined;
  readonly note: string | undefined;
}

/** The item `scope=*`, `id=#guard`. */
export interface Guardrails {
  /** Rules with a higher rate are capped to this. */
  readonly maxRate: number | undefined;
  /** When set, only these function names may be faulted. */
  readonly allowedFunctions: readonly string[] | undefined;
  /** When true, no fault in a function whose environment is production. */
  readonly productionLock: boolean;
  /** Environment names counted as production (default `prod`, `production`). */
  readonly productionEnvironments: readonly string[];
  /** Stop injecting when the share of failed invocations over the window passes this. */
  readonly abort:
    | { readonly errorRate: number; readonly windowSeconds: number; readonly minInvocations: number }
    | undefined;
  /**
   * Set when the `#guard` item exists but cannot be understood: no fault
   * anywhere until it is fixed, because a guardrail that was meant to protect
   * production must not silently vanish. The text says why.
   */
  readonly refuseAll?: string | undefined;
}

export const SWITCH_ID = '#switch';
export const GUARD_ID = '#guard';
export const GLOBAL_SCOPE = '*';

/** Everything read from the table, validated. */
export interface RuleSet {
  readonly rules: readonly Rule[];
  /** True while the `#switch` item stands with enabled=false. */
  readonly killSwitch: boolean;
  readonly guard: Guardrails;
  /** One message per malformed item, naming the item and the bad attribute. */
  readonly problems: readonly string[];
}

