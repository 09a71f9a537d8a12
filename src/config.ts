// The environment, read and validated once per execution environment into a
// readonly config (the Powertools `#envConfig` pattern). Nothing else in src/
// reads process.env on the invocation path.

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type TracesMode = 'log' | 'otlp' | 'off';
export type InitType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | 'lambda-managed-instances';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export interface FaultlineConfig {
  readonly handler: string | undefined;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number | undefined;
  readonly region: string | undefined;
  readonly logGroupName: string | undefined;
  readonly logStreamName: string | undefined;
  readonly service: string;
  readonly logLevel: LogLevel;
  /** Lambda's own log format: with `JSON` the runtime already writes JSON lines for console.* */
  readonly lambdaLogFormat: 'Text' | 'JSON';
  readonly traces: TracesMode;
  readonly metricsNamespace: string;
  readonly redactKeys: readonly string[];
  readonly chaosTable: string | undefined;
  readonly chaosRefreshMs: number;
  readonly initType: InitType;
  readonly taskRoot: string;
  /** Deployment environment name used by the chaos production lock (FAULTLINE_ENV, else DEPLOYMENT_ENV / STAGE / NODE_ENV). */
  readonly environment: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(env: Env, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function parseLogLevel(raw: string | undefined, from: string): LogLevel | undefined {
  if (raw === undefined) return undefined;
  const up = raw.toUpperCase() === 'WARNING' ? 'WARN' : raw.toUpperCase();
  if ((LOG_LEVELS as readonly string[]).includes(up)) return up as LogLevel;
  throw new ConfigError(`${from}=${raw}: expected one of ${LOG_LEVELS.join(', ')}`);
}

function parseTraces(raw: string | undefined): TracesMode {
  if (raw === undefined) return 'log';
  const v = raw.toLowerCase();
  if (v === 'log' || v === 'otlp' || v === 'off') return v;
  throw new ConfigError(`FAULTLINE_TRACES=${raw}: expected log, otlp or off`);
}

function parsePositiveInt(raw: string | undefined, key: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${key}=${raw}: expected a whole number of milliseconds above 0`);
  return n;
}

function parseInitType(raw: string | undefined): InitType {
  switch (raw) {
    case 'provisioned-concurrency':
    case 'snap-start':
    case 'lambda-managed-instances':
      return raw;
    default:
      return 'on-demand';
  }
}

/** Pure: builds the config from an environment map. Throws ConfigError naming the bad variable. */
export function readConfig(env: Env = process.env): FaultlineConfig {
  const functionName = nonEmpty(env, 'AWS_LAMBDA_FUNCTION_NAME') ?? 'local';
  const mem = nonEmpty(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE');
  return Object.freeze({
    handler: nonEmpty(env, 'FAULTLINE_HANDLER'),
    functionName,
    functionVersion: nonEmpty(env, 'AWS_LAMBDA_FUNCTION_VERSION') ?? '$LATEST',
    memorySizeMb: mem === undefined ? undefined : Number(mem),
    region: nonEmpty(env, 'AWS_REGION') ?? nonEmpty(env, 'AWS_DEFAULT_REGION'),
    logGroupName: nonEmpty(env, 'AWS_LAMBDA_LOG_GROUP_NAME'),
    logStreamName: nonEmpty(env, 'AWS_LAMBDA_LOG_STREAM_NAME'),
    service: nonEmpty(env, 'FAULTLINE_SERVICE') ?? nonEmpty(env, 'OTEL_SERVICE_NAME') ?? functionName,
    logLevel:
      parseLogLevel(nonEmpty(env, 'FAULTLINE_LOG_LEVEL'), 'FAULTLINE_LOG_LEVEL') ??
      parseLogLevel(nonEmpty(env, 'AWS_LAMBDA_LOG_LEVEL'), 'AWS_LAMBDA_LOG_LEVEL') ??
      'INFO',
    lambdaLogFormat: nonEmpty(env, 'AWS_LAMBDA_LOG_FORMAT')?.toUpperCase() === 'JSON' ? 'JSON' : 'Text',
    traces: parseTraces(nonEmpty(env, 'FAULTLINE_TRACES')),
    metricsNamespace: nonEmpty(env, 'FAULTLINE_METRICS_NAMESPACE') ?? 'Faultline',
    redactKeys: Object.freeze(
      (nonEmpty(env, 'FAULTLINE_REDACT') ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    chaosTable: nonEmpty(env, 'FAULTLINE_CHAOS_TABLE'),
    chaosRefreshMs: parsePositiveInt(nonEmpty(env, 'FAULTLINE_CHAOS_REFRESH_MS'), 'FAULTLINE_CHAOS_REFRESH_MS', 5000),
    initType: parseInitType(nonEmpty(env, 'AWS_LAMBDA_INITIALIZATION_TYPE')),
    taskRoot: nonEmpty(env, 'LAMBDA_TASK_ROOT') ?? process.cwd(),
    environment:
      nonEmpty(env, 'FAULTLINE_ENV') ?? nonEmpty(env, 'DEPLOYMENT_ENV') ?? nonEmpty(env, 'STAGE') ?? nonEmpty(env, 'NODE_ENV'),
  });
}
