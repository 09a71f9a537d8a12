// The environment, read and validated once per execution environment into a
// readonly config (the Powertools `#envConfig` pattern). Nothing else in src/
// reads process.env for settings. A value that cannot be used is reported and
// falls back to its default: a bad setting never fails or switches off the rest.
import { nonEmpty as nonEmptyValue } from './nonEmpty.js';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';
export type TracesMode = 'log' | 'otlp' | 'off';
export type InitType = 'on-demand' | 'provisioned-concurrency' | 'snap-start' | 'lambda-managed-instances';

/** OTEL_SPAN_* / OTEL_ATTRIBUTE_* limits, as the SDK reads them. */
export interface SpanLimits {
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
}

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
  /** OTEL_SPAN_* / OTEL_ATTRIBUTE_* limits. */
  readonly spanLimits: SpanLimits;
  /** Settings whose value could not be used (each fell back to its default), in the order read. */
  readonly problems: readonly ConfigProblem[];
}

/**
 * A setting whose value could not be used: it fell back to its default. The
 * agent says so once, as a structured warning (see docs/configuration.md).
 */
export interface ConfigProblem {
  readonly variable: string;
  /** The value as set, cut to 100 characters. */
  readonly value: string;
  /** The form the variable takes. */
  readonly expected: string;
  /** What is used instead. */
  readonly fallback: string;
}

type Env = Readonly<Record<string, string | undefined>>;
type Problems = ConfigProblem[];

function nonEmpty(env: Env, key: string): string | undefined {
  return nonEmptyValue(env[key]);
}

function problem(problems: Problems, variable: string, value: string, expected: string, fallback: string): undefined {
  problems.push({ variable, value: value.length > 100 ? `${value.slice(0, 100)}…` : value, expected, fallback });
  return undefined;
}

/** The one message that names a bad setting, its value, the expected form and what is used instead. */
export function describeProblem(p: ConfigProblem): string {
  return `${p.variable}=${JSON.stringify(p.value)} is not valid (expected ${p.expected}); using ${p.fallback}`;
}

function parseLogLevel(env: Env, key: string, fallback: string, problems: Problems): LogLevel | undefined {
  const raw = nonEmpty(env, key);
  if (raw === undefined) return undefined;
  const up = raw.toUpperCase() === 'WARNING' ? 'WARN' : raw.toUpperCase();
  if ((LOG_LEVELS as readonly string[]).includes(up)) return up as LogLevel;
  return problem(problems, key, raw, `one of ${LOG_LEVELS.join(', ')}`, fallback);
}

function parseTraces(env: Env, problems: Problems): TracesMode {
  const raw = nonEmpty(env, 'FAULTLINE_TRACES');
  if (raw === undefined) return 'log';
  const v = raw.toLowerCase();
  if (v === 'log' || v === 'otlp' || v === 'off') return v;
  problem(problems, 'FAULTLINE_TRACES', raw, 'log, otlp or off', 'log');
  return 'log';
}

function parsePositiveInt(env: Env, key: string, fallback: number, problems: Problems): number {
  const raw = nonEmpty(env, key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (Number.isSafeInteger(n) && n > 0) return n;
  problem(problems, key, raw, 'a whole number of milliseconds above 0, such as 5000', String(fallback));
  return fallback;
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

/** An OTEL_* limit: a number of 0 or more. Blank is unset; anything else is named and treated as unset. */
function limit(env: Env, key: string, fallback: string, problems: Problems): number | undefined {
  const raw = nonEmpty(env, key);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n) && n >= 0) return n;
  return problem(problems, key, raw, 'a number of 0 or more', fallback);
}

/** The SDK's span limits from OTEL_SPAN_* and OTEL_ATTRIBUTE_* (span-specific first), with its defaults. */
export function spanLimitsFromEnv(env: Env, problems: Problems = []): SpanLimits {
  const read = (key: string, dflt: string) => limit(env, key, dflt, problems);
  // Both are read (and a bad one named) even when the span-specific one is set.
  const spanCount = read('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT, else 128');
  const count = read('OTEL_ATTRIBUTE_COUNT_LIMIT', '128');
  const spanLength = read('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, else no limit');
  const length = read('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'no limit');
  return {
    attributeCountLimit: spanCount ?? count ?? 128,
    attributeValueLengthLimit: spanLength ?? length ?? Infinity,
    eventCountLimit: read('OTEL_SPAN_EVENT_COUNT_LIMIT', '128') ?? 128,
    linkCountLimit: read('OTEL_SPAN_LINK_COUNT_LIMIT', '128') ?? 128,
    attributePerEventCountLimit: read('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT', '128') ?? 128,
    attributePerLinkCountLimit: read('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT', '128') ?? 128,
  };
}

/**
 * Pure: builds the config from an environment map. Never throws: a value that
 * cannot be used is listed in `problems` and that setting keeps its default,
 * so one bad setting never switches the others off.
 */
export function readConfig(env: Env = process.env): FaultlineConfig {
  const problems: Problems = [];
  const functionName = nonEmpty(env, 'AWS_LAMBDA_FUNCTION_NAME') ?? 'local';
  const mem = Number(nonEmpty(env, 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'));
  const lambdaLevel = parseLogLevel(env, 'AWS_LAMBDA_LOG_LEVEL', 'INFO', problems);
  const logLevel = parseLogLevel(env, 'FAULTLINE_LOG_LEVEL', lambdaLevel ?? 'INFO', problems) ?? lambdaLevel ?? 'INFO';
  return Object.freeze({
    handler: nonEmpty(env, 'FAULTLINE_HANDLER'),
    functionName,
    functionVersion: nonEmpty(env, 'AWS_LAMBDA_FUNCTION_VERSION') ?? '$LATEST',
    memorySizeMb: Number.isFinite(mem) && mem > 0 ? mem : undefined,
    region: nonEmpty(env, 'AWS_REGION') ?? nonEmpty(env, 'AWS_DEFAULT_REGION'),
    logGroupName: nonEmpty(env, 'AWS_LAMBDA_LOG_GROUP_NAME'),
    logStreamName: nonEmpty(env, 'AWS_LAMBDA_LOG_STREAM_NAME'),
    service: nonEmpty(env, 'FAULTLINE_SERVICE') ?? nonEmpty(env, 'OTEL_SERVICE_NAME') ?? functionName,
    logLevel,
    lambdaLogFormat: nonEmpty(env, 'AWS_LAMBDA_LOG_FORMAT')?.toUpperCase() === 'JSON' ? 'JSON' : 'Text',
    traces: parseTraces(env, problems),
    metricsNamespace: nonEmpty(env, 'FAULTLINE_METRICS_NAMESPACE') ?? 'Faultline',
    redactKeys: Object.freeze(
      (nonEmpty(env, 'FAULTLINE_REDACT') ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    chaosTable: nonEmpty(env, 'FAULTLINE_CHAOS_TABLE'),
    chaosRefreshMs: parsePositiveInt(env, 'FAULTLINE_CHAOS_REFRESH_MS', 5000, problems),
    initType: parseInitType(nonEmpty(env, 'AWS_LAMBDA_INITIALIZATION_TYPE')),
    taskRoot: nonEmpty(env, 'LAMBDA_TASK_ROOT') ?? process.cwd(),
    environment:
      nonEmpty(env, 'FAULTLINE_ENV') ?? nonEmpty(env, 'DEPLOYMENT_ENV') ?? nonEmpty(env, 'STAGE') ?? nonEmpty(env, 'NODE_ENV'),
    spanLimits: Object.freeze(spanLimitsFromEnv(env, problems)),
    problems: Object.freeze(problems),
  });
}

/** Credentials the environment holds, whose exact values never appear in anything faultline writes. */
export function environmentSecrets(env: Env = process.env): readonly string[] {
  const out: string[] = [];
  for (const key of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const v = nonEmpty(env, key);
    if (v !== undefined) out.push(v);
  }
  return out;
}
