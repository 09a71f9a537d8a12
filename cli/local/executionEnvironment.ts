// One emulated Lambda execution environment: a real Node.js process running
// AWS's runtime client (aws-lambda-ric), started as Lambda starts it
// (`[$AWS_LAMBDA_EXEC_WRAPPER] node … <runtime>/index.mjs` with Lambda's
// environment), fed by its own Runtime API server, its output written to its
// own log stream with Lambda's platform lines around each invocation.
// One invocation at a time, as on Lambda; a timeout or a crash ends it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import {
  buildLambdaEnv,
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  LOCAL_CREDENTIALS,
  logFormatOf,
  runtimeVersion,
  validateFunctionSpec,
  type EnvironmentContext,
  type FunctionSpec,
} from './lambdaEnv.js';
import { createLineSplitter, newLogStreamName, openLogStreamFile } from './logStream.js';
import {
  billedDurationMs,
  formatEnd,
  formatInitReport,
  formatInitStart,
  formatReport,
  formatStart,
  formatTimeout,
  timeoutMessage,
  type InitializationType,
  type ReportStatus,
} from './platformLog.js';
import { startRuntimeApi, type InvocationResult, type LambdaError } from './runtimeApi.js';
import { DEFAULT_RUNTIME, findRuntimeNode, type RuntimeNode } from './runtimeNode.js';

export type { FunctionSpec } from './lambdaEnv.js';
export type { InvocationResult } from './runtimeApi.js';

/** Lambda's limit on an on-demand init phase. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

export interface EnvironmentOptions {
  /** Log directory: the stream is written to `<logDir>/<function>/<stream>.log`. */
  readonly logDir: string;
  readonly region?: string;
  readonly accountId?: string;
  /** Default on-demand: the first invocation waits for init and REPORTs its Init Duration. */
  readonly initializationType?: InitializationType;
  readonly initTimeoutMs?: number;
  readonly credentials?: EnvironmentContext['credentials'];
  /** The emulated runtime and its node; default nodejs24.x on the node findRuntimeNode picks. */
  readonly runtime?: RuntimeNode;
}

export interface InvokeOptions {
  readonly requestId?: string;
  /** X-Ray header for `Lambda-Runtime-Trace-Id` (`Root=1-…;Parent=…;Sampled=1`). */
  readonly traceHeader?: string;
  /** JSON text. */
  readonly clientContext?: string;
  /** JSON text. */
  readonly cognitoIdentity?: string;
}

/** An invocation's result with what Lambda's REPORT line says about it. */
export type InvocationReport = InvocationResult & {
  readonly functionName: string;
  readonly environmentId: string;
  readonly logStreamName: string;
  /** This invocation waited for the environment's init. */
  readonly coldStart: boolean;
  readonly initDurationMs: number | undefined;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly maxMemoryUsedMb: number | undefined;
  readonly status: ReportStatus['status'];
  readonly traceHeader: string | undefined;
  /** The lines the function wrote between START and END, in order. */
  readonly logLines: readonly string[];
};

export type EnvironmentState = 'initializing' | 'idle' | 'busy' | 'dead';

export interface ExecutionEnvironment {
  readonly id: string;
  readonly functionName: string;
  readonly logStreamName: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  readonly state: EnvironmentState;
  readonly invocationCount: number;
  /** Runs one event; rejects only when the environment is busy or dead (a usage error). */
  invoke(event: unknown, options?: InvokeOptions): Promise<InvocationReport>;
  /** Kills the process at once (synchronous, for exit handlers). */
  kill(): void;
  /** Kills the process, waits for it, closes the Runtime API and the log file. */
  close(): Promise<void>;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
}

interface InFlight {
  readonly requestId: string;
  readonly calledAt: number;
  readonly traceHeader: string | undefined;
  readonly lines: string[];
  started: boolean;
  startedAt: number;
  endedAt: number | undefined;
  timedOut: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Lets output the runtime wrote before its last HTTP request reach the log
 * first. The runtime writes stdout synchronously (a pipe, on Linux) before it
 * posts, so its bytes are already readable when the post arrives: two turns of
 * the event loop, each with an I/O poll, deliver them.
 */
function drainOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Peak resident memory (VmHWM) in MB, or undefined without /proc. */
function readMaxMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Math.ceil(Number(m[1]) / 1024);
  } catch {
    return undefined;
  }
}

/** How Lambda words a runtime's exit: `exit status 1`, `signal: killed`. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === null) return `exit status ${code ?? 0}`;
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
  };
  return `signal: ${names[signal] ?? signal.toLowerCase()}`;
}

/**
 * Kills the environment's process group (its pid: it is spawned detached) if
 * this process dies without doing so — SIGKILL, where no exit handler runs: a
 * shell blocked reading a pipe that only this process holds, whose end is its
 * cue. An idle runtime would notice the dead Runtime API by itself; one busy
 * in a handler would not. Detached and deaf to INT/TERM/HUP, so a signal to our
 * group does not take the guard with it. Killed with the environment.
 */
function startOrphanGuard(pgid: number): ChildProcess | undefined {
  try {
    const guard = spawn('/bin/sh', ['-c', `trap '' INT TERM HUP; read -r _; kill -KILL -${pgid} 2>/dev/null`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    guard.on('error', () => {});
    guard.stdin?.on('error', () => {});
    // Neither the guard nor its pipe keeps faultline running.
    guard.unref();
    (guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
    return guard;
  } catch {
    return undefined;
  }
}

let defaultNode: RuntimeNode | undefined;
function defaultRuntimeNode(): RuntimeNode {
  defaultNode ??= findRuntimeNode(DEFAULT_RUNTIME);
  return defaultNode;
}

export async function startEnvironment(spec: FunctionSpec, options: EnvironmentOptions): Promise<ExecutionEnvironment> {
  validateFunctionSpec(spec);
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const initializationType = options.initializationType ?? 'on-demand';
  const timeoutMs = (spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const memorySizeMb = spec.memorySizeMb ?? DEFAULT_MEMORY_MB;
  const format = logFormatOf(spec);
  const invokedFunctionArn = `arn:aws:lambda:${region}:${accountId}:function:${spec.name}`;
  const logStreamName = newLogStreamName('$LATEST');
  const id = logStreamName.slice(logStreamName.indexOf(']') + 1);
  const log = openLogStreamFile(options.logDir, spec.name, logStreamName);

  let state: EnvironmentState = 'initializing';
  let current: InFlight | undefined;
  let invocationCount = 0;
  let initDurationMs: number | undefined;
  let initFailed = false;
  let killedByUs = false;
  let lastMemoryMb: number | undefined;
  let child: ChildProcess | undefined;
  let orphanGuard: ChildProcess | undefined;
  let initTimer: NodeJS.Timeout | undefined;
  let spawnedAt = performance.now();

  const splitter = createLineSplitter((line) => {
    log.write(Date.now(), line);
    if (current?.started) current.lines.push(line);
  });

  function writeInitReport(outcome: Exclude<ReportStatus, { status: 'success' }>): void {
    initDurationMs ??= performance.now() - spawnedAt;
    log.write(Date.now(), formatInitReport(format, { timeMs: Date.now(), initDurationMs, initializationType, outcome }));
  }

  function kill(): void {
    killedByUs = true;
    if (child === undefined) return;
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      // The whole process group: an exec wrapper that forks instead of exec'ing leaves no orphan.
      process.kill(-pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    orphanGuard?.kill('SIGKILL');
  }

  /** Ends the environment's init as failed; waiting invocations get `error` as their init error. */
  async function failInit(error: LambdaError, outcome: Exclude<ReportStatus, { status: 'success' }>): Promise<void> {
    if (initFailed) return;
    initFailed = true;
    state = 'dead';
    clearTimeout(initTimer);
    initDurationMs = performance.now() - spawnedAt;
    await drainOutput();
    writeInitReport(outcome);
    kill();
    api.abandonAll((requestId) => ({ kind: 'init-error', requestId, ...error }));
  }

  const api = await startRuntimeApi({
    async onInitDone() {
      clearTimeout(initTimer);
      initDurationMs = performance.now() - spawnedAt;
      await drainOutput();
      if (state === 'initializing') state = current === undefined ? 'idle' : 'busy';
    },
    async onInitError(error) {
      initFailed = true;
      clearTimeout(initTimer);
      state = 'dead';
      initDurationMs = performance.now() - spawnedAt;
      // The runtime client exits by itself after reporting (printing the error
      // as it goes); wait for that, so its last words precede INIT_REPORT.
      const killLater = setTimeout(kill, 2000);
      await exited;
      clearTimeout(killLater);
      await drainOutput();
      writeInitReport({ status: 'error', errorType: error.errorType });
    },
    onInvocationStart(requestId) {
      const inv = current;
      if (inv === undefined || inv.requestId !== requestId) return;
      inv.started = true;
      inv.startedAt = performance.now();
      // Sampled now too: a runtime that crashes mid-invocation has no /proc entry left to read.
      lastMemoryMb = readMaxMemoryMb(child?.pid) ?? lastMemoryMb;
      log.write(Date.now(), formatStart(format, { timeMs: Date.now(), requestId, version: '$LATEST' }));
      inv.timer = setTimeout(() => onTimeout(inv), timeoutMs);
    },
  });

  function onTimeout(inv: InFlight): void {
    if (current !== inv) return;
    inv.timedOut = true;
    inv.endedAt = performance.now();
    lastMemoryMb = readMaxMemoryMb(child?.pid) ?? lastMemoryMb;
    state = 'dead';
    kill();
    const at = new Date().toISOString();
    api.abandonAll((requestId) => ({
      kind: 'error',
      requestId,
      errorType: 'Sandbox.Timedout',
      errorMessage: `${at} ${requestId} ${timeoutMessage(timeoutMs)}`,
      trace: [],
    }));
  }

  const runtime = options.runtime ?? defaultRuntimeNode();
  const ctx: EnvironmentContext = {
    runtime,
    runtimeApi: api.address,
    logStreamName,
    region,
    initializationType,
    runtimeDir: runtime.client.dir,
    credentials: options.credentials ?? LOCAL_CREDENTIALS,
  };
  const env = buildLambdaEnv(spec, ctx);
  const rt = runtimeVersion(region, runtime);
  log.write(
    Date.now(),
    formatInitStart(format, {
      timeMs: Date.now(),
      runtimeVersion: rt.version,
      runtimeVersionArn: rt.arn,
      initializationType,
      functionName: spec.name,
      functionVersion: '$LATEST',
    }),
  );

  // Lambda's runtime command line, behind the exec wrapper when one is set.
  // `sh -c 'exec "$@" 2>&1'` gives stdout and stderr one pipe (one ordered
  // stream, as Lambda's log stream is) and exec keeps a single pid.
  const wrapper = env.AWS_LAMBDA_EXEC_WRAPPER;
  const runtimeCommand = [runtime.path, '--expose-gc', '--max-http-header-size', '81920', runtime.client.entry];
  const argv = ['-c', 'exec "$@" 2>&1', 'sh', ...(wrapper ? [wrapper] : []), ...runtimeCommand];
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  spawnedAt = performance.now();
  const proc = spawn('/bin/sh', argv, { cwd: spec.codeDir, env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  child = proc;
  if (proc.pid !== undefined) orphanGuard = startOrphanGuard(proc.pid);
  proc.stdout!.on('data', (chunk: Buffer) => splitter.push(chunk));
  proc.stdout!.on('end', () => splitter.end());
  proc.on('error', (err) => {
    // spawn itself failed (no /bin/sh): nothing will ever exit, so settle here.
    log.write(Date.now(), `faultline local: could not start the runtime: ${err.message}`);
    void failInit({ errorType: 'Runtime.ExitError', errorMessage: `could not start the runtime: ${err.message}`, trace: [] }, {
      status: 'error',
      errorType: 'Runtime.ExitError',
    }).then(resolveExited);
  });
  proc.on('exit', (code, signal) => {
    clearTimeout(initTimer);
    orphanGuard?.kill('SIGKILL');
    const how = describeExit(code, signal);
    if (!killedByUs && !initFailed) {
      if (!api.initDone) {
        void failInit({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${how}`, trace: [] }, {
          status: 'error',
          errorType: 'Runtime.ExitError',
        });
      } else {
        state = 'dead';
        if (current !== undefined) current.endedAt = performance.now();
        api.abandonAll((requestId) => ({
          kind: 'error',
          requestId,
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${how}`,
          trace: [],
        }));
      }
    }
    state = 'dead';
    resolveExited();
  });

  const initTimeoutMs = options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
  initTimer = setTimeout(() => {
    if (api.initDone || initFailed) return;
    void failInit(
      { errorType: 'Sandbox.Timedout', errorMessage: `Init phase timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`, trace: [] },
      { status: 'timeout' },
    );
  }, initTimeoutMs);

  async function invoke(event: unknown, opts: InvokeOptions = {}): Promise<InvocationReport> {
    if (state === 'dead') throw new Error(`execution environment ${id} of ${spec.name} is no longer running`);
    if (current !== undefined) throw new Error(`execution environment ${id} of ${spec.name} is busy: one invocation at a time`);
    const coldStart = invocationCount === 0 && initializationType === 'on-demand';
    invocationCount++;
    const inv: InFlight = {
      requestId: opts.requestId ?? randomUUID(),
      calledAt: performance.now(),
      traceHeader: opts.traceHeader,
      lines: [],
      started: false,
      startedAt: 0,
      endedAt: undefined,
      timedOut: false,
      timer: undefined,
    };
    current = inv;
    if (state === 'idle') state = 'busy';
    const result = await api.invoke(event, {
      requestId: inv.requestId,
      timeoutMs,
      invokedFunctionArn,
      ...(opts.traceHeader !== undefined && { traceHeader: opts.traceHeader }),
      ...(opts.clientContext !== undefined && { clientContext: opts.clientContext }),
      ...(opts.cognitoIdentity !== undefined && { cognitoIdentity: opts.cognitoIdentity }),
    });
    inv.endedAt ??= performance.now();
    clearTimeout(inv.timer);
    if (!inv.timedOut) lastMemoryMb = readMaxMemoryMb(child?.pid) ?? lastMemoryMb;
    await drainOutput();

    const status: ReportStatus = inv.timedOut
      ? { status: 'timeout' }
      : result.kind === 'response'
        ? { status: 'success' }
        : result.kind === 'init-error'
          ? { status: 'error', errorType: result.errorType }
          : // A handler error is a successful run for Lambda's report; only runtime failures carry a Status.
            result.errorType.startsWith('Runtime.')
            ? { status: 'error', errorType: result.errorType }
            : { status: 'success' };
    const now = Date.now();
    if (!inv.started) {
      // Init failed before the event was handed out; Lambda still logs the invocation.
      inv.started = true;
      inv.startedAt = inv.calledAt;
      log.write(now, formatStart(format, { timeMs: now, requestId: inv.requestId, version: '$LATEST' }));
    }
    if (inv.timedOut && format === 'Text') log.write(now, formatTimeout({ timeMs: now, requestId: inv.requestId, timeoutMs }));
    if (format === 'Text') log.write(now, formatEnd({ requestId: inv.requestId }));
    const durationMs = Math.max(0, inv.endedAt - inv.startedAt);
    const reportInit = coldStart && initDurationMs !== undefined && result.kind !== 'init-error' ? initDurationMs : undefined;
    log.write(
      now,
      formatReport(format, {
        timeMs: now,
        requestId: inv.requestId,
        durationMs,
        memorySizeMb,
        maxMemoryUsedMb: lastMemoryMb,
        initDurationMs: reportInit,
        traceHeader: spec.tracing === 'Active' ? inv.traceHeader : undefined,
        outcome: status,
      }),
    );
    current = undefined;
    if (state === 'busy') state = 'idle';
    return {
      ...result,
      functionName: spec.name,
      environmentId: id,
      logStreamName,
      coldStart,
      initDurationMs: coldStart ? initDurationMs : undefined,
      durationMs,
      billedDurationMs: billedDurationMs(durationMs),
      maxMemoryUsedMb: lastMemoryMb,
      status: status.status,
      traceHeader: inv.traceHeader,
      logLines: inv.lines,
    };
  }

  let closing: Promise<void> | undefined;
  return {
    id,
    functionName: spec.name,
    logStreamName,
    logFile: log.path,
    get pid() {
      return proc.pid;
    },
    get state() {
      return state;
    },
    get invocationCount() {
      return invocationCount;
    },
    invoke,
    kill,
    exited,
    close() {
      closing ??= (async () => {
        kill();
        await exited;
        await api.close();
        await drainOutput();
        await log.close();
        state = 'dead';
      })();
      return closing;
    },
  };
}
