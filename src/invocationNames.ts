// Which function an invocation belongs to. The rule: each name comes from the
// invocation's context when the context carries a usable value (Lambda's
// runtime always does), else from the environment (AWS_LAMBDA_* variables, read
// once into the config), else its default ("local", "$LATEST", none). Outside
// an invocation there is no context: the environment's names are used.
// `service` follows the function name unless FAULTLINE_SERVICE/OTEL_SERVICE_NAME set it.
import type { FaultlineConfig } from './config.js';

export interface FunctionNames {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number | undefined;
  readonly logGroupName: string | undefined;
  readonly logStreamName: string | undefined;
  readonly service: string;
}

/** The context's fields faultline takes names from (any object; a field of the wrong type is ignored). */
interface NamedContext {
  readonly functionName?: unknown;
  readonly functionVersion?: unknown;
  readonly memoryLimitInMB?: unknown;
  readonly logGroupName?: unknown;
  readonly logStreamName?: unknown;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function megabytes(v: unknown): number | undefined {
  const n = typeof v === 'string' && v !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The environment's names: what every line outside an invocation carries. */
export function environmentNames(config: FaultlineConfig): FunctionNames {
  return {
    functionName: config.functionName,
    functionVersion: config.functionVersion,
    memorySizeMb: config.memorySizeMb,
    logGroupName: config.logGroupName,
    logStreamName: config.logStreamName,
    service: config.service,
  };
}

/**
 * Pure: the names of one invocation. Returns `env` itself when the context
 * agrees with it (always so on Lambda), so the common case allocates nothing.
 */
export function invocationNames(env: FunctionNames, ctx: unknown): FunctionNames {
  if (ctx === null || typeof ctx !== 'object') return env;
  const c = ctx as NamedContext;
  let functionName: string | undefined;
  let functionVersion: string | undefined;
  let memorySizeMb: number | undefined;
  let logGroupName: string | undefined;
  let logStreamName: string | undefined;
  try {
    functionName = text(c.functionName) ?? env.functionName;
    functionVersion = text(c.functionVersion) ?? env.functionVersion;
    memorySizeMb = megabytes(c.memoryLimitInMB) ?? env.memorySizeMb;
    logGroupName = text(c.logGroupName) ?? env.logGroupName;
    logStreamName = text(c.logStreamName) ?? env.logStreamName;
  } catch {
    return env; // a context whose getters throw names nothing
  }
  if (
    functionName === env.functionName &&
    functionVersion === env.functionVersion &&
    memorySizeMb === env.memorySizeMb &&
    logGroupName === env.logGroupName &&
    logStreamName === env.logStreamName
  ) {
    return env;
  }
  // The service defaulted to the environment's function name: it follows the invocation's.
  const service = env.service === env.functionName ? functionName : env.service;
  return { functionName, functionVersion, memorySizeMb, logGroupName, logStreamName, service };
}
