// Builds the `faultline` program. Each command lives in cli/commands/<name>.ts
// and registers itself here; tests parse with program.parseAsync([...]).
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './common.js';
import { registerChaos } from './commands/chaos.js';
import { registerLogs } from './commands/logs.js';
import { registerColdstarts } from './commands/coldstarts.js';
import { registerDashboards } from './commands/dashboards.js';
import { registerLocal } from './commands/local.js';

export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Observability and chaos testing for AWS Lambda: fault rules, request timelines, cold starts.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(`faultline: ${str.replace(/^error: /, '')}`) });
  registerChaos(program);
  registerLogs(program);
  registerColdstarts(program);
  registerDashboards(program);
  registerLocal(program);
  // Usage errors exit 2 (DESIGN section 6), help and version exit 0.
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
