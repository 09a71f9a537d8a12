// Cold starts: how often callers wait for an environment to start, and how
// long, by function and init type; the slowest ones from Lambda's REPORT lines.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { baseDashboard } from './baseDashboard.js';
import { layout, perFunction, seriesToRows, table, total, type Section } from './panels.js';
import { agentMetric, hidden, logsInsights, mathExpression, topFunctions } from './queries.js';
import { REPORT_TYPE } from './telemetryCatalog.js';

const FN = "${PROP('Dim.FunctionName')}";
const FN_INIT = "${PROP('Dim.FunctionName')} (${PROP('Dim.initType')})";

export const COLD_STARTS_UID = 'faultline-coldstarts';

/** Lambda's REPORT line carries @initDuration only when the invocation ran an init. */
export const SLOWEST_COLD_STARTS_QUERY = [
  'fields @timestamp, @log, @requestId, @initDuration, @duration, @maxMemoryUsed, @memorySize',
  `| filter @type = "${REPORT_TYPE}" and ispresent(@initDuration)`,
  '| sort @initDuration desc',
  '| limit 25',
].join('\n');

export function coldStartsDashboard(): Dashboard {
  const d = baseDashboard(
    COLD_STARTS_UID,
    'faultline / Cold starts',
    'ColdStart and InitDuration from the faultline agent (EMF, namespace $namespace), and the slowest inits from Lambda REPORT lines.',
  );
  return layout(d, coldStartsSections()).build();
}

/** The rows and panels, each under a key its panel id derives from (see panels.ts layout). */
export function coldStartsSections(): Section[] {
  return [
    {
      key: 'overview',
      row: 'Overview (all selected functions)',
      cells: [
        {
          key: 'cold-starts',
          w: 8,
          h: 5,
          panel: total('Cold starts', 'Invocations that waited for a new environment (ColdStart = 1). Provisioned-concurrency and SnapStart inits are not counted.', 'short', 'sum', [
            hidden(agentMetric('cs', 'ColdStart', 'Sum', 'service', FN)),
            mathExpression('total', 'SUM(cs)', 'Cold starts'),
          ]),
        },
        {
          key: 'cold-start-rate',
          w: 8,
          h: 5,
          panel: total('Cold start rate', 'Share of invocations that were cold starts.', 'percent', 'mean', [
            hidden(agentMetric('cs', 'ColdStart', 'Sum', 'service', FN)),
            hidden(agentMetric('n', 'ColdStart', 'SampleCount', 'service', FN)),
            mathExpression('rate', '100 * SUM(cs) / SUM(n)', 'Cold start rate'),
          ]),
        },
        {
          key: 'slowest-init-p99',
          w: 8,
          h: 5,
          panel: total('Slowest init p99', 'InitDuration p99 of the slowest selected function and init type.', 'ms', 'max', [
            hidden(agentMetric('init', 'InitDuration', 'p99', 'initType', FN_INIT)),
            mathExpression('worst', 'MAX(init)', 'InitDuration p99'),
          ]),
        },
      ],
    },
    {
      key: 'by-function-and-init-type',
      row: 'By function and init type',
      cells: [
        {
          key: 'cold-start-rate-per-function',
          w: 12,
          h: 8,
          panel: perFunction('Cold start rate', 'Average of ColdStart per function: the share of its invocations that were cold.', 'percentunit', [
            agentMetric('rate', 'ColdStart', 'Average', 'service', FN),
          ]),
        },
        {
          key: 'environment-inits-by-init-type',
          w: 12,
          h: 8,
          panel: perFunction(
            'Environment inits by init type',
            'How many environments started, per function and AWS_LAMBDA_INITIALIZATION_TYPE (on-demand, provisioned-concurrency, snap-start).',
            'short',
            [agentMetric('inits', 'InitDuration', 'SampleCount', 'initType', FN_INIT)],
          ),
        },
        {
          key: 'init-duration-p50',
          w: 12,
          h: 8,
          panel: perFunction('InitDuration p50', 'Median init time per function and init type.', 'ms', [
            agentMetric('p50', 'InitDuration', 'p50', 'initType', FN_INIT),
          ]),
        },
        {
          key: 'init-duration-p99',
          w: 12,
          h: 8,
          panel: perFunction('InitDuration p99', '99th percentile init time per function and init type.', 'ms', [
            agentMetric('p99', 'InitDuration', 'p99', 'initType', FN_INIT),
          ]),
        },
      ],
    },
    {
      key: 'slowest-cold-starts',
      row: 'Slowest cold starts',
      cells: [
        {
          key: 'slowest-cold-starts',
          w: 16,
          h: 10,
          panel: table(
            'Slowest cold starts (REPORT lines)',
            'Logs Insights over the selected log groups: REPORT lines with an Init Duration, slowest first. `faultline coldstarts --functions <name>` prints the same from the CLI.',
            [logsInsights('report', SLOWEST_COLD_STARTS_QUERY)],
            { field: '@initDuration', desc: true },
          ),
        },
        {
          key: 'top-functions-by-cold-starts',
          w: 8,
          h: 10,
          panel: table('Top 10 functions by cold starts', 'CloudWatch Metrics Insights over every function in namespace $namespace.', [
            topFunctions(
              'top',
              'SELECT SUM(ColdStart) FROM SCHEMA("$namespace", FunctionName, service) GROUP BY FunctionName ORDER BY SUM() DESC LIMIT 10',
            ),
          ]).withTransformation(seriesToRows()),
        },
      ],
    },
  ];
}
