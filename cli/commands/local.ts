// Placeholder until this command lands: registers nothing.
import type { Command } from 'commander';

export function registerLocal(_program: Command): void {}
