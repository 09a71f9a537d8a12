// CloudWatch Embedded Metric Format: one document per invocation. The
// constant parts (namespace, dimensions, metric declarations, dimension
// values) are serialised once per environment.
import type { InitType } from '../../config.js';

export const METRIC_NAMES = ['ColdStart', 'InitDuration', 'Duration', 'Error', 'FaultsInjected'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export const METRIC_UNITS: Readonly<Record<MetricName, 'Count' | 'Milliseconds'>> = {
  ColdStart: 'Count',
  InitDuration: 'Milliseconds',
  Duration: 'Milliseconds',
  Error: 'Count',
  FaultsInjected: 'Count',
};

/** Every document carries [FunctionName, service]; the first invocation of an environment also [FunctionName, initType]. */
export const DIMENSION_SETS = {
  always: ['FunctionName', 'service'],
  firstInvocation: ['FunctionName', 'initType'],
} as const;

export interface InvocationMetrics {
  readonly timestampMs: number;
  readonly requestId: string;
  readonly traceId: string;
  /** The caller waited for this environment's init (docs/telemetry.md's ColdStart). */
  readonly coldStart: boolean;
  /** First invocation of the environment, whatever its init type: carries InitDuration. */
  readonly firstInvocation: boolean;
  readonly initDurationMs: number | undefined;
  readonly durationMs: number;
  readonly error: boolean;
  readonly faultsInjected: number;
  /** The invocation was ended by the agent because its deadline was near. */
  readonly timedOut?: boolean;
  /** The invocation's function and service, when its context names another function than the environment. */
  readonly names?: { readonly functionName: string; readonly service: string };
}

export interface EmfFormatter {
  format(m: InvocationMetrics): string;
}

function declaration(namespace: string, dims: readonly (readonly string[])[], metrics: readonly MetricName[]): string {
  return JSON.stringify([
    {
      Namespace: namespace,
      Dimensions: dims,
      Metrics: metrics.map((Name) => ({ Name, Unit: METRIC_UNITS[Name] })),
    },
  ]);
}

const round = (n: number) => Math.round(n * 100) / 100;

export function createEmfFormatter(opts: {
  namespace: string;
  functionName: string;
  service: string;
  initType: InitType;
}): EmfFormatter {
  const warmDecl = declaration(opts.namespace, [DIMENSION_SETS.always], ['ColdStart', 'Duration', 'Error', 'FaultsInjected']);
  const firstDecl = declaration(opts.namespace, [DIMENSION_SETS.always, DIMENSION_SETS.firstInvocation], [...METRIC_NAMES]);
  const dims =
    `"FunctionName":${JSON.stringify(opts.functionName)},"service":${JSON.stringify(opts.service)},` +
    `"initType":${JSON.stringify(opts.initType)}`;

  return {
    format(m) {
      const decl = m.firstInvocation && m.initDurationMs !== undefined ? firstDecl : warmDecl;
      const n = m.names;
      const ownDims =
        n === undefined || (n.functionName === opts.functionName && n.service === opts.service)
          ? dims
          : `"FunctionName":${JSON.stringify(n.functionName)},"service":${JSON.stringify(n.service)},"initType":${JSON.stringify(opts.initType)}`;
      let doc =
        `{"_aws":{"Timestamp":${m.timestampMs},"CloudWatchMetrics":${decl}},${ownDims}` +
        `,"ColdStart":${m.coldStart ? 1 : 0}`;
      if (decl === firstDecl) doc += `,"InitDuration":${round(m.initDurationMs ?? 0)}`;
      doc +=
        `,"Duration":${round(m.durationMs)},"Error":${m.error ? 1 : 0},"FaultsInjected":${m.faultsInjected}` +
        `,"requestId":${JSON.stringify(m.requestId)},"traceId":"${m.traceId}"`;
      if (m.timedOut) doc += ',"timedOut":true';
      return doc + '}\n';
    },
  };
}
