// The rules in force in this execution environment, kept fresh in the
// background. The invocation path only reads `current()` and calls
// `refreshIfStale(now)`, a timestamp comparison: it never waits on DynamoDB.
//
// Failure policy (docs/rules.md): a rule table that cannot be read means no
// faults: a refresh that fails (missing table, throttling, timeout, network,
// a response we cannot parse) replaces the rules with the empty set, so a
// broken table can never leave stale faults running — including a kill switch
// that was set while the table was unreadable. Each failed refresh logs one
// warning; the next refresh, `refreshMs` later, tries again, and the first one
// that succeeds brings the rules back.
//
// Malformed items are skipped one by one (each named in that refresh's
// warning) and the well-formed rules stay in force. A malformed kill switch
// still stops every fault, and a malformed guardrails item refuses every fault
// (compileRuleSet decides both): we cannot tell what the operator meant to allow.
//
// Lambda freezes the process between invocations, so timers cannot be trusted
// to refresh on schedule; the per-invocation check is what drives refreshes.
import type { Logger } from '../telemetry/logging/logger.js';
import { runOutsideInvocations } from '../invocationState.js';
import { compileRuleSet } from './rules.js';
import { compileRuleSetInSlices, SLICE_ITEMS, UNREADABLE } from './rules/ruleSet.js';
import { unmarshallItem, unmarshallValue, type AttributeValueJson } from './dynamoJson.js';
import { GLOBAL_SCOPE, type RuleSet } from './ruleTypes.js';
import { TableReadError, type TableReader } from './dynamoReader.js';

/** Where rule items come from: plain (unmarshalled) items for this function's scope and `*`. */
export interface RuleSource {
  /** Rejects when the table cannot be read; the store turns that into "no faults". */
  read(): Promise<Record<string, unknown>[]>;
  /** Names the source in warnings (the table name). */
  readonly name: string;
}

/** The two Queries the agent makes: `scope = <function>` and `scope = *`. */
export function tableRuleSource(reader: TableReader, table: string, functionName: string): RuleSource {
  return {
    name: table,
    async read() {
      const scopes = functionName === GLOBAL_SCOPE ? [GLOBAL_SCOPE] : [functionName, GLOBAL_SCOPE];
      const pages = await Promise.all(scopes.map((s) => reader.queryScope(s)));
      const wire = pages.flat();
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < wire.length; i++) {
        // In slices, like the compilation after it: thousands of items must not hold invocations up.
        if (i > 0 && i % SLICE_ITEMS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        items.push(readItem(wire[i]!));
      }
      return items;
    },
  };
}

/** One wire item → plain; an item that cannot be read is kept, marked, with its key when that can be read, to be named and skipped alone. */
function readItem(item: Record<string, unknown>): Record<string, unknown> {
  try {
    return unmarshallItem(item as Record<string, AttributeValueJson>);
  } catch (err) {
    const key = (name: string): unknown => {
      try {
        return unmarshallValue(item[name] as AttributeValueJson, name);
      } catch {
        return undefined;
      }
    };
    return { scope: key('scope'), id: key('id'), [UNREADABLE]: err instanceof Error ? err.message : String(err) };
  }
}

export interface RuleStore {
  /** The rules in force: the empty set before the first load and after a failed refresh. */
  current(): RuleSet;
  /** Hot path: starts a background refresh when the last one began `refreshMs` ago or more. Never waits. */
  refreshIfStale(nowMs: number): void;
  /** Starts a refresh unless one is running. Resolves when that refresh is done; never rejects. */
  refresh(): Promise<void>;
  /** Resolves when the first load has finished or after `waitMs`, whichever comes first. */
  ready(waitMs: number): Promise<void>;
  /** The refresh in flight, or a resolved promise (tests and benchmarks wait on it). */
  settled(): Promise<void>;
  /** How many refreshes have finished, successful or not. */
  readonly refreshes: number;
  /** True while a refresh is in flight. */
  readonly refreshing: boolean;
  /** When the read that produced `current()` began (epoch ms); -Infinity before the first successful read. */
  readonly loadedAtMs: number;
}

export interface RuleStoreOptions {
  readonly source: RuleSource;
  readonly refreshMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /**
   * Called with each new rule set on a turn of its own, just before it takes
   * effect: the engine orders and indexes it there, in the background, not
   * in the first invocation that meets it.
   */
  readonly prepare?: (set: RuleSet) => void;
}

export const EMPTY_RULE_SET: RuleSet = compileRuleSet([]);

export function createRuleStore(opts: RuleStoreOptions): RuleStore {
  const now = opts.now ?? Date.now;
  const { logger, source } = opts;
  let rules: RuleSet = EMPTY_RULE_SET;
  let lastStartMs = -Infinity;
  let inFlight: Promise<void> | undefined;
  let firstLoad: Promise<void> | undefined;
  let healthy = true;
  let refreshes = 0;
  let loadedAtMs = -Infinity;

  async function load(): Promise<void> {
    const startedAt = now();
    let items: readonly Record<string, unknown>[];
    try {
      items = await source.read();
    } catch (err) {
      rules = EMPTY_RULE_SET;
      loadedAtMs = startedAt;
      healthy = false;
      const e = err instanceof TableReadError ? err : undefined;
      logger.warn('chaos rules unavailable', {
        table: source.name,
        error: e?.code ?? (err instanceof Error ? err.name : 'Error'),
        reason: err instanceof Error ? err.message : String(err),
        effect: 'no faults until the table can be read',
      });
      return;
    }
    let set: RuleSet;
    try {
      // In slices: a table of thousands of items must not hold up the invocations running meanwhile.
      set = await compileRuleSetInSlices(items);
    } catch (err) {
      // compileRuleSet is meant never to throw; if it does, fail closed all the same.
      set = { ...EMPTY_RULE_SET, problems: [`rule set rejected: ${err instanceof Error ? err.message : String(err)}`] };
    }
    if (opts.prepare !== undefined) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        opts.prepare(set);
      } catch {
        // preparing is an optimisation: the engine prepares the set itself when it first meets it
      }
    }
    rules = set;
    loadedAtMs = startedAt;
    if (set.problems.length > 0) {
      healthy = false;
      logger.warn('chaos rules malformed: ignored', { table: source.name, problems: set.problems });
      return;
    }
    if (!healthy) logger.info('chaos rules available again', { table: source.name, rules: set.rules.length });
    healthy = true;
  }

  function refresh(): Promise<void> {
    if (inFlight !== undefined) return inFlight;
    lastStartMs = now();
    // Outside the invocation that triggered it: the read and its warning
    // belong to the environment, not to that request. Started on the next
    // turn of the event loop, so even the signing and request set-up stay off
    // the call that noticed the rules were stale.
    const p = runOutsideInvocations(() => new Promise<void>((resolve) => setImmediate(resolve)).then(load)).finally(() => {
      refreshes++;
      inFlight = undefined;
    });
    inFlight = p;
    return p;
  }

  return {
    current: () => rules,
    refreshIfStale(nowMs) {
      if (inFlight === undefined && nowMs - lastStartMs >= opts.refreshMs) void refresh();
    },
    refresh,
    ready(waitMs) {
      firstLoad ??= refresh();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        timer.unref();
      });
      return Promise.race([firstLoad, bound]).finally(() => clearTimeout(timer));
    },
    settled: () => inFlight ?? Promise.resolve(),
    get refreshes() {
      return refreshes;
    },
    get refreshing() {
      return inFlight !== undefined;
    },
    get loadedAtMs() {
      return loadedAtMs;
    },
  };
}
