// Builds the `faultline` program. Each command lives in cli/commands/<name>.ts
// and registers itself here; tests parse with program.parseAsync([...]).
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_USAGE } from './common.js';
import { packageRoot } from './local/packageRoot.js';
import { registerChaos } from './commands/chaos.js';
import { registerLogs } from './commands/logs.js';
import { registerColdstarts } from './commands/coldstarts.js';
import { registerDashboards } from './commands/dashboards.js';
import { registerLocal } from './commands/local.js';
import { registerReport } from './commands/report.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Observability and chaos testing for AWS Lambda: fault rules, request timelines, cold starts.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`faultline: ${str.replace(/^error: /, '')}`) });
  program.addHelpText(
    'after',
    `
Examples:
  faultline local                                   a game day on this machine, nothing to set up
  faultline chaos set payments --target aws:dynamodb --fault error \\
      --error ProvisionedThroughputExceededException --rate 0.5 --for 15m
  faultline chaos list
  faultline logs correlate 1-5759e988-bd862e3fe1be46a994272793 --prefix shop-
  faultline coldstarts --prefix shop- --since 24h

Run faultline <command> --help for each command's options and examples.`,
  );
  registerChaos(program);
  registerLogs(program);
  registerColdstarts(program);
  registerDashboards(program);
  registerLocal(program);
  registerReport(program);
  // Usage errors exit 2 (README "The CLI"), help and version exit 0.
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    for (const sub of cmd.commands) override(sub);
  };
  override(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, for tests. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version succeed; help shown because a subcommand is missing ('commander.help') is a usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return EXIT_USAGE;
    }
    throw err;
  }
  return Number(process.exitCode ?? 0);
}
