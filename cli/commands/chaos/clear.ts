// `faultline chaos clear`: delete rules by id, by scope, or all.
import type { Command } from 'commander';
import { action, addCommonOptions, OperationError, painter, printJson, UsageError, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import type { ClearSelection } from '../../chaos/operations.js';
import { onTable, tableAccess } from './shared.js';

export function registerClear(chaos: Command, io: CliRun): void {
  const cmd = chaos
    .command('clear')
    .description('delete rules by id (scope/id or id), by scope, or all of them')
    .argument('[ids...]', 'rule ids: scope/id, or a plain id looked up in every scope')
    .option('--scope <scope>', 'every rule of this function (or "*")')
    .option('--all', 'every rule (the kill switch and guardrails stay)')
    .action(
      action(io, async (ids: string[], opts: CommonOptions & { scope?: string; all?: boolean }) => {
        const chosen = [ids.length > 0, opts.scope !== undefined, Boolean(opts.all)].filter(Boolean).length;
        if (chosen !== 1) {
          throw new UsageError(
            chosen === 0
              ? 'nothing to clear: give rule ids, --scope FUNCTION or --all'
              : 'give either rule ids, --scope or --all, not several',
          );
        }
        const selection: ClearSelection =
          ids.length > 0 ? { kind: 'ids', ids } : opts.scope !== undefined ? { kind: 'scope', scope: opts.scope } : { kind: 'all' };
        const result = await onTable(opts, async (ctx) => (await tableAccess()).clearRules(ctx, selection));
        if (opts.json) printJson(io, { type: 'rules-cleared', ...result });
        else {
          const p = painter(useColor(opts, io));
          if (result.deleted.length === 0) say(io, 'no rules cleared');
          for (const k of result.deleted) say(io, p.green(`cleared ${k.scope}/${k.id}`));
        }
        if (result.notFound.length > 0) {
          throw new OperationError(`rule not found: ${result.notFound.join(', ')} (faultline chaos list shows the ids)`);
        }
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  examples(cmd, ['faultline chaos clear orders-api/ddb-throttle-3f9a', 'faultline chaos clear --scope orders-api', 'faultline chaos clear --all']);
}
