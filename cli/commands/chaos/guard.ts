// `faultline chaos guard show|set|clear`: the guardrails.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, UsageError, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { formatGuard } from '../../chaos/format.js';
import type { GuardChanges } from '../../chaos/operations.js';
import { list, onTable, tableAccess } from './shared.js';

interface GuardFlags extends CommonOptions {
  maxRate?: string | false;
  allow?: string | false;
  productionLock?: boolean;
  productionEnvs?: string;
  abortErrorRate?: string;
  abort?: boolean;
  abortWindow?: string;
  abortMin?: string;
}

export function registerGuard(chaos: Command, io: CliRun): void {
  const guard = chaos.command('guard').description('guardrails: rate cap, allowed functions, production lock, automatic abort');
  examples(guard, ['faultline chaos guard show', 'faultline chaos guard set --max-rate 0.5 --allow orders-api,payments --production-lock']);

  const show = guard
    .command('show')
    .description('show the guardrails')
    .action(
      action(io, async (opts: CommonOptions) => {
        const g = await onTable(opts, async (ctx) => (await tableAccess()).readGuard(ctx));
        if (opts.json) return printJson(io, { type: 'guard', guard: g.guard, guardSet: g.item !== undefined, problems: g.problems });
        for (const line of formatGuard(g.guard, g.item !== undefined)) say(io, line);
        for (const problem of g.problems) say(io, painter(useColor(opts, io)).yellow(`malformed #guard item: ${problem}`));
      }),
    );
  addCommonOptions(show, { withTable: true });
  examples(show, ['faultline chaos guard show --json']);

  const set = guard
    .command('set')
    .description('change the guardrails (other settings are kept)')
    .option('--max-rate <p>', 'cap every rule\'s rate to this (0..1)')
    .option('--no-max-rate', 'remove the rate cap')
    .option('--allow <functions>', 'only these functions may be faulted (comma-separated)')
    .option('--no-allow', 'every function may be faulted')
    .option('--production-lock', 'no faults where the environment is production')
    .option('--no-production-lock', 'allow faults in production environments')
    .option('--production-envs <names>', 'environment names counted as production (comma-separated)')
    .option('--abort-error-rate <p>', 'stop injecting when this share of invocations fails')
    .option('--no-abort', 'remove the automatic abort')
    .option('--abort-window <duration>', 'over this window, e.g. 60s')
    .option('--abort-min <n>', 'and at least this many invocations')
    .action(
      action(io, async (opts: GuardFlags) => {
        const changes: GuardChanges = {
          ...(opts.maxRate === false ? { maxRate: null } : opts.maxRate !== undefined ? { maxRate: opts.maxRate } : {}),
          ...(opts.allow === false ? { allow: null } : opts.allow !== undefined ? { allow: list(opts.allow) } : {}),
          ...(opts.productionLock !== undefined ? { productionLock: opts.productionLock } : {}),
          ...(opts.productionEnvs !== undefined ? { productionEnvs: list(opts.productionEnvs) } : {}),
          ...(opts.abort === false ? { abortErrorRate: null } : {}),
          ...(opts.abortErrorRate !== undefined ? { abortErrorRate: opts.abortErrorRate } : {}),
          ...(opts.abortWindow !== undefined ? { abortWindow: opts.abortWindow } : {}),
          ...(opts.abortMin !== undefined ? { abortMin: opts.abortMin } : {}),
        };
        if (Object.keys(changes).length === 0) {
          throw new UsageError('nothing to change: give --max-rate, --allow, --production-lock, --production-envs or --abort-error-rate');
        }
        const r = await onTable(opts, async (ctx) => (await tableAccess()).setGuard(ctx, changes));
        if (opts.json) return printJson(io, { type: 'guard', guard: r.guard, item: r.item });
        for (const line of formatGuard(r.guard, true)) say(io, line);
      }),
    );
  addCommonOptions(set, { withTable: true });
  examples(set, [
    'faultline chaos guard set --max-rate 0.5 --allow orders-api,payments',
    'faultline chaos guard set --abort-error-rate 0.3 --abort-window 60s --abort-min 20',
    'faultline chaos guard set --no-max-rate --no-allow',
  ]);

  const clear = guard
    .command('clear')
    .description('remove the guardrails (defaults apply)')
    .action(
      action(io, async (opts: CommonOptions) => {
        const r = await onTable(opts, async (ctx) => (await tableAccess()).clearGuard(ctx));
        if (opts.json) return printJson(io, { type: 'guard-cleared', cleared: r.changed });
        say(io, r.changed ? 'guardrails removed: defaults apply' : 'no guardrails were set');
      }),
    );
  addCommonOptions(clear, { withTable: true });
  examples(clear, ['faultline chaos guard clear']);
}
