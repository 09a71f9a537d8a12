// `faultline chaos init`: create the rule table.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CommonOptions } from '../../common.js';
import { example, onTable, say, tableAccess } from './shared.js';

export function registerInit(chaos: Command): void {
  const cmd = chaos
    .command('init')
    .description('create the rule table (on-demand billing, TTL on expiresAt)')
    .action(
      action(async (opts: CommonOptions) => {
        const outcome = await onTable(opts, async (ctx) => ({ ...(await (await tableAccess()).initTable(ctx)), table: ctx.table, region: ctx.region }));
        if (opts.json) return printJson(outcome);
        const p = painter(useColor(opts));
        say(outcome.created ? p.green(`created table ${outcome.table}`) : `table ${outcome.table} already exists`);
        if (outcome.ttl === 'unsupported') {
          say(
            p.yellow(
              `notice: this DynamoDB endpoint does not support TTL (${outcome.ttlMessage}); ` +
                'expired rules are still ignored by the agent but are not deleted automatically',
            ),
          );
        } else say(`TTL on expiresAt: ${outcome.ttl === 'enabled' ? 'enabled' : 'already enabled'}`);
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  example(cmd, '  $ faultline chaos init --table faultline-rules --region eu-west-1');
}
