// Everything read from the rule table → a validated RuleSet. Never throws: a
// malformed item becomes one line in `problems`, naming it, and is left out;
// every other item is validated and compiled on its own, so one bad item only
// ever costs itself.
import { show, type Item } from './attributes.js';
import { validateRuleItem } from './validate.js';
import { compileRule } from './matcher.js';
import { DEFAULT_GUARD, parseGuardItem } from '../guard.js';
import { GLOBAL_SCOPE, GUARD_ID, SWITCH_ID, type Guardrails, type Rule, type RuleSet } from '../ruleTypes.js';

/**
 * The most items one function reads (its own scope and `*` together). A table
 * past it is refused as a whole (no faults, with a warning): every outgoing
 * call scans the function's rules, and a table that large is a mistake.
 */
export const MAX_RULE_ITEMS = 10_000;

/** Items validated between two turns of the event loop when the agent compiles a table (compileRuleSetInSlices). */
export const SLICE_ITEMS = 200;

/** At most this many reasons are listed for one item, so one item's warning stays short. */
const MAX_REASONS = 8;

/**
 * Marks an item that could not even be read (an attribute value of a shape
 * DynamoDB does not have): the source keeps the item, with its key if it has
 * one, so that it is named like any other malformed item.
 */
export const UNREADABLE: unique symbol = Symbol('faultline.unreadableItem');

function keyText(v: unknown): string {
  if (typeof v === 'string') return v.length > 256 ? show(v) : v;
  return show(v);
}

function itemName(item: Item): string {
  return `${keyText(item.scope)}/${keyText(item.id)}`;
}

function reasons(errors: readonly string[]): string {
  const listed = errors.slice(0, MAX_REASONS).join('; ');
  return errors.length > MAX_REASONS ? `${listed}; and ${errors.length - MAX_REASONS} more` : listed;
}

class RuleSetBuilder {
  readonly rules: Rule[] = [];
  readonly problems: string[] = [];
  killSwitch = false;
  guard: Guardrails = DEFAULT_GUARD;

  add(item: Item): void {
    const problems = this.problems;
    try {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        problems.push(`item ${show(item)}: expected an object with scope, id, target and fault`);
        return;
      }
      const unreadable = (item as { [UNREADABLE]?: unknown })[UNREADABLE];
      if (unreadable !== undefined) {
        problems.push(`rule ${itemName(item)}: ${String(unreadable)}`);
        return;
      }
      if (item.scope === GLOBAL_SCOPE && item.id === SWITCH_ID) {
        const enabled = item.enabled;
        if (enabled !== true) this.killSwitch = true;
        if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') {
          problems.push(`kill switch */${SWITCH_ID}: enabled=${show(enabled)}: expected true or false; faults stay stopped while it stands`);
        }
        return;
      }
      if (item.scope === GLOBAL_SCOPE && item.id === GUARD_ID) {
        const parsed = parseGuardItem(item);
        if (parsed.ok) this.guard = parsed.guard;
        else {
          const why = `guardrails */${GUARD_ID}: ${reasons(parsed.errors)}`;
          problems.push(`${why}; no faults anywhere until it is fixed`);
          this.guard = { ...DEFAULT_GUARD, refuseAll: `the guardrails item cannot be read (${reasons(parsed.errors)})` };
        }
        return;
      }
      const verdict = validateRuleItem(item);
      if (!verdict.ok) {
        problems.push(`rule ${itemName(item)}: ${reasons(verdict.errors)}`);
        return;
      }
      // Compiled here, on its own: a rule whose target cannot be compiled is named and dropped, never the whole set.
      compileRule(verdict.rule);
      this.rules.push(verdict.rule);
    } catch (err) {
      // Neither validating nor compiling is meant to throw; an odd item must still not take the rule set down.
      let name: string;
      try {
        name = typeof item === 'object' && item !== null ? `rule ${itemName(item)}` : `item ${show(item)}`;
      } catch {
        name = 'item';
      }
      problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  build(): RuleSet {
    return Object.freeze({
      rules: Object.freeze(this.rules),
      killSwitch: this.killSwitch,
      guard: this.guard,
      problems: Object.freeze(this.problems),
    });
  }
}

function tooMany(count: number): RuleSet {
  return Object.freeze({
    rules: Object.freeze([]),
    killSwitch: false,
    guard: DEFAULT_GUARD,
    problems: Object.freeze([
      `rule table: ${count} items for this function (its scope and *): expected at most ${MAX_RULE_ITEMS}; no faults until it has fewer`,
    ]),
  });
}

/**
 * Validates every item. `*`/`#switch` sets the kill switch: it stands unless
 * its `enabled` is true (the CLI writes enabled=false; an item whose `enabled`
 * is missing still stops faults, since its presence says "stop"). `*`/`#guard`
 * gives the guardrails; a guard item that cannot be read refuses every fault
 * (Guardrails.refuseAll) rather than silently dropping its protection.
 */
export function compileRuleSet(items: readonly Item[]): RuleSet {
  if (items.length > MAX_RULE_ITEMS) return tooMany(items.length);
  const b = new RuleSetBuilder();
  for (const item of items) b.add(item);
  return b.build();
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * compileRuleSet for the agent: the same result, but it hands the event loop
 * back every SLICE_ITEMS items, so a large table never holds invocations up
 * for more than one slice.
 */
export async function compileRuleSetInSlices(items: readonly Item[], sliceItems = SLICE_ITEMS): Promise<RuleSet> {
  if (items.length > MAX_RULE_ITEMS) return tooMany(items.length);
  const b = new RuleSetBuilder();
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % sliceItems === 0) await nextTurn();
    b.add(items[i]!);
  }
  return b.build();
}
