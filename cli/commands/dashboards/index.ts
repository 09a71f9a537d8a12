// `faultline dashboards import|export`: install the Grafana dashboards of
// dashboards/*.json through Grafana's HTTP API, or write them out for
// Grafana's Import screen.
import type { Command } from 'commander';
import { examples, type CliRun } from '../../common.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';

export function registerDashboards(program: Command, io: CliRun): void {
  const dashboards = program.command('dashboards').description('Grafana dashboards for functions, cold starts and game days');
  examples(dashboards, ['faultline dashboards import --grafana-url https://grafana.example.com', 'faultline dashboards export --out grafana-dashboards']);
  // program.ts sets exitOverride on top-level commands only; usage errors here must exit 2 too.
  for (const sub of [registerImport(dashboards, io), registerExport(dashboards, io)]) sub.exitOverride();
}

