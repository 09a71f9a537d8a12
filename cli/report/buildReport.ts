// Streams a LogSource through the aggregator: only the lines the report
// reads (REPORT, EMF, spans) are asked for, so CloudWatch filters server-side
// and a log directory's scanner skips the rest on raw bytes.
import { parseLogLine } from '../logs/parseLogLine.js';
import type { LogSource, TimeRange } from '../logs/source.js';
import { ReportAggregator, type AggregatorOptions } from './aggregate.js';
import type { GameDayReport } from './model.js';

/** Raw-text terms of every line the report needs: Lambda's REPORT (text and JSON), the agent's EMF and spans. */
export const REPORT_TERMS = ['REPORT RequestId', '"platform.report"', '"_aws"', '"type":"span"'];

export interface BuildReportOptions extends Omit<AggregatorOptions, 'range' | 'source'> {
  readonly source: LogSource;
  readonly range: TimeRange;
}

export async function buildReport(opts: BuildReportOptions): Promise<GameDayReport> {
  const agg = new ReportAggregator({ ...opts, source: opts.source.description });
  await opts.source.search({ functions: opts.functions, terms: REPORT_TERMS, range: opts.range }, (event) => {
    agg.add(parseLogLine(event, event.function));
  });
  return agg.result();
}
