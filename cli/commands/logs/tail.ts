// `faultline logs tail`: follow many functions' logs at once.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, UsageError, useColor, type CliRun, examples } from '../../common.js';
import type { SourceFlags } from '../../logs/openSource.js';
import { SkippedLineReport } from '../../logs/skippedLines.js';
import { durationMs, parseInstant } from '../../logs/timeRange.js';
import { selectionOptions } from './selection.js';

interface TailFlags extends SourceFlags {
  since?: string;
  until?: string;
  maxEvents?: string;
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

async function runTail(io: CliRun, flags: TailFlags): Promise<void> {
  const { explainAwsError, openLogs } = await import('../../logs/openSource.js');
  const { tailJson, tailText } = await import('../../logs/renderTail.js');
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
  const p = painter(useColor(flags, io));
  const fnWidth = Math.max(...opened.functions.map((f) => f.length));
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  // `logs tail | head`: a closed pipe ends the tail instead of crashing it.
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stop();
  };
  io.stdout.on?.('error', onStdoutError);
  const timer = deadline === undefined ? undefined : setTimeout(stop, Math.max(0, deadline - Date.now()));
  let printed = 0;
  try {
    if (!flags.json) io.stderr.write(`following ${opened.functions.join(', ')} (${opened.source.description}); Ctrl-C to stop\n`);
    for await (const event of opened.source.follow({ functions: opened.functions, sinceMs, signal: controller.signal })) {
      if (flags.json) printJson(io, tailJson(event));
      else io.stdout.write(tailText(event, fnWidth, p) + '\n');
      if (maxEvents !== undefined && ++printed >= maxEvents) break;
    }
  } catch (err) {
    throw explainAwsError(err);
  } finally {
    process.removeListener('SIGINT', stop);
    io.stdout.removeListener?.('error', onStdoutError);
    if (timer) clearTimeout(timer);
    controller.abort();
  }
}

export function registerTail(logs: Command, io: CliRun): Command {
  const tail = logs.command('tail').description('follow the logs of many functions at once, coloured per function');
  selectionOptions(tail, { withStack: false })
    .option('--since <when>', 'start with events from this long ago (default: new events only)')
    .option('--until <when>', 'stop at this ISO time or after this long (30s, 5m)')
    .option('--max-events <n>', 'stop after printing this many events');
  addCommonOptions(tail)
  examples(tail, [
    'faultline logs tail --prefix shop- --region eu-west-1',
    'faultline logs tail --functions checkout,payments --source .faultline/logs --since 5m',
  ]).action(action(io, (flags: TailFlags) => runTail(io, flags)));

  return tail;
}
