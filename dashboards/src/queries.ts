// Typed CloudWatch query factories. Metric and field names come from the
// telemetry catalog only, so the type checker rejects a name the agent does
// not emit before the cross-check test has to.
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import {
  type AnnotationQuery,
  type LogGroup,
  LogGroupBuilder,
  LogsQueryBuilder,
  LogsQueryLanguage,
  MetricEditorMode,
  MetricQueryType,
  MetricsQueryBuilder,
  QueryMode,
} from '@grafana/grafana-foundation-sdk/cloudwatch';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  AGENT_DIMENSION_SETS,
  AGENT_METRIC_DIMENSION_SETS,
  LAMBDA_DIMENSION,
  LAMBDA_NAMESPACE,
  type AgentDimensionSet,
  type AgentMetric,
  type LambdaMetric,
} from './telemetryCatalog.js';

/** Every panel and variable queries the datasource the `datasource` variable selects. */
export const CLOUDWATCH: DataSourceRef = { type: 'cloudwatch', uid: '${datasource}' };

export type Statistic = 'Sum' | 'Average' | 'Maximum' | 'SampleCount' | 'p50' | 'p90' | 'p99';

/**
 * An agent metric per selected function. Naming every key of the dimension
 * set (the one not filtered as `*`) with matchExact makes Grafana search
 * exactly that set: `{ns,FunctionName,service}`, never a mix of sets that
 * would count one invocation twice.
 */
export function agentMetric(
  id: string,
  metric: AgentMetric,
  statistic: Statistic,
  set: AgentDimensionSet,
  label: string,
): MetricsQueryBuilder {
  if (!AGENT_METRIC_DIMENSION_SETS[metric].includes(set)) {
    throw new Error(`${metric} is not published under [${AGENT_DIMENSION_SETS[set].join(', ')}]`);
  }
  const [, second] = AGENT_DIMENSION_SETS[set];
  return new MetricsQueryBuilder()
    .refId(id.toUpperCase())
    .id(id)
    .region('$region')
    .namespace('$namespace')
    .metricName(metric)
    .statistic(statistic)
    .dimensions({ FunctionName: '$functions', [second]: '*' })
    .matchExact(true)
    .period('')
    .label(label)
    .metricQueryType(MetricQueryType.Search)
    .metricEditorMode(MetricEditorMode.Builder);
}

/** An AWS/Lambda metric per selected function (dimension set [FunctionName]). */
export function lambdaMetric(id: string, metric: LambdaMetric, statistic: Statistic, label: string): MetricsQueryBuilder {
  return new MetricsQueryBuilder()
    .refId(id.toUpperCase())
    .id(id)
    .region('$region')
    .namespace(LAMBDA_NAMESPACE)
    .metricName(metric)
    .statistic(statistic)
    .dimensions({ [LAMBDA_DIMENSION]: '$functions' })
    .matchExact(true)
    .period('')
    .label(label)
    .metricQueryType(MetricQueryType.Search)
    .metricEditorMode(MetricEditorMode.Builder);
}

/** Metric math over other queries of the same panel, by their ids. */
export function mathExpression(id: string, expression: string, label: string): MetricsQueryBuilder {
  return new MetricsQueryBuilder()
    .refId(id.toUpperCase())
    .id(id)
    .region('$region')
    .namespace('')
    .expression(expression)
    .label(label)
    .metricQueryType(MetricQueryType.Search)
    .metricEditorMode(MetricEditorMode.Code);
}

/** Hidden input of a math expression: CloudWatch still fetches it (ReturnData false). */
export function hidden(query: MetricsQueryBuilder): MetricsQueryBuilder {
  return query.hide(true);
}

/**
 * CloudWatch Metrics Insights: the top N functions over every function in the
 * namespace, whatever the `functions` selection, so a hundred functions still
 * fit one table.
 */
export function topFunctions(id: string, sql: string): MetricsQueryBuilder {
  return new MetricsQueryBuilder()
    .refId(id.toUpperCase())
    .id(id)
    .region('$region')
    .namespace('')
    .sqlExpression(sql)
    .metricQueryType(MetricQueryType.Insights)
    .metricEditorMode(MetricEditorMode.Code);
}

/**
 * A Logs Insights query over the log groups the `loggroups` variable selects
 * (its values are log group ARNs; Grafana expands a multi-value selection).
 */
export function logsInsights(id: string, expression: string, statsGroups?: string[]): LogsQueryBuilder {
  const q = new LogsQueryBuilder()
    .refId(id.toUpperCase())
    .id(id)
    .region('$region')
    .queryLanguage(LogsQueryLanguage.CWLI)
    .logGroups([new LogGroupBuilder().arn('$loggroups').name('$loggroups')])
    .expression(expression);
  return statsGroups ? q.statsGroups(statsGroups) : q;
}

/**
 * A CloudWatch Logs annotation query (`queryMode: Annotations`,
 * `annotationType: logs`). The SDK's CloudWatch AnnotationQuery only knows
 * alarm annotations, so this extends it the way the SDK documents for custom
 * query types.
 */
export interface LogsAnnotationQuery extends Omit<AnnotationQuery, 'namespace'> {
  annotationType: 'logs';
  expression: string;
  logGroups: LogGroup[];
  queryLanguage: LogsQueryLanguage;
}

export class LogsAnnotationQueryBuilder implements Builder<Dataquery> {
  private readonly internal: LogsAnnotationQuery;

  constructor(refId: string, expression: string) {
    this.internal = {
      queryMode: QueryMode.Annotations,
      annotationType: 'logs',
      refId,
      region: '$region',
      expression,
      logGroups: [new LogGroupBuilder().arn('$loggroups').name('$loggroups').build()],
      queryLanguage: LogsQueryLanguage.CWLI,
      _implementsDataqueryVariant() {},
    };
  }

  build(): LogsAnnotationQuery {
    return this.internal;
  }
}
