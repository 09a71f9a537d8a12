// Lambda's scaling for a set of functions on one machine: an invocation goes
// to an idle environment of its function (a warm start) or, when all are
// busy, to a new one (a cold start: concurrency rises); environments that a
// timeout or crash ended are replaced by the next invocation's cold start;
// idle ones are reaped after a while. Every invocation carries an X-Ray
// header, the caller's (so a chain of functions shares one trace id) or a new one.
import { randomBytes } from 'node:crypto';

import {
  startEnvironment,
  type EnvironmentOptions,
  type EnvironmentState,
  type ExecutionEnvironment,
  type FunctionSpec,
  type InvocationReport,
  type InvokeOptions,
} from './executionEnvironment.js';
import { validateFunctionSpec } from './lambdaEnv.js';

export type { FunctionSpec, InvocationReport, InvokeOptions } from './executionEnvironment.js';

export interface FunctionPoolOptions extends Omit<EnvironmentOptions, 'initializationType'> {
  readonly functions: readonly FunctionSpec[];
  /** Environments idle this long are shut down (Lambda reclaims idle ones too). Never, when absent. */
  readonly idleTimeoutMs?: number;
  /**
   * When a function is at its reserved concurrency: `wait` queues the
   * invocation for the next free environment (default); `throttle` answers as
   * Lambda does, with a TooManyRequestsException.
   */
  readonly whenAtLimit?: 'wait' | 'throttle';
  /** Environments starting and stopping, for progress displays. */
  readonly onEnvironment?: (event: EnvironmentEvent) => void;
}

export interface EnvironmentEvent {
  readonly type: 'started' | 'stopped';
  readonly functionName: string;
  readonly environmentId: string;
  /** For `stopped`: why. */
  readonly reason?: 'idle' | 'ended' | 'closed';
}

export interface EnvironmentSummary {
  readonly functionName: string;
  readonly environmentId: string;
  readonly state: EnvironmentState;
  readonly pid: number | undefined;
  readonly invocations: number;
  readonly logFile: string;
}

export interface FunctionPool {
  readonly functionNames: readonly string[];
  /** Runs one event on the named function. Rejects only for an unknown function or a closed pool. */
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvocationReport>;
  /** The live environments, of one function or all. */
  environments(functionName?: string): EnvironmentSummary[];
  /** Shuts every environment down and waits for their processes to exit. */
  close(): Promise<void>;
  /** Kills every environment's process at once; synchronous, for exit and signal handlers. */
  killAll(): void;
}

export class UnknownFunctionError extends Error {
  override name = 'UnknownFunctionError';
}

/** A new X-Ray trace header: `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=1`. */
export function newTraceHeader(nowMs = Date.now()): string {
  const epoch = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

interface FunctionSlots {
  readonly spec: FunctionSpec;
  readonly limit: number;
  readonly live: Set<ExecutionEnvironment>;
  /** Idle environments, most recently used last. */
  readonly idle: ExecutionEnvironment[];
  /** Environments being started (counted against the limit). */
  starting: number;
  readonly waiters: Array<(env: ExecutionEnvironment | Error) => void>;
  readonly reapTimers: Map<ExecutionEnvironment, NodeJS.Timeout>;
}

export function createFunctionPool(options: FunctionPoolOptions): FunctionPool {
  const slots = new Map<string, FunctionSlots>();
  for (const spec of options.functions) {
    validateFunctionSpec(spec);
    if (slots.has(spec.name)) throw new Error(`function ${JSON.stringify(spec.name)} is defined twice: expected unique names`);
    slots.set(spec.name, {
      spec,
      limit: spec.reservedConcurrency ?? Infinity,
      live: new Set(),
      idle: [],
      starting: 0,
      waiters: [],
      reapTimers: new Map(),
    });
  }
  const { functions: _functions, idleTimeoutMs, whenAtLimit = 'wait', onEnvironment, ...environmentOptions } = options;
  const pendingStarts = new Set<Promise<unknown>>();
  let closed = false;

  const killAll = (): void => {
    for (const s of slots.values()) for (const env of s.live) env.kill();
  };
  // A caller that exits without close() still leaves no process behind.
  process.on('exit', killAll);

  function stop(s: FunctionSlots, env: ExecutionEnvironment, reason: 'idle' | 'ended' | 'closed'): Promise<void> {
    if (!s.live.delete(env)) return env.close();
    const i = s.idle.indexOf(env);
    if (i >= 0) s.idle.splice(i, 1);
    clearTimeout(s.reapTimers.get(env));
    s.reapTimers.delete(env);
    onEnvironment?.({ type: 'stopped', functionName: s.spec.name, environmentId: env.id, reason });
    return env.close();
  }

  async function startOne(s: FunctionSlots): Promise<ExecutionEnvironment> {
    s.starting++;
    const started = startEnvironment(s.spec, environmentOptions);
    pendingStarts.add(started);
    try {
      const env = await started;
      s.live.add(env);
      onEnvironment?.({ type: 'started', functionName: s.spec.name, environmentId: env.id });
      if (closed) {
        await stop(s, env, 'closed');
        throw new Error('the function pool is closed');
      }
      return env;
    } finally {
      s.starting--;
      pendingStarts.delete(started);
    }
  }

  /** An environment for one invocation: an idle one, a new one, or the next one freed. */
  function acquire(s: FunctionSlots): Promise<ExecutionEnvironment> | 'throttled' {
    for (let warm = s.idle.pop(); warm !== undefined; warm = s.idle.pop()) {
      clearTimeout(s.reapTimers.get(warm));
      s.reapTimers.delete(warm);
      // A runtime can die while idle (a crash in a timer after the response): skip it.
      if (warm.state !== 'dead') return Promise.resolve(warm);
      void stop(s, warm, 'ended');
    }
    if (s.live.size + s.starting < s.limit) return startOne(s);
    if (whenAtLimit === 'throttle') return 'throttled';
    return new Promise((resolve, reject) => {
      s.waiters.push((env) => (env instanceof Error ? reject(env) : resolve(env)));
    });
  }

  function release(s: FunctionSlots, env: ExecutionEnvironment): void {
    if (env.state === 'dead') {
      void stop(s, env, 'ended');
      // The capacity it held goes to the next waiter, as a cold start.
      const next = s.waiters.shift();
      if (next !== undefined) startOne(s).then(next, next);
      return;
    }
    const next = s.waiters.shift();
    if (next !== undefined) return next(env);
    s.idle.push(env);
    if (idleTimeoutMs !== undefined) {
      const timer = setTimeout(() => {
        if (s.idle.includes(env)) void stop(s, env, 'idle');
      }, idleTimeoutMs);
      timer.unref();
      s.reapTimers.set(env, timer);
    }
  }

  return {
    functionNames: [...slots.keys()],
    async invoke(functionName, event, invokeOptions = {}) {
      const s = slots.get(functionName);
      if (s === undefined) {
        throw new UnknownFunctionError(
          `function ${JSON.stringify(functionName)} not found: expected one of ${[...slots.keys()].join(', ')}`,
        );
      }
      if (closed) throw new Error('the function pool is closed');
      const got = acquire(s);
      if (got === 'throttled') return throttled(s, invokeOptions);
      const env = await got;
      try {
        return await env.invoke(event, { ...invokeOptions, traceHeader: invokeOptions.traceHeader ?? newTraceHeader() });
      } finally {
        release(s, env);
      }
    },
    environments(functionName) {
      const chosen = functionName === undefined ? [...slots.values()] : [slots.get(functionName)].filter((s) => s !== undefined);
      return chosen.flatMap((s) =>
        [...s.live].map((env) => ({
          functionName: s.spec.name,
          environmentId: env.id,
          state: env.state,
          pid: env.pid,
          invocations: env.invocationCount,
          logFile: env.logFile,
        })),
      );
    },
    killAll,
    async close() {
      closed = true;
      for (const s of slots.values()) {
        for (const w of s.waiters.splice(0)) w(new Error('the function pool is closed'));
      }
      await Promise.allSettled([...pendingStarts]);
      await Promise.all([...slots.values()].flatMap((s) => [...s.live].map((env) => stop(s, env, 'closed'))));
      process.off('exit', killAll);
    },
  };
}

function throttled(s: FunctionSlots, opts: InvokeOptions): InvocationReport {
  return {
    kind: 'error',
    requestId: opts.requestId ?? '',
    errorType: 'TooManyRequestsException',
    errorMessage: 'Rate Exceeded.',
    trace: [],
    functionName: s.spec.name,
    environmentId: '',
    logStreamName: '',
    coldStart: false,
    initDurationMs: undefined,
    durationMs: 0,
    billedDurationMs: 0,
    maxMemoryUsedMb: undefined,
    status: 'error',
    traceHeader: opts.traceHeader,
    logLines: [],
  };
}
