// `faultline report`: one self-contained HTML page of a game day (or any time
// window) over a log source: rates, errors, latency, chaos rules as bands,
// recovery, cold starts, and the slowest and failed requests.
import { Command, Option } from 'commander';
import { action, addCommonOptions, examples, printJson, UsageError, type CliRun } from '../common.js';
import type { SourceFlags } from '../logs/openSource.js';
import { SkippedLineReport } from '../logs/skippedLines.js';
import { parseRange } from '../logs/timeRange.js';

interface ReportFlags extends SourceFlags {
  since: string;
  until?: string;
  out: string;
  title?: string;
  waterfalls: string;
}

function parseCount(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new UsageError(`${flag} ${v}: expected a whole number from 0 to 100`);
  return n;
}

async function runReport(io: CliRun, flags: ReportFlags): Promise<void> {
  const range = parseRange(flags.since, flags.until, Date.now());
  const waterfalls = parseCount('--waterfalls', flags.waterfalls);
  const skipped = new SkippedLineReport(Boolean(flags.json));
  // Loaded when the command runs: the rest of the CLI does not pay for the page templates.
  const { writeGameDayReport } = await import('../report/write.js');
  const { clearProgress, explainAwsError, openLogs } = await import('../logs/openSource.js');
  let written;
  try {
    const opened = await openLogs(flags, { skipped });
    written = await writeGameDayReport(flags.out, {
      source: opened.source,
      functions: opened.functions,
      range,
      waterfalls,
      ...(flags.title ? { title: flags.title } : {}),
    });
    if (opened.kind === 'cloudwatch') clearProgress();
  } catch (err) {
    throw explainAwsError(err);
  }
  if (flags.json) printJson(io, { ...written.report, path: written.path, waterfallPaths: written.waterfalls, skippedLines: skipped.count });
  else {
    const t = written.report.totals;
    io.stdout.write(`report: ${written.path}\n  ${t.invocations} invocations, ${t.errors} errors, ${t.faults} faults injected, ${written.report.bands.length} rule band(s)${written.waterfalls.length ? `, ${written.waterfalls.length} request waterfall(s)` : ''}\n`);
  }
  skipped.summarize();
}

export function registerReport(program: Command, io: CliRun): void {
  const cmd = program
    .command('report')
    .description('one self-contained HTML page of a game day or time window: rates, errors, latency, rule bands, recovery, cold starts')
    .option('--functions <names>', 'comma-separated function names (default with a log directory: every function in it)')
    .option('--prefix <prefix>', 'every function whose name starts with this')
    .option('--stack <name>', 'every Lambda function of a CloudFormation stack')
    .addOption(new Option('--source <source>', '"cloudwatch" or a log directory such as .faultline/logs').default('cloudwatch'))
    .option('--since <when>', 'from this long ago (90s, 15m, 2h, 7d) or this ISO time', '24h')
    .option('--until <when>', 'up to this long ago or this ISO time (default: now)')
    .option('--out <file>', 'the HTML file to write', 'faultline-report.html')
    .option('--title <text>', 'the page title', 'Game day')
    .option('--waterfalls <n>', 'also write a request waterfall page for this many failed and slowest requests, linked from the report', '5');
  addCommonOptions(cmd);
  examples(cmd, [
    'faultline report --source .faultline/logs/latest --out gameday.html',
    'faultline report --prefix shop- --since 2h --out shop.html --json',
  ]).action(action(io, (flags: ReportFlags) => runReport(io, flags)));
}
