// Everything read from the rule table → a validated RuleSet. Never throws: a
// malformed item becomes one line in `problems` and is left out.
import { show, type Item } from './attributes.js';
import { validateRuleItem } from './validate.js';
import { DEFAULT_GUARD, parseGuardItem } from '../guard.js';
import { GLOBAL_SCOPE, GUARD_ID, SWITCH_ID, type Guardrails, type Rule, type RuleSet } from '../ruleTypes.js';

function itemName(item: Item): string {
  const scope = typeof item.scope === 'string' ? item.scope : show(item.scope);
  const id = typeof item.id === 'string' ? item.id : show(item.id);
  return `${scope}/${id}`;
}

/**
 * Validates every item. `*`/`#switch` sets the kill switch: it stands unless
 * its `enabled` is true (the CLI writes enabled=false; an item whose `enabled`
 * is missing still stops faults, since its presence says "stop"). `*`/`#guard`
 * gives the guardrails; a guard item that cannot be read refuses every fault
 * (Guardrails.refuseAll) rather than silently dropping its protection.
 */
export function compileRuleSet(items: readonly Item[]): RuleSet {
  const rules: Rule[] = [];
  const problems: string[] = [];
  let killSwitch = false;
  let guard: Guardrails = DEFAULT_GUARD;
  for (const item of items) {
    try {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        problems.push(`item ${show(item)}: expected an object with scope, id, target and fault`);
        continue;
      }
      if (item.scope === GLOBAL_SCOPE && item.id === SWITCH_ID) {
        const enabled = item.enabled;
        if (enabled !== true) killSwitch = true;
        if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') {
          problems.push(`kill switch */${SWITCH_ID}: enabled=${show(enabled)}: expected true or false; faults stay stopped while it stands`);
        }
        continue;
      }
      if (item.scope === GLOBAL_SCOPE && item.id === GUARD_ID) {
        const parsed = parseGuardItem(item);
        if (parsed.ok) guard = parsed.guard;
        else {
          const why = `guardrails */${GUARD_ID}: ${parsed.errors.join('; ')}`;
          problems.push(`${why}; no faults anywhere until it is fixed`);
          guard = { ...DEFAULT_GUARD, refuseAll: `the guardrails item cannot be read (${parsed.errors.join('; ')})` };
        }
        continue;
      }
      const verdict = validateRuleItem(item);
      if (verdict.ok) rules.push(verdict.rule);
      else problems.push(`rule ${itemName(item)}: ${verdict.errors.join('; ')}`);
    } catch (err) {
      // validateRuleItem is not meant to throw; an odd item must still not take the rule set down.
      problems.push(`item ${show(item)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Object.freeze({ rules: Object.freeze(rules), killSwitch, guard, problems: Object.freeze(problems) });
}
