// The chaos rule module: validation, matching, chance and schedules, shared by
// the agent (src/chaos/engine.ts) and the CLI (cli/chaos). Pure: no I/O, no
// clock, no randomness of its own. The pieces live in ./rules/.
import type { Rule } from './ruleTypes.js';
import type { FaultDecision } from '../seam.js';

export { RuleError } from './rules/ruleError.js';
export { parseTarget, tryParseTarget, formatTarget, targetSpecificity, type TargetResult } from './rules/target.js';
export {
  validateRuleItem,
  ruleToItem,
  parseErrorSpec,
  formatErrorSpec,
  parseStickyKey,
  formatStickyKey,
  FAULT_TYPES,
  CORRUPTIONS,
  NETWORK_ERRORS,
  RULE_ATTRIBUTES,
  MAX_DELAY_MS,
  type RuleVerdict,
} from './rules/validate.js';
export { compileRuleSet } from './rules/ruleSet.js';
export { compileMatcher, matchCall, rulesFor, type Matcher } from './rules/matcher.js';
export {
  shouldHit,
  stickyValueOf,
  stickyBucket,
  flapIsOn,
  ruleKey,
  type HitContext,
  type StickySource,
} from './rules/chance.js';
export { describeReach } from './rules/reach.js';

/** What the wire layer needs to inject a matched rule's fault. */
export function decisionOf(rule: Rule): FaultDecision {
  return { ruleId: rule.id, scope: rule.scope, targetText: rule.targetText, fault: rule.fault };
}
