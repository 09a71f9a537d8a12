// Placeholder until this command lands: registers nothing.
import type { Command } from 'commander';

export function registerColdstarts(_program: Command): void {}
