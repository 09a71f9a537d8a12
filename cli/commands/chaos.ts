// Placeholder until this command lands: registers nothing.
import type { Command } from 'commander';

export function registerChaos(_program: Command): void {}
