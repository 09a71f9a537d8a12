// The chaos part of the agent, loaded (dynamic import) only when
// FAULTLINE_CHAOS_TABLE is set and the build includes chaos. startChaos is its
// single entry: it wires the table reader, the rule store and the engine, and
// starts the first load, whose bounded wait is `ready`.
import type { FaultlineConfig } from '../config.js';
import type { Logger } from '../telemetry/logging/logger.js';
import { createTableReader, credentialsFromEnv, DEFAULT_READ_TIMEOUT_MS, resolveTableEndpoint, TableReadError } from './dynamoReader.js';
import { createRuleStore, type RuleSource, type RuleStore, tableRuleSource } from './ruleStore.js';
import { createChaosEngine, type ChaosEngine } from './engine.js';

export type { ChaosEngine } from './engine.js';
/** The wire half of the chaos build (src/chaos/wire): the agent turns the engine into its FaultHook with it. */
export { createWireFaultHook } from './wire/index.js';
export type { RuleStore, RuleSource } from './ruleStore.js';

/** How long the cold start may wait for the first rule load before going on without rules. */
export const READY_WAIT_MS = 250;

export interface ChaosRuntime {
  readonly engine: ChaosEngine;
  readonly store: RuleStore;
  /** The bounded cold-start wait: the first load finished, or READY_WAIT_MS passed. Never rejects. */
  readonly ready: Promise<void>;
  /** Drops the reader's keep-alive sockets. */
  close(): void;
}

export interface StartChaosOptions {
  readonly config: FaultlineConfig;
  readonly logger: Logger;
  /** Where endpoint and credentials come from: the environment the agent read its settings from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readyWaitMs?: number;
  readonly readTimeoutMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** A source that always fails the same way: a configuration the reader cannot work with. */
function failingSource(name: string, err: TableReadError): RuleSource {
  return { name, read: () => Promise.reject(err) };
}

export function startChaos(opts: StartChaosOptions): ChaosRuntime {
  const { config, logger } = opts;
  const { env } = opts;
  const table = config.chaosTable ?? '';
  const readTimeoutMs = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  let close = () => {};
  let source: RuleSource;
  try {
    if (table === '') throw new TableReadError('NoTable', 'FAULTLINE_CHAOS_TABLE is not set');
    const reader = createTableReader({
      table,
      endpoint: resolveTableEndpoint(env, config.region),
      credentials: credentialsFromEnv(env),
      timeoutMs: readTimeoutMs,
    });
    close = () => reader.close();
    source = tableRuleSource(reader, table, config.functionName);
  } catch (err) {
    // Misconfiguration means no faults, said once per refresh like any unreadable table.
    source = failingSource(table, err instanceof TableReadError ? err : new TableReadError('Error', String(err)));
  }
  let engine: ChaosEngine | undefined = undefined;
  const store = createRuleStore({ source, refreshMs: config.chaosRefreshMs, logger, now: opts.now, prepare: (set) => engine?.prepare(set) });
  engine = createChaosEngine({
    config,
    logger,
    store,
    random: opts.random,
    now: opts.now,
    maxRuleAgeMs: 2 * config.chaosRefreshMs + readTimeoutMs,
  });
  return { engine, store, ready: store.ready(opts.readyWaitMs ?? READY_WAIT_MS), close };
}
