// `faultline chaos off|on`: the kill switch.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CommonOptions } from '../../common.js';
import { example, onTable, say, tableAccess } from './shared.js';

export function registerSwitch(chaos: Command): void {
  const off = chaos
    .command('off')
    .description('kill switch: stop every fault everywhere, keeping the rules')
    .option('--note <text>', 'why, for the audit trail')
    .action(
      action(async (opts: CommonOptions & { note?: string }) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, false, opts.note ? { note: opts.note } : {}));
        if (opts.json) return printJson({ killSwitch: true, changed: r.changed });
        say(painter(useColor(opts)).red('kill switch ON: no faults anywhere until faultline chaos on') + (r.changed ? '' : ' (it already was)'));
      }),
    );
  addCommonOptions(off, { withTable: true });
  example(off, '  $ faultline chaos off --note "customer impact, stopping the game day"');

  const on = chaos
    .command('on')
    .description('lift the kill switch: rules take effect again')
    .action(
      action(async (opts: CommonOptions) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setKillSwitch(ctx, true));
        if (opts.json) return printJson({ killSwitch: false, changed: r.changed });
        say(r.changed ? 'kill switch lifted: rules take effect again' : 'kill switch was not on: nothing changed');
      }),
    );
  addCommonOptions(on, { withTable: true });
  example(on, '  $ faultline chaos on');
}
