// The scenario runner's rule store over the DynamoDB rule table.
import { clearRules, setRule } from './operations.js';
import type { ScenarioRuleStore } from './runScenario.js';
import type { TableContext } from './tableContext.js';

export function tableRuleStore(ctx: TableContext, opts: { createdBy: string }): ScenarioRuleStore {
  return {
    async set(spec, nowMs) {
      const { rule } = await setRule(ctx, spec, { nowMs, createdBy: opts.createdBy });
      return { scope: rule.scope, id: rule.id };
    },
    async clear(keys) {
      await clearRules(ctx, { kind: 'ids', ids: keys.map((k) => `${k.scope}/${k.id}`) });
    },
  };
}
