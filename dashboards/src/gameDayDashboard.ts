// Game day: the faults chaos rules inject, set against the error rate and
// latency they cause, with the live rules as annotations and the failing
// requests one click away from their whole trace.
import { AnnotationEventFieldMappingBuilder, AnnotationEventFieldSource, AnnotationQueryBuilder, TextBoxVariableBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { baseDashboard } from './baseDashboard.js';
import { layout, linkOverride, perFunction, table, total, type Section } from './panels.js';
import { CLOUDWATCH, LogsAnnotationQueryBuilder, agentMetric, hidden, logsInsights, mathExpression } from './queries.js';
import { FAULT_LOG_MESSAGE, SPAN_TYPE } from './telemetryCatalog.js';

const FN = "${PROP('Dim.FunctionName')}";

export const GAME_DAY_UID = 'faultline-gameday';

const FAULT_LINES = `filter message = "${FAULT_LOG_MESSAGE}"`;

// The fault fields under `faultline.chaos.*`, or bare `chaos.*` as older layers wrote them.
const RULE = 'coalesce(faultline.chaos.rule_id, chaos.rule_id)';
const FAULT = 'coalesce(faultline.chaos.fault, chaos.fault)';
const TARGET = 'coalesce(faultline.chaos.target, chaos.target)';

/** One annotation per rule and function: the first fault it injected in the time range. */
export const LIVE_RULES_QUERY = [
  `fields @timestamp, ${RULE} as rule, concat("rule ", ${RULE}, ": ", ${FAULT}, " on ", ${TARGET}, " in ", function) as text`,
  `| ${FAULT_LINES}`,
  '| sort @timestamp asc',
  '| dedup rule, function',
  '| limit 200',
].join('\n');

export const FAULTS_BY_RULE_QUERY = [
  `${FAULT_LINES}`,
  `| fields ${RULE} as rule, ${TARGET} as target`,
  '| stats count(*) as faults by bin(1m), rule, target',
].join('\n');

export const LIVE_RULE_COUNT_QUERY = [`${FAULT_LINES}`, `| stats count_distinct(${RULE}) as rules`].join('\n');

/** Invocation spans (the ones with faas.trigger) that ended in ERROR. */
export const FAILING_REQUESTS_QUERY = [
  'fields @timestamp, function, requestId, traceId, name, durationMs, status.message,',
  '  concat("faultline logs correlate ", traceId) as correlate',
  `| filter type = "${SPAN_TYPE}" and status.code = "ERROR" and ispresent(attributes.faas.trigger)`,
  '| sort @timestamp desc',
  '| limit 50',
].join('\n');

/** The dashboard-side `faultline logs correlate`: every line of one trace, across functions. */
export const TRACE_TIMELINE_QUERY = [
  'fields @timestamp, function, type, level, name, message, durationMs, status.code, requestId',
  '| filter traceId = "$traceid"',
  '| sort @timestamp asc',
  '| limit 500',
].join('\n');

/** Reopens this dashboard on the clicked trace, keeping time range and selections. */
const TRACE_LINK =
  `/d/${GAME_DAY_UID}?\${__url_time_range}&\${datasource:queryparam}&\${region:queryparam}&\${namespace:queryparam}` +
  '&${functions:queryparam}&${loggroups:queryparam}&var-traceid=${__value.raw}';

const liveRulesAnnotation = () =>
  new AnnotationQueryBuilder()
    .name('Chaos rules')
    .datasource(CLOUDWATCH)
    .enable(true)
    .iconColor('orange')
    .target(new LogsAnnotationQueryBuilder('ANNO', LIVE_RULES_QUERY))
    .mappings({
      time: new AnnotationEventFieldMappingBuilder().source(AnnotationEventFieldSource.Field).value('@timestamp'),
      text: new AnnotationEventFieldMappingBuilder().source(AnnotationEventFieldSource.Field).value('text'),
      tags: new AnnotationEventFieldMappingBuilder().source(AnnotationEventFieldSource.Field).value('rule'),
    });

export function gameDayDashboard(): Dashboard {
  const d = baseDashboard(
    GAME_DAY_UID,
    'faultline / Game day',
    'Faults injected by chaos rules against error rate and latency. Rules appear as annotations (from the agent\'s "chaos fault injected" log lines).',
  )
    .withVariable(new TextBoxVariableBuilder('traceid').label('Trace id').description('Set by clicking a trace id in "Recent failing requests"').defaultValue(''))
    .annotation(liveRulesAnnotation());
  return layout(d, gameDaySections()).build();
}

/** The rows and panels, each under a key its panel id derives from (see panels.ts layout). */
export function gameDaySections(): Section[] {
  return [
    {
      key: 'faults-against-impact',
      row: 'Faults against impact (all selected functions)',
      cells: [
        {
          key: 'live-rules',
          w: 6,
          h: 5,
          panel: new StatPanel()
            .title('Live rules')
            .description('Chaos rules that injected at least one fault in the time range (from the WARN fault log lines).')
            .datasource(CLOUDWATCH)
            .unit('short')
            .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
            .withTarget(logsInsights('rules', LIVE_RULE_COUNT_QUERY)),
        },
        {
          key: 'faults-injected',
          w: 6,
          h: 5,
          panel: total('Faults injected', 'FaultsInjected from the agent, summed over the selected functions.', 'short', 'sum', [
            hidden(agentMetric('flt', 'FaultsInjected', 'Sum', 'service', FN)),
            mathExpression('total', 'SUM(flt)', 'Faults injected'),
          ]),
        },
        {
          key: 'error-rate',
          w: 6,
          h: 5,
          panel: total('Error rate', 'Share of invocations that failed (the agent\'s Error metric).', 'percent', 'mean', [
            hidden(agentMetric('err', 'Error', 'Sum', 'service', FN)),
            hidden(agentMetric('n', 'Error', 'SampleCount', 'service', FN)),
            mathExpression('rate', '100 * SUM(err) / SUM(n)', 'Error rate'),
          ]),
        },
        {
          key: 'worst-p99-latency',
          w: 6,
          h: 5,
          panel: total('Worst p99 latency', 'Duration p99 of the slowest selected function (agent metric).', 'ms', 'max', [
            hidden(agentMetric('p99', 'Duration', 'p99', 'service', FN)),
            mathExpression('worst', 'MAX(p99)', 'p99'),
          ]),
        },
        {
          key: 'faults-by-rule-and-target',
          w: 12,
          h: 9,
          panel: perFunction(
            'Faults injected by rule and target',
            'Logs Insights over the fault WARN lines, per minute, split by faultline.chaos.rule_id and faultline.chaos.target.',
            'short',
            [logsInsights('byrule', FAULTS_BY_RULE_QUERY, ['rule', 'target'])],
          ),
        },
        {
          key: 'error-rate-per-function',
          w: 12,
          h: 9,
          panel: perFunction('Error rate per function', 'Average of the agent\'s Error metric (0 or 1 per invocation).', 'percentunit', [
            agentMetric('rate', 'Error', 'Average', 'service', FN),
          ]),
        },
        {
          key: 'latency-p99-per-function',
          w: 12,
          h: 9,
          panel: perFunction('Latency p99 per function', 'Duration p99 per function (agent metric, includes injected latency).', 'ms', [
            agentMetric('p99', 'Duration', 'p99', 'service', FN),
          ]),
        },
        {
          key: 'faults-injected-per-function',
          w: 12,
          h: 9,
          panel: perFunction('Faults injected per function', 'FaultsInjected per function.', 'short', [
            agentMetric('flt', 'FaultsInjected', 'Sum', 'service', FN),
          ]),
        },
      ],
    },
    {
      key: 'failing-requests',
      row: 'Failing requests',
      cells: [
        {
          key: 'recent-failing-requests',
          w: 24,
          h: 10,
          panel: table(
            'Recent failing requests',
            'Invocation spans that ended in ERROR. Click a trace id to show its timeline below; from a terminal, `faultline logs correlate <traceId> --functions <names>` prints the same timeline (the correlate column has the command).',
            [logsInsights('failing', FAILING_REQUESTS_QUERY)],
            { field: '@timestamp', desc: true },
          ).overrideByName('traceId', linkOverride('Show the timeline of trace ${__value.raw}', TRACE_LINK)),
        },
        {
          key: 'trace-timeline',
          w: 24,
          h: 12,
          panel: table(
            'Trace timeline: $traceid',
            'Every log line, span and EMF document of one trace across the selected log groups, in time order: what `faultline logs correlate $traceid` prints.',
            [logsInsights('timeline', TRACE_TIMELINE_QUERY)],
            { field: '@timestamp', desc: false },
          ),
        },
      ],
    },
  ];
}
