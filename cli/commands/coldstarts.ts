// `faultline coldstarts`: per function, cold starts and init durations by
// init type, from REPORT lines and the agent's EMF metrics.
import { Command, Option } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CliRun, examples } from '../common.js';
import type { SourceFlags } from '../logs/openSource.js';
import { SkippedLineReport } from '../logs/skippedLines.js';
import { parseRange } from '../logs/timeRange.js';

interface ColdstartsFlags extends SourceFlags {
  since: string;
  until?: string;
}

async function runColdstarts(io: CliRun, flags: ColdstartsFlags): Promise<void> {
  const { COLD_START_TERMS, ColdStartTally } = await import('../logs/coldStarts.js');
  const { coldStartsFromCloudWatch } = await import('../logs/coldStartsInsights.js');
  const { clearProgress, explainAwsError, openLogs, stderrProgress } = await import('../logs/openSource.js');
  const { parseLogLine } = await import('../logs/parseLogLine.js');
  const { renderColdStarts } = await import('../logs/renderColdStarts.js');
  const range = parseRange(flags.since, flags.until, Date.now());
  let rows;
  const skipped = new SkippedLineReport(Boolean(flags.json));
  try {
    const opened = await openLogs(flags, { skipped });
    if (opened.kind === 'cloudwatch') {
      // At scale the aggregation runs in Logs Insights, not here.
      rows = await coldStartsFromCloudWatch(opened.functions, range, {
        client: opened.client,
        budget: opened.budget,
        insights: { progress: stderrProgress() },
      });
      clearProgress();
    } else {
      const tally = new ColdStartTally(opened.functions);
      await opened.source.search({ functions: opened.functions, terms: COLD_START_TERMS, range }, (event) => {
        tally.add(parseLogLine(event, event.function));
      });
      rows = tally.result();
    }
  } catch (err) {
    throw explainAwsError(err);
  }
  if (flags.json) {
    printJson(io, { type: 'coldstarts', since: new Date(range.startMs).toISOString(), until: new Date(range.endMs).toISOString(), functions: rows, skippedLines: skipped.count });
  } else {
    io.stdout.write(renderColdStarts(rows, painter(useColor(flags, io))));
  }
  skipped.summarize();
}

export function registerColdstarts(program: Command, io: CliRun): void {
  const cmd = program
    .command('coldstarts')
    .description('per function: cold starts, their share of invocations, and init duration p50/p95/p99/max by init type')
    .option('--functions <names>', 'comma-separated function names (default with a log directory: every function in it)')
    .option('--prefix <prefix>', 'every function whose name starts with this')
    .option('--stack <name>', 'every Lambda function of a CloudFormation stack')
    .addOption(new Option('--source <source>', '"cloudwatch" or a log directory such as .faultline/logs').default('cloudwatch'))
    .option('--since <when>', 'from this long ago (90s, 15m, 2h, 7d) or this ISO time', '24h')
    .option('--until <when>', 'up to this long ago or this ISO time (default: now)');
  addCommonOptions(cmd)
  examples(cmd, [
    'faultline coldstarts --prefix shop- --since 7d',
    'faultline coldstarts --functions checkout --source .faultline/logs --json',
  ]).action(action(io, (flags: ColdstartsFlags) => runColdstarts(io, flags)));
}
