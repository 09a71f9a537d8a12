// `faultline chaos list`: the rules, the kill switch and the guardrails.
import type { Command } from 'commander';
import { action, addCommonOptions, painter, printJson, useColor, type CommonOptions, say, type CliRun, examples } from '../../common.js';
import { onTable, tableAccess } from './shared.js';

export function registerList(chaos: Command, io: CliRun): void {
  const cmd = chaos
    .command('list')
    .description('show the rules with time left and whether each is live, the kill switch and the guardrails')
    .option('--scope <scope>', 'only the rules of this function (or "*")')
    .action(
      action(io, async (opts: CommonOptions & { scope?: string }) => {
        const { formatGuard, formatRuleTable } = await import('../../chaos/format.js');
        const { ruleStatus } = await import('../../chaos/ruleStatus.js');
        const state = await onTable(opts, async (ctx) => (await tableAccess()).readChaosState(ctx, opts.scope));
        const nowMs = Date.now();
        const rows = [...state.set.rules]
          .sort((a, b) => a.scope.localeCompare(b.scope) || a.id.localeCompare(b.id))
          .map((rule) => ({ rule, status: ruleStatus(rule, state.set, nowMs) }));
        if (opts.json) {
          const byKey = new Map(state.items.map((i) => [`${String(i.scope)}/${String(i.id)}`, i]));
          return printJson(io, {
            type: 'chaos-state',
            killSwitch: state.set.killSwitch,
            guard: state.set.guard,
            guardSet: state.guardItem !== undefined,
            rules: rows.map(({ rule, status }) => ({
              ...byKey.get(`${rule.scope}/${rule.id}`),
              live: status.state === 'live',
              state: status.state,
              detail: status.detail ?? null,
              timeLeftMs: status.timeLeftMs ?? null,
              effectiveRate: status.effectiveRate,
            })),
            problems: state.set.problems,
          });
        }
        const p = painter(useColor(opts, io));
        say(io, 
          state.set.killSwitch
            ? p.red('kill switch: ON — no faults anywhere (faultline chaos on to resume)')
            : 'kill switch: off (faults allowed)',
        );
        for (const line of formatGuard(state.set.guard, state.guardItem !== undefined)) say(io, line);
        say(io);
        if (rows.length === 0) say(io, opts.scope ? `no rules in scope ${opts.scope}` : 'no rules');
        else for (const line of formatRuleTable(rows, p)) say(io, line);
        for (const problem of state.set.problems) say(io, p.yellow(`malformed item (ignored by the agent): ${problem}`));
      }),
    );
  addCommonOptions(cmd, { withTable: true });
  examples(cmd, ['faultline chaos list', 'faultline chaos list --scope orders-api --json']);
}
