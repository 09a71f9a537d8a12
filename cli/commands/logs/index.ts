// `faultline logs correlate` and `faultline logs tail` (docs/cli.md).
import type { Command } from 'commander';
import { examples, type CliRun } from '../../common.js';
import { registerCorrelate } from './correlate.js';
import { registerTail } from './tail.js';

export function registerLogs(program: Command, io: CliRun): void {
  const logs = program.command('logs').description("read the functions' logs: one request's timeline, or a live tail");
  examples(logs, ['faultline logs correlate 1-5f84c7a1-0123456789abcdef01234567 --prefix shop-', 'faultline logs tail --prefix shop-']);
  const correlate = registerCorrelate(logs, io);
  const tail = registerTail(logs, io);
  // Nested commands were created before program.ts turns exits into
  // exceptions; ask for the same here so usage errors reach runCli (exit 2).
  for (const cmd of [logs, correlate, tail]) cmd.exitOverride();
}
