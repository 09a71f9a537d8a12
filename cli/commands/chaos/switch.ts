// `faultline chaos off|on`: the kill switch.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { onTable, tableAccess } from './shared.js';

export function registerSwitch(chaos: Command, io: CliRun): void {
  const off = chaos
    .command('off')
    .description('kill switch: stop every fault everywhere, keeping the rules')
    .option('--note <text>', 'why, for the audit trail')
    .action(
      action(io, async (opts: CommonOptions & { note?: string }) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, false, opts.note ? { note: opts.note } : {}));
        if (opts.json) return printJson(io, { type: 'kill-switch', killSwitch: true, changed: r.changed });
        say(io, painter(useColor(opts, io)).red('kill switch ON: no faults anywhere until faultline chaos on') + (r.changed ? '' : ' (it already was)'));
      }),
    );
  addCommonOptions(off, { withTable: true });
  examples(off, ['faultline chaos off --note "customer impact, stopping the game day"']);

  const on = chaos
    .command('on')
    .description('lift the kill switch: rules take effect again')
    .action(
      action(io, async (opts: CommonOptions) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, true));
        if (opts.json) return printJson(io, { type: 'kill-switch', killSwitch: false, changed: r.changed });
        say(io, r.changed ? 'kill switch lifted: rules take effect again' : 'kill switch was not on: nothing changed');
      }),
    );
  addCommonOptions(on, { withTable: true });
  examples(on, ['faultline chaos on']);
}
