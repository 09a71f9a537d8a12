// Streams a LogSource through the aggregator: only the lines the report
// reads (REPORT, EMF, spans) are asked for, so CloudWatch filters server-side
// and a log directory's scanner skips the rest on raw bytes.
import { parseLogLine } from '../logs/parseLogLine.js';
import type { LogSource, TimeRange } from '../logs/source.js';
import { ReportAggregator, type AggregatorOptions } from './aggregate.js';
import type { GameDayReport } from './model.js';

/** Raw-text terms of every line the report needs: Lambda's REPORT (text and JSON), the agent's EMF and spans. */
export const REPORT_TERMS = ['REPORT RequestId', '"platform.report"', '"_aws"', '"type":"span"'];

/**
 * For a log directory, one term that every one of those lines holds
 * (`Duration:`, `"durationMs"`, `"Duration"`): the scanner makes one pass per
 * term (and per escaped spelling), so one term reads the files once, not ten times.
 */
export const REPORT_SCAN_TERMS = ['uration'];

export interface BuildReportOptions extends Omit<AggregatorOptions, 'range' | 'source'> {
  readonly source: LogSource;
  readonly range: TimeRange;
}

export async function buildReport(opts: BuildReportOptions): Promise<GameDayReport> {
  const agg = new ReportAggregator({ ...opts, source: opts.source.description });
  const terms = opts.source.description.startsWith('log directory ') ? REPORT_SCAN_TERMS : REPORT_TERMS;
  await opts.source.search({ functions: opts.functions, terms, range: opts.range }, (event) => {
    agg.add(parseLogLine(event, event.function));
  });
  return agg.result();
}
