// Placeholder until this command lands: registers nothing.
import type { Command } from 'commander';

export function registerLogs(_program: Command): void {}
