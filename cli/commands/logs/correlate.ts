// `faultline logs correlate`: one request's timeline across functions.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CliRun, examples } from '../../common.js';
import type { SourceFlags } from '../../logs/openSource.js';
import { SkippedLineReport } from '../../logs/skippedLines.js';
import { parseRange } from '../../logs/timeRange.js';
import { selectionOptions } from './selection.js';

interface CorrelateFlags extends SourceFlags {
  since: string;
  until?: string;
  html?: string;
}

async function runCorrelate(io: CliRun, id: string, flags: CorrelateFlags): Promise<void> {
  const { findCorrelation } = await import('../../logs/findCorrelation.js');
  const { clearProgress, explainAwsError, openLogs, stderrProgress } = await import('../../logs/openSource.js');
  const { renderCorrelation } = await import('../../logs/renderCorrelation.js');
  const { toJsonLine } = await import('../../logs/correlate.js');
  const range = parseRange(flags.since, flags.until, Date.now());
  const skipped = new SkippedLineReport(Boolean(flags.json));
  try {
    const opened = await openLogs(flags, { skipped });
    const correlation = await findCorrelation({
      source: opened.source,
      functions: opened.functions,
      id,
      range,
      ...(opened.kind === 'cloudwatch' ? { progress: stderrProgress() } : {}),
      notice: (m) => io.stderr.write(`faultline: note: ${m}\n`),
    });
    if (opened.kind === 'cloudwatch') clearProgress();
    let page: { path: string; spans: number } | undefined;
    if (flags.html) {
      const { writeCorrelationWaterfall } = await import('../../report/write.js');
      const written = await writeCorrelationWaterfall(flags.html, correlation);
      page = { path: written.path, spans: written.model.spans.length };
    }
    if (flags.json) {
      for (const line of correlation.lines) printJson(io, toJsonLine(line));
      if (page) printJson(io, { type: 'waterfall-page', ...page });
    } else {
      io.stdout.write(renderCorrelation(correlation, painter(useColor(flags, io))));
      if (page) io.stdout.write(`waterfall: ${page.path} (${page.spans} spans)\n`);
    }
    skipped.summarize();
  } catch (err) {
    throw explainAwsError(err);
  }
}

export function registerCorrelate(logs: Command, io: CliRun): Command {
  const correlate = logs
    .command('correlate')
    .description(
      'find every log line and span of one request across functions (by trace id, request id or a correlation id such as orderId), ' +
        'follow it to the invocations it touched, and show a waterfall and the merged log lines',
    )
    .argument(
      '<id>',
      'trace id (W3C 32 hex or X-Ray 1-…-…), Lambda request id, or a correlation id such as an orderId, matched exactly as the value of a JSON log field or span attribute, or as a whole token of a log message (ord-7731 matches "order ord-7731 paid", not ord-77310 or ord-7731-b)',
    );
  selectionOptions(correlate, { withStack: true })
    .option('--since <when>', 'search from this long ago (90s, 15m, 2h, 7d) or this ISO time', '1h')
    .option('--until <when>', 'search up to this long ago or this ISO time (default: now)')
    .option('--html <file>', 'also write the request\'s waterfall as one self-contained HTML page and print its path');
  addCommonOptions(correlate)
  examples(correlate, [
    'faultline logs correlate 1-5f84c7a1-0123456789abcdef01234567 --prefix shop- --since 2h',
    'faultline logs correlate ord-1234 --functions checkout,payments,shipping --source .faultline/logs --json',
    'faultline logs correlate ord-1234 --source .faultline/logs/latest --html ord-1234.html   # the waterfall page',
  ]).action(action(io, (id: string, flags: CorrelateFlags) => runCorrelate(io, id, flags)));

  return correlate;
}
