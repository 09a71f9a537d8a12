// `faultline chaos init`: create the rule table.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { onTable, tableAccess } from './shared.js';

export function registerInit(chaos: Command, io: CliRun): void {
  const cmd = chaos
    .command('init')
    .description('create the rule table (on-demand billing, TTL on expiresAt)')
    .action(action(io, (opts: CommonOptions) => initRuleTable(io, opts)));
  addCommonOptions(cmd, { withTable: true });
  examples(cmd, ['faultline chaos init --table faultline-rules --region eu-west-1']);
}

/** Creates the rule table and says so; `faultline local` calls it for its embedded table. */
export async function initRuleTable(io: CliRun, opts: CommonOptions): Promise<void> {
  const outcome = await onTable(opts, async (ctx) => ({ ...(await (await tableAccess()).initTable(ctx)), table: ctx.table, region: ctx.region }));
  if (opts.json) return printJson(io, { type: 'table', ...outcome });
  const p = painter(useColor(opts, io));
  say(io, outcome.created ? p.green(`created table ${outcome.table}`) : `table ${outcome.table} already exists`);
  if (outcome.ttl === 'unsupported') {
    say(io,
      p.yellow(
        `notice: this DynamoDB endpoint does not support TTL (${outcome.ttlMessage}); ` +
          'expired rules are still ignored by the agent but are not deleted automatically',
      ),
    );
  } else say(io, `TTL on expiresAt: ${outcome.ttl === 'enabled' ? 'enabled' : 'already enabled'}`);
}
