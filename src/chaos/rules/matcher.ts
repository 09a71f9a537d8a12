// Matching a call against the rules of one function. Each rule's target is
// compiled once, on its own (compileRule, called per item while the table is
// parsed, so a rule that cannot be compiled is named and dropped alone);
// compileMatcher orders them for one function and indexes them (by call kind,
// AWS service and literal host), so a call only looks at rules that could
// match it; the function it returns runs per outgoing call, so it loops over
// arrays and allocates nothing. Globs are matched in linear time (glob.ts): no
// rule can make a call slow.
import { compileGlob, globMatches as importedGlobMatches, isGlob, type Glob } from './glob.js';
import { targetSpecificity } from './target.js';
import { GLOBAL_SCOPE, type Rule, type RuleSet } from '../ruleTypes.js';
import type { CallDescriptor } from '../../seam.js';

// Taken once: under a CommonJS transform an imported binding is a getter, read on every call otherwise.
const globMatches = importedGlobMatches;

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
  readonly operation: Glob | undefined;
  readonly host: Glob | undefined;
  /** http: the host when it has no `*` (lower-case), compared directly before the glob runs. */
  readonly literalHost: string | undefined;
  readonly path: Glob | undefined;
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
        operation: t.operation === undefined ? undefined : compileGlob(t.operation, true),
        host: undefined,
        literalHost: undefined,
        path: undefined,
      };
    case 'http':
      return {
        rule,
        kind: 'http',
        expiresAtMs,
        service: '',
        operation: undefined,
        host: compileGlob(t.host, true),
        literalHost: isGlob(t.host) ? undefined : t.host,
        path: t.path === undefined ? undefined : compileGlob(t.path, false),
      };
    case 'any':
      return { rule, kind: 'any', expiresAtMs, service: '', operation: undefined, host: undefined, literalHost: undefined, path: undefined };
    case 'invocation':
      return { rule, kind: 'invocation', expiresAtMs, service: '', operation: undefined, host: undefined, literalHost: undefined, path: undefined };
  }
}

const compiled = new WeakMap<Rule, Entry>();

/**
 * Compiles one rule's target for matching, once per rule object. Throws if it
 * cannot (compileRuleSet names the rule and leaves it out); the matcher only
 * ever uses rules that compiled.
 */
export function compileRule(rule: Rule): void {
  if (!compiled.has(rule)) compiled.set(rule, toEntry(rule));
}

function entryOf(rule: Rule): Entry | undefined {
  const known = compiled.get(rule);
  if (known !== undefined) return known;
  try {
    const e = toEntry(rule);
    compiled.set(rule, e);
    return e;
  } catch {
    // A rule that cannot be compiled costs only itself.
    return undefined;
  }
}

function entriesOf(rules: readonly Rule[]): Entry[] {
  const out: Entry[] = [];
  for (const r of rules) {
    const e = entryOf(r);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/**
 * The rules that can apply to `functionName`, most specific first: the
 * function's own scope before `*`; within a scope, by target specificity
 * (AWS operation > AWS service > aws:* > HTTP host+path > HTTP host > `*`),
 * then by id so the order never depends on the table's.
 */
export function rulesFor(set: RuleSet, functionName: string): Rule[] {
  // Decorated once, so the sort compares numbers (and ids only on ties): thousands of rules order in a few ms.
  const keyed: { readonly rule: Rule; readonly key: number }[] = [];
  for (const r of set.rules) {
    if (!r.enabled || (r.scope !== functionName && r.scope !== GLOBAL_SCOPE)) continue;
    keyed.push({ rule: r, key: (r.scope === functionName ? 0 : 8) + (7 - targetSpecificity(r.target)) });
  }
  keyed.sort((a, b) => a.key - b.key || (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  return keyed.map((k) => k.rule);
}

const NEVER: Matcher = () => undefined;

function hostMatches(e: Entry, host: string): boolean {
  return host === e.literalHost || globMatches(e.host!, host);
}

function matches(e: Entry, call: CallDescriptor): boolean {
  switch (e.kind) {
    case 'aws':
      return (
        call.kind === 'aws' &&
        (e.service === '*' || e.service === call.service) &&
        (e.operation === undefined || (call.operation !== undefined && globMatches(e.operation, call.operation)))
      );
    case 'http':
      // AWS calls are HTTP calls too: `http:dynamodb.*.amazonaws.com` hits the SDK's requests.
      return (
        call.host !== undefined &&
        hostMatches(e, call.host) &&
        (e.path === undefined || (call.path !== undefined && globMatches(e.path, call.path)))
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
  const entries = entriesOf(rulesFor(set, functionName));
  if (entries.length === 0) return NEVER;
  const positions = (keep: (e: Entry) => boolean): number[] => {
    const out: number[] = [];
    for (let i = 0; i < entries.length; i++) if (keep(entries[i]!)) out.push(i);
    return out;
  };
  // One list per call kind, each keeping the overall order, so a call only looks at rules that can match it.
  const invocation = indexByHost(entries, positions((e) => e.kind === 'invocation'));
  const aws = positions((e) => e.kind !== 'invocation');
  const awsAll = indexByHost(entries, aws);
  const http = indexByHost(entries, positions((e) => e.kind === 'http' || e.kind === 'any'));
  // AWS calls: one list per service met, made on first use, without the other services' aws: rules.
  const byService = new Map<string, HostIndex>();
  const awsFor = (service: string | undefined): HostIndex => {
    if (service === undefined) return awsAll;
    let list = byService.get(service);
    if (list === undefined) {
      // Service ids come from the SDK's calls, so few; the bound only guards against odd callers.
      if (byService.size >= MAX_SERVICE_LISTS) return awsAll;
      list = indexByHost(
        entries,
        aws.filter((i) => entries[i]!.kind !== 'aws' || entries[i]!.service === '*' || entries[i]!.service === service),
      );
      byService.set(service, list);
    }
    return list;
  };
  return (call, nowMs) => {
    const index = call.kind === 'invocation' ? invocation : call.kind === 'aws' ? awsFor(call.service) : http;
    const host = call.host;
    if (host !== undefined && hasUpperCase(host)) return scan(entries, index.all, NONE, call, nowMs);
    const bucket = host === undefined ? undefined : index.byHost.get(host);
    return scan(entries, index.rest, bucket ?? NONE, call, nowMs);
  };
}

/**
 * A list of rules (positions in the ordered entries) split for lookup: http:
 * rules with a literal host by that host, the others in `rest`. A call scans
 * `rest` and its own host's bucket, merged in order, so rules for other hosts
 * cost it nothing.
 */
interface HostIndex {
  readonly all: readonly number[];
  readonly rest: readonly number[];
  readonly byHost: ReadonlyMap<string, readonly number[]>;
}

const NONE: readonly number[] = [];

function indexByHost(entries: readonly Entry[], list: readonly number[]): HostIndex {
  const rest: number[] = [];
  const byHost = new Map<string, number[]>();
  for (const i of list) {
    const literal = entries[i]!.literalHost;
    if (literal === undefined) {
      rest.push(i);
      continue;
    }
    let bucket = byHost.get(literal);
    if (bucket === undefined) byHost.set(literal, (bucket = []));
    bucket.push(i);
  }
  return { all: list, rest, byHost };
}

/** Literal hosts are kept lower-case; a call host with capitals (rare) is checked against every rule instead. */
function hasUpperCase(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/** The first rule, in order, among two ascending position lists, that is unexpired and matches. */
function scan(entries: readonly Entry[], a: readonly number[], b: readonly number[], call: CallDescriptor, nowMs: number): Rule | undefined {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const position = j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!;
    const e = entries[position]!;
    // expiresAt is enforced here: DynamoDB's TTL deletes expired items only eventually.
    if (e.expiresAtMs > nowMs && matches(e, call)) return e.rule;
  }
  return undefined;
}

const MAX_SERVICE_LISTS = 256;

/** Every rule that matches the call, most specific first (for the CLI and tests; the agent uses compileMatcher). */
export function matchCall(set: RuleSet, functionName: string, call: CallDescriptor, nowMs: number): Rule[] {
  if (set.killSwitch) return [];
  return entriesOf(rulesFor(set, functionName))
    .filter((e) => {
      const kindOk =
        call.kind === 'invocation' ? e.kind === 'invocation' : call.kind === 'aws' ? e.kind !== 'invocation' : e.kind === 'http' || e.kind === 'any';
      return kindOk && e.expiresAtMs > nowMs && matches(e, call);
    })
    .map((e) => e.rule);
}
