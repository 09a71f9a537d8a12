// Template variables shared by every dashboard: which CloudWatch datasource,
// region, agent namespace, functions and log groups.
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DS_INPUT } from './importable.js';
import { CLOUDWATCH } from './queries.js';
import { DEFAULT_NAMESPACE, LAMBDA_LOG_GROUP_PREFIX } from './telemetryCatalog.js';

/** The CloudWatch plugin's variable query editor always sends this refId. */
const VARIABLE_REF_ID = 'CloudWatchVariableQueryEditor-VariableQuery';

function cloudwatchVariableQuery(fields: Record<string, string>): Record<string, string> {
  return {
    refId: VARIABLE_REF_ID,
    region: '$region',
    namespace: '',
    metricName: '',
    dimensionKey: '',
    instanceID: '',
    attributeName: '',
    resourceType: '',
    ...fields,
  };
}

/** Preselected to the datasource the import maps `DS_CLOUDWATCH` to. */
export const datasourceVariable = () =>
  new DatasourceVariableBuilder('datasource')
    .label('CloudWatch')
    .type('cloudwatch')
    .current({ selected: true, text: `\${${DS_INPUT}}`, value: `\${${DS_INPUT}}` });

export const regionVariable = () =>
  new QueryVariableBuilder('region')
    .label('Region')
    .datasource(CLOUDWATCH)
    .query(cloudwatchVariableQuery({ queryType: 'regions', region: '' }))
    .current({ selected: true, text: 'default', value: 'default' })
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.AlphabeticalAsc);

export const namespaceVariable = () =>
  new TextBoxVariableBuilder('namespace')
    .label('Agent namespace')
    .description('FAULTLINE_METRICS_NAMESPACE of the functions (default Faultline)')
    .defaultValue(DEFAULT_NAMESPACE)
    .current({ selected: true, text: DEFAULT_NAMESPACE, value: DEFAULT_NAMESPACE });

/**
 * Functions that run the agent: values of FunctionName on its Duration
 * metric. "All" is the CloudWatch wildcard `*`, which keeps the search
 * expression short whether there is one function or a hundred.
 */
export const functionsVariable = () =>
  new QueryVariableBuilder('functions')
    .label('Functions')
    .datasource(CLOUDWATCH)
    .query(
      cloudwatchVariableQuery({
        queryType: 'dimensionValues',
        namespace: '$namespace',
        metricName: 'Duration',
        dimensionKey: 'FunctionName',
      }),
    )
    .multi(true)
    .includeAll(true)
    .allValue('*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);

/**
 * Log groups for the Logs Insights panels (values are ARNs). Logs Insights
 * reads at most 50 log groups per query: with more functions, pick them here.
 */
export const logGroupsVariable = () =>
  new QueryVariableBuilder('loggroups')
    .label('Log groups')
    .description('Lambda log groups the Logs Insights panels read (at most 50 per query)')
    .datasource(CLOUDWATCH)
    .query(cloudwatchVariableQuery({ queryType: 'logGroups', logGroupPrefix: LAMBDA_LOG_GROUP_PREFIX }))
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.AlphabeticalAsc);

export const commonVariables = () => [
  datasourceVariable(),
  regionVariable(),
  namespaceVariable(),
  functionsVariable(),
  logGroupsVariable(),
];
