// `faultline dashboards import`: install the dashboards through Grafana's HTTP API.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { envOption, action, addCommonOptions, painter, printJson, UsageError, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';

interface ImportFlags extends CommonOptions {
  grafanaUrl: string;
  token?: string;
  user?: string;
  password?: string;
  datasource?: string;
  folder?: string;
  timeout: string;
  /** Tests and custom builds: where the dashboard files are (default: the package's dashboards/). */
  dir?: string;
}


function parseTimeout(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--timeout ${raw}: expected a whole number of milliseconds above 0`);
  return n;
}

export function registerImport(dashboards: Command, io: CliRun): Command {
  const cmd = dashboards
    .command('import')
    .description('import the faultline dashboards into Grafana, mapped to its CloudWatch datasource')
    .addOption(envOption('--grafana-url <url>', 'Grafana root URL, e.g. https://grafana.example.com (required)', 'GRAFANA_URL').makeOptionMandatory())
    .addOption(envOption('--token <token>', 'service-account token (Bearer)', 'GRAFANA_TOKEN'))
    .option('--user <user>', 'Grafana user (basic auth, with --password)')
    .option('--password <password>', 'password for --user')
    .option('--datasource <uid>', 'uid of the CloudWatch datasource (default: the only one)')
    .option('--folder <name>', 'folder title, created when missing (default: General)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '30000')
    .addOption(new Option('--dir <dir>', 'read the dashboards from this directory').hideHelp());
  addCommonOptions(cmd, { aws: false });
  examples(
    cmd,
    ['faultline dashboards import --grafana-url https://grafana.example.com --folder faultline'],
    ['The token comes from GRAFANA_TOKEN (or --token); --user and --password use basic auth instead.'],
  );
  return cmd.action(
    action(io, async (opts: ImportFlags, command: Command) => {
      const { readDashboardFiles } = await import('../../grafana/dashboardFiles.js');
      const { parseGrafanaAuth, parseGrafanaUrl } = await import('../../grafana/grafanaAuth.js');
      const { createGrafanaClient } = await import('../../grafana/grafanaClient.js');
      const { importDashboards } = await import('../../grafana/importDashboards.js');
      const url = parseGrafanaUrl(opts.grafanaUrl);
      const timeoutMs = parseTimeout(opts.timeout);
      // A token from the environment gives way to an explicit --user.
      const tokenFromEnv = command.getOptionValueSource('token') === 'env';
      const auth = parseGrafanaAuth({
        token: tokenFromEnv && opts.user !== undefined ? undefined : opts.token,
        user: opts.user,
        password: opts.password,
      });
      if (opts.folder !== undefined && opts.folder.trim() === '') throw new UsageError('--folder "": expected a folder title');
      const files = await readDashboardFiles(opts.dir === undefined ? undefined : resolve(opts.dir));
      const client = createGrafanaClient({ url, auth, timeoutMs });
      let outcome;
      try {
        outcome = await importDashboards(client, files, { datasourceUid: opts.datasource, folder: opts.folder?.trim() });
      } finally {
        await client.close();
      }
      if (opts.json) return printJson(io, { type: 'dashboards-imported', ...outcome });
      const p = painter(useColor(opts, io));
      const where = outcome.folder ? `folder ${outcome.folder.title}${outcome.folder.created ? ' (created)' : ''}` : 'the General folder';
      say(io, `datasource ${outcome.datasource.name} (${outcome.datasource.uid}), ${where}`);
      for (const d of outcome.dashboards) say(io, `${p.green('imported')} ${p.bold(d.title)}  version ${d.version}  ${d.url}`);
    }),
  );
}

