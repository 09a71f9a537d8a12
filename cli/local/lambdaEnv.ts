// The process environment Lambda gives a Node.js runtime, built from scratch
// (never inherited from the emulator's own process, whose NODE_OPTIONS or test
// runner variables would change what the function does). Pure.
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';

import type { InitializationType, LambdaLogFormat } from './platformLog.js';
import { executionEnvOf, type RuntimeNode } from './runtimeNode.js';

export interface FunctionSpec {
  /** Function name: AWS_LAMBDA_FUNCTION_NAME, the log group and the log directory. */
  readonly name: string;
  /** `_HANDLER`: `<file>.<export>` relative to codeDir (`src/api/index.handler`), or an absolute path. */
  readonly handler: string;
  /** LAMBDA_TASK_ROOT: the unzipped function code. */
  readonly codeDir: string;
  /** Default 3, as Lambda's. */
  readonly timeoutSeconds?: number;
  /** Default 128, as Lambda's. */
  readonly memorySizeMb?: number;
  /** The function's own variables; `AWS_LAMBDA_EXEC_WRAPPER` among them starts the runtime through that script. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Unzipped layer directories, in order: what Lambda extracts to /opt (their `nodejs/node_modules` join NODE_PATH). */
  readonly layers?: readonly string[];
  /** Lambda's log format; defaults to the function's AWS_LAMBDA_LOG_FORMAT variable, else Text. */
  readonly logFormat?: LambdaLogFormat;
  /** Application log level for the JSON format (AWS_LAMBDA_LOG_LEVEL); default INFO there. */
  readonly logLevel?: string;
  /** `Active` writes the X-Ray part of REPORT lines, as functions with active tracing have. */
  readonly tracing?: 'Active' | 'PassThrough';
  /** At most this many environments at once (reserved concurrency); unlimited when absent. */
  readonly reservedConcurrency?: number;
}

export interface EnvironmentContext {
  readonly runtimeApi: string;
  readonly logStreamName: string;
  readonly region: string;
  readonly initializationType: InitializationType;
  /** Directory of the runtime client (what /var/runtime is on Lambda). */
  readonly runtimeDir: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
  /** The emulated runtime and the node that runs it. */
  readonly runtime: RuntimeNode;
}

/** Credentials that look real and work against local endpoints (dynalite accepts any). */
export const LOCAL_CREDENTIALS = Object.freeze({
  accessKeyId: 'ASIAFAULTLINELOCAL00',
  secretAccessKey: 'faultline/local/secret/access/key/000000',
  sessionToken: 'faultline-local-session-token',
});

export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_MB = 128;

/** `nodejs:24.v22` and its ARN, in Lambda's shape, derived from the node that runs the runtime. */
export function runtimeVersion(region: string, node: Pick<RuntimeNode, 'major' | 'version'>): { version: string; arn: string } {
  const minor = node.version.replace(/^v/, '').split('.')[1] ?? '0';
  const version = `nodejs:${node.major}.v${minor}`;
  const hash = createHash('sha256').update(node.version).digest('hex');
  return { version, arn: `arn:aws:lambda:${region}::runtime:${hash}` };
}

export function logFormatOf(spec: FunctionSpec): LambdaLogFormat {
  if (spec.logFormat !== undefined) return spec.logFormat;
  return spec.environment?.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? 'JSON' : 'Text';
}

/** Throws naming the bad field and the expected form. */
export function validateFunctionSpec(spec: FunctionSpec): void {
  const where = `function ${JSON.stringify(spec.name)}`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.name)) {
    throw new Error(`${where}: expected a name of 1 to 64 letters, digits, hyphens or underscores`);
  }
  if (!/^[^.]*\..+$/.test(spec.handler.split('/').pop() ?? '')) {
    throw new Error(`${where}: handler ${JSON.stringify(spec.handler)}: expected <file>.<export>, e.g. index.handler`);
  }
  const t = spec.timeoutSeconds;
  if (t !== undefined && !(Number.isFinite(t) && t > 0 && t <= 900)) {
    throw new Error(`${where}: timeoutSeconds ${t}: expected a number of seconds above 0 and at most 900`);
  }
  const m = spec.memorySizeMb;
  if (m !== undefined && !(Number.isInteger(m) && m >= 128 && m <= 10240)) {
    throw new Error(`${where}: memorySizeMb ${m}: expected a whole number of MB from 128 to 10240`);
  }
  const c = spec.reservedConcurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1)) {
    throw new Error(`${where}: reservedConcurrency ${c}: expected a whole number of environments, at least 1`);
  }
}

/** The variables Lambda sets; the function's own come first so Lambda's reserved ones win, as on Lambda. */
export function buildLambdaEnv(spec: FunctionSpec, ctx: EnvironmentContext): Record<string, string> {
  const layerPaths = (spec.layers ?? []).flatMap((l) => [join(l, 'nodejs', `node${ctx.runtime.major}`, 'node_modules'), join(l, 'nodejs', 'node_modules')]);
  const format = logFormatOf(spec);
  const env: Record<string, string> = {
    ...spec.environment,
    PATH: [dirname(ctx.runtime.path), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: [...layerPaths, join(ctx.runtimeDir, 'node_modules'), ctx.runtimeDir, spec.codeDir].join(':'),
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: ctx.runtimeDir,
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: executionEnvOf(ctx.runtime.runtime),
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb ?? DEFAULT_MEMORY_MB),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: ctx.logStreamName,
    AWS_LAMBDA_RUNTIME_API: ctx.runtimeApi,
    AWS_LAMBDA_INITIALIZATION_TYPE: ctx.initializationType,
    AWS_REGION: ctx.region,
    AWS_DEFAULT_REGION: ctx.region,
    AWS_ACCESS_KEY_ID: ctx.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ctx.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: ctx.credentials.sessionToken,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
  };
  if (format === 'JSON') {
    env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    env.AWS_LAMBDA_LOG_LEVEL = (spec.logLevel ?? spec.environment?.AWS_LAMBDA_LOG_LEVEL ?? 'INFO').toUpperCase();
  } else {
    delete env.AWS_LAMBDA_LOG_FORMAT;
    delete env.AWS_LAMBDA_LOG_LEVEL;
  }
  return env;
}
