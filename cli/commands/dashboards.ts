// Placeholder until this command lands: registers nothing.
import type { Command } from 'commander';

export function registerDashboards(_program: Command): void {}
