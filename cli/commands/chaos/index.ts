// `faultline chaos …`: the rule table from the command line (docs/cli.md).
// Each subcommand lives in its own file here, parses flags, calls
// cli/chaos/operations.ts, and prints; all the rule semantics live in src/chaos
// so the CLI and the agent agree.
import type { Command } from 'commander';
import { type CliRun, examples } from '../../common.js';
import { registerInit } from './init.js';
import { registerSet } from './set.js';
import { registerList } from './list.js';
import { registerClear } from './clear.js';
import { registerSwitch } from './switch.js';
import { registerGuard } from './guard.js';
import { registerRun } from './run.js';

/** program.ts sets exitOverride on top-level commands only; nested ones need it too (exit 2, not process.exit). */
function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

export function registerChaos(program: Command, io: CliRun): void {
  const chaos = program
    .command('chaos')
    .description('chaos rules for game days: set, list and clear faults, the kill switch, guardrails, scenarios');
  examples(chaos, ['faultline chaos init --table faultline-rules', 'faultline chaos set orders-api --target aws:dynamodb --fault latency --latency 500 --for 15m', 'faultline chaos list']);
  registerInit(chaos, io);
  registerSet(chaos, io);
  registerList(chaos, io);
  registerClear(chaos, io);
  registerSwitch(chaos, io);
  registerGuard(chaos, io);
  registerRun(chaos, io);
  overrideExits(chaos);
}
