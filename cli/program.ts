// Builds the `faultline` program. Each command lives in cli/commands/<name>/
// and registers itself here with the run's io. Registration is cheap: a
// command loads what it needs (AWS SDK clients, the local mode, the Grafana
// client) when it runs, so `--help` and `--version` start fast.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEnvOptions, EXIT_USAGE, examples, type CliIo, type CliRun } from './common.js';
import { helpWidth } from './fastPath.js';
import { packageRoot } from './local/packageRoot.js';
import { registerChaos } from './commands/chaos/index.js';
import { registerLogs } from './commands/logs/index.js';
import { registerColdstarts } from './commands/coldstarts.js';
import { registerDashboards } from './commands/dashboards/index.js';
import { registerLocal } from './commands/local.js';
import { registerReport } from './commands/report.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(io: CliRun): Command {
  const version = packageVersion();
  const program = new Command('faultline')
    .description('Observability and chaos testing for AWS Lambda: fault rules, request timelines, cold starts.')
    .version(version, '-v, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (str) => io.stdout.write(str),
      writeErr: (str) => io.stderr.write(str),
      outputError: (str, write) => write(`faultline: ${str.replace(/^error: /, '')}`),
      // At most 80 columns, so the help precomputed at build time is the same text (cli/fastPath.ts).
      getOutHelpWidth: () => helpWidth(io.stdout),
      getErrHelpWidth: () => helpWidth(io.stderr),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  examples(
    program,
    [
      'faultline local                                # a game day on this machine, nothing to set up',
      'faultline chaos set payments --target aws:dynamodb --fault error --error ProvisionedThroughputExceededException --rate 0.5 --for 15m',
      'faultline chaos list',
      'faultline logs correlate 1-5759e988-bd862e3fe1be46a994272793 --prefix shop-',
      'faultline coldstarts --prefix shop- --since 24h',
    ],
    ['Run faultline help <command> (or faultline <command> --help) for each command\'s options and examples.'],
  );
  registerChaos(program, io);
  registerLogs(program, io);
  registerColdstarts(program, io);
  registerDashboards(program, io);
  registerLocal(program, io);
  registerReport(program, io);
  // Usage errors exit 2 (docs/cli.md), help and version exit 0; each
  // command's env-backed options read the run's io.env, not process.env.
  const prepare = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.hook('preSubcommand', (_parent, sub) => applyEnvOptions(sub, io.env));
    for (const sub of cmd.commands) prepare(sub);
  };
  prepare(program);
  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script) and returns its exit
 * code. Everything it reads and writes goes through `io`: it never touches
 * process.stdout, process.stderr, process.env or process.exitCode.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const run: CliRun = { stdout: io.stdout, stderr: io.stderr, env: io.env, exitCode: 0 };
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help, `help [command]` and --version succeed; help shown because a
      // subcommand is missing (commander.help with exit code 1) is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help' && err.exitCode === 0) return 0;
      return EXIT_USAGE;
    }
    throw err;
  }
  return run.exitCode;
}
