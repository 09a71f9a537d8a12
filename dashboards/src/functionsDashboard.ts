// Functions: the AWS/Lambda view of the selected functions, with errors
// split into those an injected fault explains and the rest.
import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import type { Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard } from './baseDashboard.js';
import { layout, perFunction, seriesToRows, table, total, type Section } from './panels.js';
import { agentMetric, hidden, lambdaMetric, mathExpression, topFunctions } from './queries.js';

const FN = "${PROP('Dim.FunctionName')}";

export const FUNCTIONS_UID = 'faultline-functions';

export function functionsDashboard(): Dashboard {
  const d: DashboardBuilder = baseDashboard(FUNCTIONS_UID, 'faultline / Functions', 'Invocations, errors, throttles and duration of the functions running the faultline agent.');
  return layout(d, functionsSections()).build();
}

/** The rows and panels, each under a key its panel id derives from (see panels.ts layout). */
export function functionsSections(): Section[] {
  return [
    {
      key: 'overview',
      row: 'Overview (all selected functions)',
      cells: [
        {
          key: 'invocations',
          w: 6,
          h: 5,
          panel: total('Invocations', 'AWS/Lambda Invocations, summed over the selected functions.', 'short', 'sum', [
            hidden(lambdaMetric('inv', 'Invocations', 'Sum', FN)),
            mathExpression('total', 'SUM(inv)', 'Invocations'),
          ]),
        },
        {
          key: 'error-rate',
          w: 6,
          h: 5,
          panel: total('Error rate', 'AWS/Lambda Errors / Invocations over the selected functions.', 'percent', 'mean', [
            hidden(lambdaMetric('err', 'Errors', 'Sum', FN)),
            hidden(lambdaMetric('inv', 'Invocations', 'Sum', FN)),
            mathExpression('rate', '100 * SUM(err) / SUM(inv)', 'Error rate'),
          ]),
        },
        {
          key: 'throttles',
          w: 6,
          h: 5,
          panel: total('Throttles', 'AWS/Lambda Throttles, summed over the selected functions.', 'short', 'sum', [
            hidden(lambdaMetric('thr', 'Throttles', 'Sum', FN)),
            mathExpression('total', 'SUM(thr)', 'Throttles'),
          ]),
        },
        {
          key: 'faults-injected',
          w: 6,
          h: 5,
          panel: total('Faults injected', 'FaultsInjected from the agent (namespace $namespace): every fault a chaos rule injected.', 'short', 'sum', [
            hidden(agentMetric('flt', 'FaultsInjected', 'Sum', 'service', FN)),
            mathExpression('total', 'SUM(flt)', 'Faults injected'),
          ]),
        },
      ],
    },
    {
      key: 'errors-injected-vs-real',
      row: 'Errors: injected vs real',
      cells: [
        {
          key: 'errors-injected-vs-real',
          w: 24,
          h: 8,
          panel: perFunction(
            'Errors: injected vs real',
            'Errors of the selected functions (AWS/Lambda Errors) split by the agent\'s FaultsInjected: "injected" is at most one error per injected fault, "real" is what no fault explains. A latency fault that did not fail the call still counts as a fault, so "real" is a lower bound.',
            'short',
            [
              hidden(lambdaMetric('err', 'Errors', 'Sum', FN)),
              hidden(agentMetric('flt', 'FaultsInjected', 'Sum', 'service', FN)),
              mathExpression('injected', 'MIN([FILL(SUM(err), 0), FILL(SUM(flt), 0)])', 'injected'),
              mathExpression('real', 'FILL(SUM(err), 0) - injected', 'real'),
            ],
          ).stacking(new StackingConfigBuilder().mode(StackingMode.Normal)),
        },
      ],
    },
    {
      key: 'per-function',
      row: 'Per function',
      cells: [
        {
          key: 'invocations-per-function',
          w: 12,
          h: 8,
          panel: perFunction('Invocations', 'AWS/Lambda Invocations per function.', 'short', [lambdaMetric('inv', 'Invocations', 'Sum', FN)]),
        },
        {
          key: 'errors-per-function',
          w: 12,
          h: 8,
          panel: perFunction('Errors', 'AWS/Lambda Errors per function.', 'short', [lambdaMetric('err', 'Errors', 'Sum', FN)]),
        },
        {
          key: 'duration-p50',
          w: 12,
          h: 8,
          panel: perFunction('Duration p50', 'AWS/Lambda Duration, median, per function.', 'ms', [lambdaMetric('p50', 'Duration', 'p50', FN)]),
        },
        {
          key: 'duration-p99',
          w: 12,
          h: 8,
          panel: perFunction('Duration p99', 'AWS/Lambda Duration, 99th percentile, per function.', 'ms', [lambdaMetric('p99', 'Duration', 'p99', FN)]),
        },
        {
          key: 'throttles-per-function',
          w: 12,
          h: 8,
          panel: perFunction('Throttles', 'AWS/Lambda Throttles per function.', 'short', [lambdaMetric('thr', 'Throttles', 'Sum', FN)]),
        },
        {
          key: 'top-functions-by-errors',
          w: 12,
          h: 8,
          panel: table(
            'Top 10 functions by errors',
            'CloudWatch Metrics Insights over every function in the region (not only the selected ones).',
            [
              topFunctions(
                'top',
                'SELECT SUM(Errors) FROM SCHEMA("AWS/Lambda", FunctionName) GROUP BY FunctionName ORDER BY SUM() DESC LIMIT 10',
              ),
            ],
          ).withTransformation(seriesToRows()),
        },
      ],
    },
  ];
}
