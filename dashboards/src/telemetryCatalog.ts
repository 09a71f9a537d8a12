// What the faultline agent emits, as far as dashboards may query it (docs/telemetry.md).
// The dashboards are built from these names only, and
// test/dashboards/telemetryCatalog.test.ts holds them against the agent's own
// code, so a renamed metric or log field breaks a test, not a game day.

/** `FAULTLINE_METRICS_NAMESPACE` default; the dashboards expose it as the `namespace` variable. */
export const DEFAULT_NAMESPACE = 'Faultline';

export const AGENT_METRICS = {
  ColdStart: 'Count',
  InitDuration: 'Milliseconds',
  Duration: 'Milliseconds',
  Error: 'Count',
  FaultsInjected: 'Count',
} as const;
export type AgentMetric = keyof typeof AGENT_METRICS;

/**
 * The dimension sets of the agent's EMF documents: every document carries
 * [FunctionName, service]; the first invocation of an environment also
 * publishes its metrics under [FunctionName, initType].
 */
export const AGENT_DIMENSION_SETS = {
  service: ['FunctionName', 'service'],
  initType: ['FunctionName', 'initType'],
} as const;
export type AgentDimensionSet = keyof typeof AGENT_DIMENSION_SETS;

/** Which metric appears under which dimension set. */
export const AGENT_METRIC_DIMENSION_SETS: Readonly<Record<AgentMetric, readonly AgentDimensionSet[]>> = {
  ColdStart: ['service', 'initType'],
  InitDuration: ['service', 'initType'],
  Duration: ['service', 'initType'],
  Error: ['service', 'initType'],
  FaultsInjected: ['service', 'initType'],
};

/** Non-dimension fields of every EMF document (searchable in Logs Insights). */
export const EMF_FIELDS = ['requestId', 'traceId', 'initType'] as const;

/** AWS/Lambda metrics the Functions dashboard reads (dimension FunctionName). */
export const LAMBDA_NAMESPACE = 'AWS/Lambda';
export const LAMBDA_METRICS = ['Invocations', 'Errors', 'Throttles', 'Duration'] as const;
export type LambdaMetric = (typeof LAMBDA_METRICS)[number];
export const LAMBDA_DIMENSION = 'FunctionName';

/** Log group of a function; the `loggroups` variable lists these by prefix. */
export const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';

/** Fields of every agent log line. */
export const LOG_FIELDS = ['timestamp', 'level', 'message', 'requestId', 'traceId', 'spanId', 'function', 'service', 'coldStart'] as const;

/** The WARN line written for every injected fault, and its extra fields. */
export const FAULT_LOG_MESSAGE = 'chaos fault injected';
export const FAULT_LOG_FIELDS = ['faultline.chaos.rule_id', 'faultline.chaos.fault', 'faultline.chaos.target'] as const;
/** The same fields as layers before the `faultline.*` namespace wrote them: queries read both. */
export const LEGACY_FAULT_LOG_FIELDS = ['chaos.rule_id', 'chaos.fault', 'chaos.target'] as const;

/** Span lines (`FAULTLINE_TRACES=log`), as Logs Insights flattens them. */
export const SPAN_FIELDS = [
  'type',
  'traceId',
  'spanId',
  'parentSpanId',
  'name',
  'kind',
  'startTime',
  'durationMs',
  'status.code',
  'status.message',
  'requestId',
  'function',
  'service',
  'attributes.faas.coldstart',
  'attributes.faas.trigger',
  'attributes.faas.invocation_id',
] as const;
export const SPAN_TYPE = 'span';

/** Fields Logs Insights discovers in Lambda's platform REPORT lines. */
export const REPORT_FIELDS = ['@type', '@requestId', '@duration', '@billedDuration', '@initDuration', '@maxMemoryUsed', '@memorySize'] as const;
export const REPORT_TYPE = 'REPORT';

/** Fields Logs Insights adds to every event. */
export const INSIGHTS_SYSTEM_FIELDS = ['@timestamp', '@message', '@log', '@logStream', '@ingestionTime'] as const;

/** Every field name a Logs Insights query in the dashboards may use. */
export const QUERYABLE_LOG_FIELDS: ReadonlySet<string> = new Set<string>([
  ...LOG_FIELDS,
  ...FAULT_LOG_FIELDS,
  ...LEGACY_FAULT_LOG_FIELDS,
  ...SPAN_FIELDS,
  ...REPORT_FIELDS,
  ...INSIGHTS_SYSTEM_FIELDS,
  ...EMF_FIELDS,
]);
