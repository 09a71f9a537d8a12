// `faultline local`: the local game day on embedded defaults (docs/local-mode.md, the local mode).
import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { action, addCommonOptions, painter, printJson, UsageError, useColor, type CommonOptions, type CliRun, examples } from '../common.js';
import { parseDuration } from '../../src/chaos/duration.js';
import { DEFAULT_RUNTIME, describeRuntimeNode, findRuntimeNode, LAMBDA_NODE_RUNTIMES, parseRuntime, runtimeNodeDiffers } from '../local/runtimeNode.js';

interface LocalOptions extends CommonOptions {
  duration: string;
  rps: string;
  keepRunning?: boolean;
  logDir: string;
  victim: string;
  rate: string;
  runtime: string;
  /** A file, false with --no-report, undefined: the default (report.html in the run's directory). */
  report?: string | false;
}

function parseOptions(o: LocalOptions) {
  let durationMs: number;
  try {
    durationMs = parseDuration(o.duration);
  } catch {
    throw new UsageError(`--duration ${o.duration}: expected a duration such as 45s or 2m`);
  }
  if (durationMs < 8000) throw new UsageError(`--duration ${o.duration}: expected at least 8s (warm-up, baseline, chaos and recovery each need a few seconds)`);
  const rps = Number(o.rps);
  if (!Number.isFinite(rps) || rps <= 0 || rps > 200) throw new UsageError(`--rps ${o.rps}: expected a number of requests per second between 0 and 200`);
  const rate = Number(o.rate);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 1) throw new UsageError(`--rate ${o.rate}: expected a number between 0 and 1`);
  let runtime;
  try {
    runtime = parseRuntime(o.runtime);
  } catch {
    throw new UsageError(`--runtime ${o.runtime}: expected one of ${LAMBDA_NODE_RUNTIMES.join(', ')}`);
  }
  return { durationMs, rps, rate, runtime };
}

export function registerLocal(program: Command, io: CliRun): void {
  const cmd = program
    .command('local')
    .description('run a game day on this machine: the sample app in emulated Lambda environments, embedded DynamoDB, live chaos')
    .option('--duration <time>', 'how long the traffic runs (warm-up, baseline, chaos, recovery)', '60s')
    .option('--rps <n>', 'requests per second sent to the sample app', '10')
    .option('--victim <function>', 'function whose DynamoDB calls are throttled', 'payments')
    .option('--rate <p>', 'share of DynamoDB calls the throttling rule hits', '0.5')
    .option('--log-dir <dir>', 'each run writes its logs to <dir>/<UTC time>-<id>/; <dir>/latest is the newest run', '.faultline/logs')
    .option('--runtime <name>', `the Lambda runtime to emulate (${LAMBDA_NODE_RUNTIMES.join(', ')})`, DEFAULT_RUNTIME)
    .option('--report <file>', 'write the game-day report (one self-contained HTML page) here (default: report.html in the run\'s log directory)')
    .option('--no-report', 'write no report')
    .option('--keep-running', 'leave the environments and DynamoDB up afterwards, for trying commands by hand');
  addCommonOptions(cmd, { aws: false });
  examples(
    cmd,
    [
      'faultline local                            # a one-minute game day at 10 requests/s',
      'faultline local --duration 30s --rps 20    # shorter and busier',
      'faultline local --keep-running             # then, in another shell, use every command against it',
      'faultline local --runtime nodejs22.x       # the same on the nodejs22.x runtime (its Node, its AWS_EXECUTION_ENV, its runtime client)',
      'faultline local --report gameday.html      # the report page here instead of in the run\'s log directory',
    ],
    `Nothing to set up: DynamoDB is embedded (dynalite), functions run in separate Node.js
processes with AWS's runtime client and the faultline layer attached through
AWS_LAMBDA_EXEC_WRAPPER, logs go to --log-dir as CloudWatch would hold them.
The environments run on a Node.js of the runtime's major: this one, or the one in
~/.cache/faultline/node-<major>/ (npm run runtimes puts it there), with the runtime's
client: aws-lambda-ric 4.x for nodejs24.x, 3.x for nodejs22.x; the first line says
which Node and client were used. The first run installs the client and dynalite
into ~/.cache/faultline/local-mode/<version>/ (native code: needs cmake, make, g++;
3.x also autoconf, automake, libtool) unless they are installed beside faultline.`.split('\n'),
  );
  cmd.action(
    action(io, async (o: LocalOptions) => {
      const { startLocalStack } = await import('../local/localStack.js');
      const { createRunLogDir } = await import('../local/runLogDir.js');
      const { printFailedTimeline, runGameDay, runPathsText } = await import('../local/gameDay.js');
      const { ensureLocalModeDeps } = await import('../local/localModeDeps.js');
      const { durationMs, rps, rate, runtime: runtimeName } = parseOptions(o);
      const json = Boolean(o.json);
      const paint = painter(useColor(o, io));
      const run = createRunLogDir(o.logDir);
      const logDir = run.dir;

      // Paths as the user gave them (relative to here when under it), ready to paste.
      const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
      const abort = new AbortController();
      let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
      let interrupted = 0;
      const onSigint = () => {
        interrupted++;
        if (interrupted === 1) {
          io.stderr.write('\nfaultline local: stopping (Ctrl-C again to kill everything at once)\n');
          abort.abort();
        } else {
          stack?.killAll();
          process.exit(130);
        }
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        await ensureLocalModeDeps(runtimeName);
        const runtime = findRuntimeNode(runtimeName);
        // Said on stderr when it is not the runtime's Node or client, so a JSON reader sees it too.
        if (runtimeNodeDiffers(runtime)) io.stderr.write(`faultline local: warning: ${describeRuntimeNode(runtime)}\n`);
        else if (!json) io.stdout.write(paint.dim(`${describeRuntimeNode(runtime)}\n`));
        if (!json) io.stdout.write(paint.dim('starting embedded DynamoDB, the payment provider stand-in and the front door…\n'));
        stack = await startLocalStack({ logDir, runtime });
        Object.assign(process.env, stack.cliEnv);

        const victim = o.victim;
        if (!stack.functionNames.includes(victim)) {
          throw new UsageError(`--victim ${victim}: expected one of ${stack.functionNames.join(', ')}`);
        }
        const result = await runGameDay(stack, {
          durationMs,
          rps,
          victim,
          rate,
          json,
          paint,
          out: io.stdout,
          interactive: Boolean(io.stdout.isTTY) && !json,
          signal: abort.signal,
        });
        if (result.failedTraceId && !abort.signal.aborted) {
          await printFailedTimeline(stack, result.failedTraceId, json, io.stdout, paint);
        } else if (!json && !abort.signal.aborted) {
          io.stdout.write(paint.yellow('\nno request failed during the chaos phase: nothing to correlate (try a higher --rate)\n'));
        }
        let reportPath: string | undefined;
        if (o.report !== false && !abort.signal.aborted) {
          const { writeGameDayReport } = await import('../report/write.js');
          const { logDirSource } = await import('../logs/logDirSource.js');
          try {
            const written = await writeGameDayReport(o.report ?? join(logDir, 'report.html'), {
              source: logDirSource(logDir),
              functions: stack.functionNames,
              // The run's directory holds this run only: from the priming request to a little after the last answer.
              range: { startMs: result.startedAtMs - 1000, endMs: Date.now() + 1000 },
              title: 'Local game day',
              rules: result.rules,
              recoveryWindowMs: result.recoveryWindowMs,
              waterfalls: 3,
            });
            reportPath = written.path;
          } catch (err) {
            // The game day ran and measured: a report that cannot be written costs a warning, not the run.
            io.stderr.write(`faultline local: warning: no report written (${err instanceof Error ? err.message : String(err)})\n`);
          }
        }
        if (!json) io.stdout.write(runPathsText(run, result.failedTraceId, paint, shown));
        if (!json && reportPath) io.stdout.write(`${paint.bold('Report:')} ${shown(reportPath)}  ${paint.dim('(open it in a browser)')}\n`);
        if (json) printJson(io, { type: 'gameday', ...result, ...(reportPath ? { reportPath } : {}), logDir, latestLogDir: run.latest, runtime: runtime.runtime, node: { version: runtime.version, path: runtime.path } });

        if (o.keepRunning && !abort.signal.aborted) {
          const env = Object.entries(stack.cliEnv).map(([k, v]) => `${k}=${v}`).join(' \\\n  ');
          io.stdout.write(
            `\n${paint.bold('The local stack keeps running.')} In another shell:\n\n` +
              `  export ${env}\n\n` +
              `  faultline chaos list\n` +
              `  faultline chaos set orders-api --target 'http:127.0.0.1/v1/charges' --fault latency --latency 800 --for 5m\n` +
              `  curl -s -X POST ${stack.gateway.apiUrl}/orders -H 'content-type: application/json' -d '{"customerId":"c-1","amount":12}'\n` +
              `  faultline logs tail --functions ${stack.functionNames.join(',')} --source ${logDir}\n` +
              `  faultline coldstarts --functions ${stack.functionNames.join(',')} --source ${logDir}\n\n` +
              `Ctrl-C stops everything.\n`,
          );
          await new Promise<void>((resolveWait) => abort.signal.addEventListener('abort', () => resolveWait(), { once: true }));
        }
      } finally {
        await stack?.close();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
      if (abort.signal.aborted) return 130;
    }),
  );
}
