// Matching a call against the rules of one function. compileMatcher does the
// work once per rule set (filter by scope, order by specificity, compile globs);
// the function it returns runs per outgoing call, so it loops over arrays and
// allocates nothing.
import { globToRegExp, isGlob } from './glob.js';
import { targetSpecificity } from './target.js';
import { GLOBAL_SCOPE, type CallDescriptor, type Rule, type RuleSet } from '../ruleTypes.js';

export type Matcher = (call: CallDescriptor, nowMs: number) => Rule | undefined;

type Kind = 'aws' | 'http' | 'any' | 'invocation';

// One object shape for every kind (unused fields undefined) keeps the per-call
// loop monomorphic; `kind` says which fields are set.
interface Entry {
  readonly rule: Rule;
  readonly kind: Kind;
  /** Epoch ms; Infinity when the rule does not expire. */
  readonly expiresAtMs: number;
  /** aws: lower-case service id, or '*' for every service. */
  readonly service: string;
  /** aws: the operation, compared without case (wire names and SDK names differ only in case, if at all). */
  readonly operation: RegExp | undefined;
  readonly host: RegExp | undefined;
  /** http: the host when it has no `*` (lower-case), compared directly before any RegExp runs. */
  readonly literalHost: string | undefined;
  /** http: the shortest host the glob can match, a cheap first rejection. */
  readonly minHostLength: number;
  readonly path: RegExp | undefined;
}

function toEntry(rule: Rule): Entry {
  const t = rule.target;
  const expiresAtMs = rule.expiresAt === undefined ? Infinity : rule.expiresAt * 1000;
  switch (t.kind) {
    case 'aws':
      return {
        rule,
        kind: 'aws',
        expiresAtMs,
        service: t.service,
        operation: t.operation === undefined ? undefined : new RegExp(`^${t.operation}$`, 'i'),
        host: undefined,
        literalHost: undefined,
        minHostLength: 0,
        path: undefined,
      };
    case 'http':
      return {
        rule,
        kind: 'http',
        expiresAtMs,
        service: '',
        operation: undefined,
        host: globToRegExp(t.host, true),
        literalHost: isGlob(t.host) ? undefined : t.host,
        minHostLength: t.host.replaceAll('*', '').length,
        path: t.path === undefined ? undefined : globToRegExp(t.path, false),
      };
    case 'any':
      return { rule, kind: 'any', expiresAtMs, service: '', operation: undefined, host: undefined, literalHost: undefined, minHostLength: 0, path: undefined };
    case 'invocation':
      return { rule, kind: 'invocation', expiresAtMs, service: '', operation: undefined, host: undefined, literalHost: undefined, minHostLength: 0, path: undefined };
  }
}

/**
 * The rules that can apply to `functionName`, most specific first: the
 * function's own scope before `*`; within a scope, by target specificity
 * (AWS operation > AWS service > aws:* > HTTP host+path > HTTP host > `*`),
 * then by id so the order never depends on the table's.
 */
export function rulesFor(set: RuleSet, functionName: string): Rule[] {
  const rank = (r: Rule) => (r.scope === functionName ? 0 : 1);
  return set.rules
    .filter((r) => r.enabled && (r.scope === functionName || r.scope === GLOBAL_SCOPE))
    .sort(
      (a, b) =>
        rank(a) - rank(b) ||
        targetSpecificity(b.target) - targetSpecificity(a.target) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
}

const NEVER: Matcher = () => undefined;

function hostMatches(e: Entry, host: string): boolean {
  if (host.length < e.minHostLength) return false;
  if (e.literalHost !== undefined) {
    // Same length is required for a literal; the RegExp only settles case differences.
    return host === e.literalHost || (host.length === e.literalHost.length && e.host!.test(host));
  }
  return e.host!.test(host);
}

function matches(e: Entry, call: CallDescriptor): boolean {
  switch (e.kind) {
    case 'aws':
      return (
        call.kind === 'aws' &&
        (e.service === '*' || e.service === call.service) &&
        (e.operation === undefined || (call.operation !== undefined && e.operation.test(call.operation)))
      );
    case 'http':
      // AWS calls are HTTP calls too: `http:dynamodb.*.amazonaws.com` hits the SDK's requests.
      return (
        call.host !== undefined &&
        hostMatches(e, call.host) &&
        (e.path === undefined || (call.path !== undefined && e.path.test(call.path)))
      );
    case 'any':
      return true;
    case 'invocation':
      return true;
  }
}

/**
 * Compiles the rule set for one function into `(call, nowMs) => Rule | undefined`:
 * the most specific enabled, unexpired rule whose target matches the call.
 * With the kill switch on it never matches. Whether the rule then hits is
 * shouldHit's question (rate, sticky, schedule); guardrails are the engine's.
 */
export function compileMatcher(set: RuleSet, functionName: string): Matcher {
  if (set.killSwitch) return NEVER;
  const entries = rulesFor(set, functionName).map(toEntry);
  if (entries.length === 0) return NEVER;
  // One list per call kind, each keeping the overall order, so a call only looks at rules that can match it.
  const invocation = entries.filter((e) => e.kind === 'invocation');
  const aws = entries.filter((e) => e.kind !== 'invocation');
  const http = entries.filter((e) => e.kind === 'http' || e.kind === 'any');
  return (call, nowMs) => {
    const list = call.kind === 'invocation' ? invocation : call.kind === 'aws' ? aws : http;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      // expiresAt is enforced here: DynamoDB's TTL deletes expired items only eventually.
      if (e.expiresAtMs > nowMs && matches(e, call)) return e.rule;
    }
    return undefined;
  };
}

/** Every rule that matches the call, most specific first (for the CLI and tests; the agent uses compileMatcher). */
export function matchCall(set: RuleSet, functionName: string, call: CallDescriptor, nowMs: number): Rule[] {
  if (set.killSwitch) return [];
  return rulesFor(set, functionName)
    .map(toEntry)
    .filter((e) => {
      const kindOk =
        call.kind === 'invocation' ? e.kind === 'invocation' : call.kind === 'aws' ? e.kind !== 'invocation' : e.kind === 'http' || e.kind === 'any';
      return kindOk && e.expiresAtMs > nowMs && matches(e, call);
    })
    .map((e) => e.rule);
}
