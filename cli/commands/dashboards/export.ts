// `faultline dashboards export`: write the dashboards out for Grafana's Import screen.
import { writeFile } from 'node:fs/promises';
import { makeDirs } from '../../makeDirs.js';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { action, addCommonOptions, OperationError, printJson, UsageError, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { readDashboardFiles } from '../../grafana/dashboardFiles.js';

interface ExportFlags extends CommonOptions {
  out: string;
  dir?: string;
}

export function registerExport(dashboards: Command, io: CliRun): Command {
  const cmd = dashboards
    .command('export')
    .description("write the dashboards as JSON files for Grafana's Import screen (Dashboards > New > Import)")
    .requiredOption('--out <dir>', 'directory to write the files to, created when missing (required)')
    .addOption(new Option('--dir <dir>', 'read the dashboards from this directory').hideHelp());
  addCommonOptions(cmd, { aws: false });
  examples(cmd, ['faultline dashboards export --out grafana-dashboards']);
  return cmd.action(
    action(io, async (opts: ExportFlags) => {
      if (opts.out.trim() === '') throw new UsageError('--out "": expected a directory');
      const files = await readDashboardFiles(opts.dir === undefined ? undefined : resolve(opts.dir));
      const out = resolve(opts.out);
      try {
        await makeDirs(out);
        for (const f of files) await writeFile(join(out, f.file), f.text);
      } catch (err) {
        throw new OperationError(`--out ${opts.out}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const written = files.map((f) => ({ file: join(out, f.file), uid: f.uid, title: f.title }));
      if (opts.json) return printJson(io, { type: 'dashboards-exported', dashboards: written });
      for (const w of written) say(io, `wrote ${w.file}  (${w.title})`);
      say(io, "import them in Grafana: Dashboards > New > Import, then pick the CloudWatch datasource for DS_CLOUDWATCH");
    }),
  );
}

