// `faultline logs correlate` and `faultline logs tail` (README "The CLI").
import { Command, Option } from 'commander';
import { action, addCommonOptions, painter, printJson, UsageError, useColor } from '../common.js';
import { toJsonLine } from '../logs/correlate.js';
import { findCorrelation } from '../logs/findCorrelation.js';
import { clearProgress, explainAwsError, openLogs, stderrProgress, type SourceFlags } from '../logs/openSource.js';
import { SkippedLineReport } from '../logs/skippedLines.js';
import { renderCorrelation } from '../logs/renderCorrelation.js';
import { tailJson, tailText } from '../logs/renderTail.js';
import { durationMs, parseInstant, parseRange } from '../logs/timeRange.js';

interface CorrelateFlags extends SourceFlags {
  since: string;
  until?: string;
}

interface TailFlags extends SourceFlags {
  since?: string;
  until?: string;
  maxEvents?: string;
}

function selectionOptions(cmd: Command, { withStack }: { withStack: boolean }): Command {
  cmd
    .option('--functions <names>', 'comma-separated function names (default with a log directory: every function in it)')
    .option('--prefix <prefix>', 'every function whose name starts with this');
  if (withStack) cmd.option('--stack <name>', 'every Lambda function of a CloudFormation stack');
  return cmd.addOption(new Option('--source <source>', '"cloudwatch" or a log directory such as .faultline/logs').default('cloudwatch'));
}

async function runCorrelate(id: string, flags: CorrelateFlags): Promise<void> {
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
      notice: (m) => process.stderr.write(`faultline: note: ${m}\n`),
    });
    if (opened.kind === 'cloudwatch') clearProgress();
    if (flags.json) for (const line of correlation.lines) printJson(toJsonLine(line));
    else process.stdout.write(renderCorrelation(correlation, painter(useColor(flags))));
    skipped.summarize();
  } catch (err) {
    throw explainAwsError(err);
  }
}

/** --until for tail: an ISO time, or a duration from now (`30s`: follow for 30 seconds). */
function tailDeadline(until: string | undefined, now: number): number | undefined {
  if (until === undefined) return undefined;
  const d = durationMs(until);
  if (d !== undefined) return now + d;
  return parseInstant('--until', until, now);
}

function parseMaxEvents(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-events ${v}: expected a whole number of at least 1`);
  return n;
}

async function runTail(flags: TailFlags): Promise<void> {
  const now = Date.now();
  const sinceMs = flags.since === undefined ? now : parseInstant('--since', flags.since, now);
  const deadline = tailDeadline(flags.until, now);
  const maxEvents = parseMaxEvents(flags.maxEvents);
  let opened;
  // Each skipped line is named as the tail meets it; a tail has no end to summarise at.
  const skipped = new SkippedLineReport(Boolean(flags.json));
  try {
    opened = await openLogs(flags, { allowStack: false, skipped });
  } catch (err) {
    throw explainAwsError(err);
  }
  const p = painter(useColor(flags));
  const fnWidth = Math.max(...opened.functions.map((f) => f.length));
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  // `logs tail | head`: a closed pipe ends the tail instead of crashing it.
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stop();
  };
  process.stdout.on('error', onStdoutError);
  const timer = deadline === undefined ? undefined : setTimeout(stop, Math.max(0, deadline - Date.now()));
  let printed = 0;
  try {
    if (!flags.json) process.stderr.write(`following ${opened.functions.join(', ')} (${opened.source.description}); Ctrl-C to stop\n`);
    for await (const event of opened.source.follow({ functions: opened.functions, sinceMs, signal: controller.signal })) {
      if (flags.json) printJson(tailJson(event));
      else process.stdout.write(tailText(event, fnWidth, p) + '\n');
      if (maxEvents !== undefined && ++printed >= maxEvents) break;
    }
  } catch (err) {
    throw explainAwsError(err);
  } finally {
    process.removeListener('SIGINT', stop);
    process.stdout.removeListener('error', onStdoutError);
    if (timer) clearTimeout(timer);
    controller.abort();
  }
}

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description("read the functions' logs: one request's timeline, or a live tail");

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
    .option('--until <when>', 'search up to this long ago or this ISO time (default: now)');
  addCommonOptions(correlate)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  $ faultline logs correlate 1-5f84c7a1-0123456789abcdef01234567 --prefix shop- --since 2h\n' +
        '  $ faultline logs correlate ord-1234 --functions checkout,payments,shipping --source .faultline/logs --json\n',
    )
    .action(action((id: string, flags: CorrelateFlags) => runCorrelate(id, flags)));

  const tail = logs.command('tail').description('follow the logs of many functions at once, coloured per function');
  selectionOptions(tail, { withStack: false })
    .option('--since <when>', 'start with events from this long ago (default: new events only)')
    .option('--until <when>', 'stop at this ISO time or after this long (30s, 5m)')
    .option('--max-events <n>', 'stop after printing this many events');
  addCommonOptions(tail)
    .addHelpText(
      'after',
      '\nExamples:\n' + '  $ faultline logs tail --prefix shop- --region eu-west-1\n' + '  $ faultline logs tail --functions checkout,payments --source .faultline/logs --since 5m\n',
    )
    .action(action((flags: TailFlags) => runTail(flags)));

  // Nested commands were created before program.ts turns exits into
  // exceptions; ask for the same here so usage errors reach runCli (exit 2).
  for (const cmd of [logs, correlate, tail]) cmd.exitOverride();
}
