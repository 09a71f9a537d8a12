// Pure: whether a rule can inject faults right now, and why not — the same
// checks the agent makes (expiry, enabled, kill switch, guardrails).
import { effectiveRate, guardVerdict } from '../../src/chaos/guard.js';
import { GLOBAL_SCOPE, type Rule, type RuleSet } from '../../src/chaos/ruleTypes.js';

export type RuleState = 'live' | 'expired' | 'disabled' | 'switched-off' | 'blocked';

export interface RuleStatus {
  readonly state: RuleState;
  /** Why it is not (fully) live: guard reason, rate cap, allowlist. */
  readonly detail: string | undefined;
  /** undefined: no expiry. Negative once expired. */
  readonly timeLeftMs: number | undefined;
  /** The rate after the guardrails' cap. */
  readonly effectiveRate: number;
}

export function ruleStatus(rule: Rule, set: Pick<RuleSet, 'killSwitch' | 'guard'>, nowMs: number): RuleStatus {
  const timeLeftMs = rule.expiresAt === undefined ? undefined : rule.expiresAt * 1000 - nowMs;
  const rate = effectiveRate(rule, set.guard);
  const base = { timeLeftMs, effectiveRate: rate };
  if (timeLeftMs !== undefined && timeLeftMs <= 0) return { ...base, state: 'expired', detail: undefined };
  if (!rule.enabled) return { ...base, state: 'disabled', detail: 'enabled=false' };
  if (set.killSwitch) return { ...base, state: 'switched-off', detail: 'kill switch on' };
  const notes: string[] = [];
  const allowed = set.guard.allowedFunctions;
  if (set.guard.refuseAll !== undefined) return { ...base, state: 'blocked', detail: set.guard.refuseAll };
  if (rule.scope === GLOBAL_SCOPE) {
    if (allowed) notes.push(`only in allowed functions ${allowed.join(', ')}`);
  } else {
    // The environment is known only inside the function: the production lock is shown with the guardrails.
    const verdict = guardVerdict(set.guard, rule.scope, undefined);
    if (!verdict.allowed) return { ...base, state: 'blocked', detail: verdict.reason };
  }
  if (rate === 0) return { ...base, state: 'blocked', detail: 'rate capped to 0 by the guardrails' };
  if (rate < rule.rate) notes.push(`rate capped ${rule.rate} → ${rate} by the guardrails`);
  return { ...base, state: 'live', detail: notes.length ? notes.join('; ') : undefined };
}
