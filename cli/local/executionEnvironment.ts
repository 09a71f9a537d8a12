// One emulated Lambda execution environment: a real Node.js process running
// AWS's runtime client (aws-lambda-ric), started as Lambda starts it
// (`[$AWS_LAMBDA_EXEC_WRAPPER] node … <runtime>/index.mjs` with Lambda's
// environment), fed by its own Runtime API server, its output written to its
// own log stream with Lambda's platform lines around each invocation.
// One invocation at a time, as on Lambda; a timeout or a crash ends it.
// The jobs live beside it: the process (runtimeProcess.ts), the log stream
// (logCapture.ts), an invocation's record and closing lines
// (invocationRecord.ts), the Runtime API server (runtimeApi.ts); this file
// holds the environment's init and invoke states and wires them together.
import { randomUUID } from 'node:crypto';
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
import { captureLogStream, drainOutput } from './logCapture.js';
import { newLogStreamName } from './logStream.js';
import { newInFlight, reportStatusOf, writeInvocationEnd, type InFlight } from './invocationRecord.js';
import {
  billedDurationMs,
  formatInitReport,
  formatInitStart,
  formatStart,
  timeoutMessage,
  type InitializationType,
  type ReportStatus,
} from './platformLog.js';
import { readMaxMemoryMb, spawnRuntime, type RuntimeProcess } from './runtimeProcess.js';
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

  let state: EnvironmentState = 'initializing';
  let current: InFlight | undefined;
  let invocationCount = 0;
  let initDurationMs: number | undefined;
  let initFailed = false;
  let lastMemoryMb: number | undefined;
  let initTimer: NodeJS.Timeout | undefined;
  let spawnedAt = performance.now();
  // Assigned once the Runtime API's address is known (the process needs it); the API's callbacks only run after.
  let proc!: RuntimeProcess;
  const kill = () => proc.kill();
  const sampleMemory = () => {
    lastMemoryMb = readMaxMemoryMb(proc.pid) ?? lastMemoryMb;
  };

  const capture = captureLogStream(options.logDir, spec.name, logStreamName, () => (current?.started ? current.lines : undefined));
  const log = capture.log;

  function writeInitReport(outcome: Exclude<ReportStatus, { status: 'success' }>): void {
    initDurationMs ??= performance.now() - spawnedAt;
    log.write(Date.now(), formatInitReport(format, { timeMs: Date.now(), initDurationMs, initializationType, outcome }));
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
      await proc.exited;
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
      sampleMemory();
      log.write(Date.now(), formatStart(format, { timeMs: Date.now(), requestId, version: '$LATEST' }));
      inv.timer = setTimeout(() => onTimeout(inv), timeoutMs);
    },
  });

  function onTimeout(inv: InFlight): void {
    if (current !== inv) return;
    inv.timedOut = true;
    inv.endedAt = performance.now();
    sampleMemory();
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

  /** The runtime exited without being told to: a failed init, or a crash that fails the invocation in flight. */
  function onUnexpectedExit(how: string): void {
    if (!api.initDone) {
      void failInit({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${how}`, trace: [] }, {
        status: 'error',
        errorType: 'Runtime.ExitError',
      });
      return;
    }
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

  spawnedAt = performance.now();
  proc = spawnRuntime(
    { runtime, env, codeDir: spec.codeDir },
    {
      onOutput: capture.push,
      onOutputEnd: capture.end,
      onSpawnError(err) {
        log.write(Date.now(), `faultline local: could not start the runtime: ${err.message}`);
        return failInit({ errorType: 'Runtime.ExitError', errorMessage: `could not start the runtime: ${err.message}`, trace: [] }, {
          status: 'error',
          errorType: 'Runtime.ExitError',
        });
      },
      onExit(how, killedByUs) {
        clearTimeout(initTimer);
        if (!killedByUs && !initFailed) onUnexpectedExit(how);
        state = 'dead';
      },
    },
  );

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
    const inv = newInFlight(opts.requestId ?? randomUUID(), opts.traceHeader);
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
    if (!inv.timedOut) sampleMemory();
    await drainOutput();

    const status = reportStatusOf(result, inv.timedOut);
    const durationMs = writeInvocationEnd(log, inv, {
      format,
      status,
      timeoutMs,
      memorySizeMb,
      maxMemoryUsedMb: lastMemoryMb,
      initDurationMs: coldStart && initDurationMs !== undefined && result.kind !== 'init-error' ? initDurationMs : undefined,
      reportTraceHeader: spec.tracing === 'Active' ? inv.traceHeader : undefined,
    });
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
    exited: proc.exited,
    close() {
      closing ??= (async () => {
        kill();
        await proc.exited;
        await api.close();
        await drainOutput();
        await log.close();
        state = 'dead';
      })();
      return closing;
    },
  };
}
