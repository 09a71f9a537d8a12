// The agent of one execution environment: created once, on first use, from
// the environment's config. Every attach mode (exec wrapper, redirect handler,
// wrap()) ends here, so behaviour is the same whichever way it came in.
import type { Tracer } from '@opentelemetry/api';
import { describeProblem, environmentSecrets, readConfig, type FaultlineConfig } from './config.js';
import { captureConsole, createLogger, stdoutSink, type LineSink, type Logger } from './telemetry/logging/logger.js';
import { createRedactor, type Redactor } from './telemetry/redaction/redact.js';
import { createTracing, type Tracing } from './telemetry/tracing/tracing.js';
import { createEmfFormatter, type EmfFormatter } from './telemetry/metrics/emf.js';
import { createColdStartTracker, type ColdStartTracker } from './telemetry/metrics/coldStart.js';
import { installOutgoingInstrumentation } from './instrument/index.js';
import type { FaultHook } from './seam.js';
import { environmentNames, type FunctionNames } from './invocationNames.js';


/** What the invocation path needs from the chaos engine (src/chaos/engine.ts). */
export interface InvocationChaos {
  /** Applies an `invocation`-target fault: undefined when none hits, else settles when the handler may run (or rejects instead). */
  enterInvocation(): Promise<void> | undefined;
  /** Feeds the abort threshold. */
  afterInvocation(failed: boolean): void;
}

export interface Agent {
  readonly config: FaultlineConfig;
  /** The environment's names: an invocation whose context agrees uses this very object. */
  readonly names: FunctionNames;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly tracer: Tracer;
  readonly tracing: Tracing;
  readonly emf: EmfFormatter;
  readonly coldStart: ColdStartTracker;
  /** Resolves when init work that may delay the first invocation (rule load) has finished or given up. */
  readonly ready: Promise<void>;
  /** Set once the chaos engine has started (chaos build with FAULTLINE_CHAOS_TABLE only). */
  chaos: InvocationChaos | undefined;
}

export interface AgentOptions {
  env?: Readonly<Record<string, string | undefined>>;
  sink?: LineSink;
  /** Tests: keep console untouched. */
  captureConsole?: boolean;
  /** Tests: use this span processor. */
  spanProcessor?: import('@opentelemetry/sdk-trace-base').SpanProcessor;
}

// One agent per process even when two copies of faultline are loaded (the
// layer's and one bundled by the function): the first one wins.
const AGENT_KEY = Symbol.for('faultline.agent');
type AgentSlot = { agent: Agent | null };
const g = globalThis as unknown as Record<symbol, AgentSlot | undefined>;

/**
 * Environment start: the process start is when Lambda began this environment's init.
 * The global `performance` (OpenTelemetry core reads it at load anyway), not node:perf_hooks, which is one
 * more built-in module to load on every cold start.
 */
const INIT_START_MS = performance.timeOrigin;

const CONFIG_KEY = Symbol.for('faultline.config');

/**
 * The process's settings, read from process.env once, by whichever attach mode
 * asks first (the agent, or the redirect handler looking for FAULTLINE_HANDLER).
 */
export function processConfig(): FaultlineConfig {
  const slot = globalThis as unknown as Record<symbol, FaultlineConfig | undefined>;
  return (slot[CONFIG_KEY] ??= readConfig(process.env));
}

/** One warning per setting that fell back to its default: structured when WARN lines are written, else on stderr. */
function reportProblems(config: FaultlineConfig, logger: Logger | undefined): void {
  for (const p of config.problems) {
    const message = `faultline setting ignored: ${describeProblem(p)}`;
    if (logger?.isEnabled('WARN')) logger.warn(message, { setting: p.variable, value: p.value, expected: p.expected, using: p.fallback });
    else process.stderr.write(`${logger?.redactor.scrubText(message) ?? message}\n`);
  }
}

export function createAgent(opts: AgentOptions = {}): Agent {
  const env = opts.env ?? process.env;
  const config = opts.env === undefined ? processConfig() : readConfig(env);
  const sink = opts.sink ?? stdoutSink();
  const redactor = createRedactor(config.redactKeys, environmentSecrets(env));
  const logger = createLogger(config, redactor, sink);
  reportProblems(config, logger);
  const tracing = createTracing({
    config,
    sink,
    redactor,
    processor: opts.spanProcessor,
    warn: (m, f) => logger.warn(m, f),
  });
  if (opts.captureConsole !== false) captureConsole(logger);

  let hook: FaultHook | undefined;
  // The hook is looked up per call, so chaos can arrive after init without re-patching.
  installOutgoingInstrumentation({ tracer: tracing.tracer, redactor, faultHook: () => hook, directW3c: tracing.ownsPropagation, ownsContext: tracing.ownsContext });

  const agent: Agent = {
    config,
    names: environmentNames(config),
    logger,
    redactor,
    tracer: tracing.tracer,
    tracing,
    emf: createEmfFormatter({
      namespace: config.metricsNamespace,
      functionName: config.functionName,
      service: config.service,
      initType: config.initType,
    }),
    coldStart: createColdStartTracker(config.initType, INIT_START_MS),
    ready: Promise.resolve(),
    chaos: undefined,
  };

  if (config.chaosTable !== undefined) {
    // The faultline-observe layer build defines FAULTLINE_BUILD_FLAVOR as "observe": esbuild folds this
    // condition and drops the branch, so that build carries no chaos code at all.
    if (process.env.FAULTLINE_BUILD_FLAVOR !== 'observe') {
      (agent as { ready: Promise<void> }).ready = import('./chaos/index.js').then(
        async ({ startChaos, createWireFaultHook }) => {
          const runtime = startChaos({ config, logger, env });
          hook = createWireFaultHook(runtime.engine);
          agent.chaos = runtime.engine;
          await runtime.ready;
        },
        (err: unknown) => logger.warn('chaos engine failed to start; no faults will be injected', { error: String(err) }),
      );
    } else {
      logger.info(
        'FAULTLINE_CHAOS_TABLE is set, but this is the faultline-observe layer, which contains no chaos code: no faults will be injected',
        { chaosTable: config.chaosTable },
      );
    }
  }
  return agent;
}

/** Makes `agent` the process's agent (tests, and hosts that build their own). */
export function installAgent(agent: Agent | null): void {
  g[AGENT_KEY] = { agent };
}

/**
 * The process's agent, created on first use. Returns null (and says why once,
 * on stderr) when the agent cannot be built: a broken agent passes the
 * function through untouched rather than failing it. Bad settings do not get
 * here: each falls back to its default with a warning.
 */
export function getAgent(): Agent | null {
  let slot = g[AGENT_KEY];
  if (slot === undefined) {
    slot = { agent: null };
    try {
      slot.agent = createAgent();
    } catch (err) {
      // Not a setting (those fall back one by one): a fault of the agent itself, said once.
      process.stderr.write(`faultline: telemetry disabled: ${String(err)}\n`);
    }
    g[AGENT_KEY] = slot;
  }
  return slot.agent;
}
