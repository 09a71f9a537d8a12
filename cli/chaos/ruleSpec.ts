// A rule as a user writes it — `chaos set` flags, or one entry of a scenario
// step's `set:` list — turned into the plain table item. Only the *shape* of
// the flags is checked here (numbers, durations, k=v headers, ON/OFF flaps);
// whether the rule makes sense is decided by validateRuleItem in src/chaos, so
// a rule the CLI accepts is exactly a rule the agent understands.
import { readFileSync } from 'node:fs';
import { parseDuration } from '../../src/chaos/duration.js';
import { formatTarget, validateRuleItem } from '../../src/chaos/rules.js';
import type { Rule } from '../../src/chaos/ruleTypes.js';
import { UsageError } from '../common.js';
import { generateRuleId } from './ruleId.js';

type Scalar = string | number;

/** The `chaos set` flags by their long names; scenario files use the same keys. */
export interface RuleSpec {
  scope: string;
  target?: string;
  fault?: string;
  error?: Scalar;
  latency?: Scalar;
  jitter?: Scalar;
  timeout?: Scalar;
  corruption?: string;
  rate?: Scalar;
  for?: string;
  id?: string;
  note?: string;
  status?: Scalar;
  /** `k=v` strings (repeated --header) or a map (scenario files). */
  header?: readonly string[] | Readonly<Record<string, Scalar>>;
  /** Text, or `@path` to read it from a file. */
  body?: string;
  sticky?: string;
  /** `ON/OFF`, e.g. `30s/60s`. */
  flap?: string;
  first?: Scalar;
}

export const RULE_SPEC_KEYS: readonly (keyof RuleSpec)[] = [
  'scope', 'target', 'fault', 'error', 'latency', 'jitter', 'timeout', 'corruption', 'rate', 'for',
  'id', 'note', 'status', 'header', 'body', 'sticky', 'flap', 'first',
];

/** A rule without `for` expires after this: a forgotten rule ends with the afternoon, not the quarter. */
export const DEFAULT_RULE_FOR = '1h';
/** The longest `for`, as AWS FIS caps an experiment at 12 hours. */
export const MAX_RULE_FOR_MS = 12 * 3_600_000;
/** `for: never`: a rule with no expiry, only with BuildContext.allowNever (`chaos set --confirm-no-expiry`). */
export const NEVER = 'never';

export interface BuildContext {
  readonly nowMs: number;
  /** Accept `for: never` (the user confirmed it); otherwise it is refused. */
  readonly allowNever?: boolean;
  readonly createdBy: string | undefined;
  /** How a key is named in messages: `--rate` for flags, `rate` in scenario files. */
  readonly nameOf?: (key: keyof RuleSpec) => string;
  /** Base directory for `--body @file` (default: cwd). */
  readonly readFile?: (path: string) => string;
}

export type BuildResult = { ok: true; item: Record<string, unknown>; rule: Rule } | { ok: false; errors: string[] };

const flagName = (key: keyof RuleSpec) => (key === 'scope' ? '<scope>' : `--${key}`);

/** Item attribute → the spec key that set it, to name flags in the validator's messages. */
const ATTRIBUTE_TO_KEY: Readonly<Record<string, keyof RuleSpec>> = {
  scope: 'scope',
  id: 'id',
  target: 'target',
  fault: 'fault',
  error: 'error',
  latencyMs: 'latency',
  jitterMs: 'jitter',
  timeoutMs: 'timeout',
  corruption: 'corruption',
  rate: 'rate',
  expiresAt: 'for',
  note: 'note',
  status: 'status',
  headers: 'header',
  body: 'body',
  sticky: 'sticky',
  flapOnSeconds: 'flap',
  flapOffSeconds: 'flap',
  firstN: 'first',
};

/** `rate=1.5: expected …` → `--rate 1.5: expected …` (the validator speaks in item attributes). */
export function renameAttributeInMessage(message: string, nameOf: (key: keyof RuleSpec) => string): string {
  const m = /^([A-Za-z]+)(=|:)/.exec(message);
  if (!m) return message;
  const key = ATTRIBUTE_TO_KEY[m[1] ?? ''];
  if (!key) return message;
  const rest = message.slice(m[0].length);
  return m[2] === '=' ? `${nameOf(key)} ${rest}` : `${nameOf(key)}:${rest}`;
}

const NUMBER_RE = /^-?(\d+(\.\d*)?|\.\d+)$/;

/** Numbers pass as numbers; anything else passes through so the validator names it. */
function numeric(value: Scalar | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const t = value.trim();
  return NUMBER_RE.test(t) ? Number(t) : value;
}

/** Milliseconds as a plain number (`250`) or a duration (`2s`). */
function millis(value: Scalar | undefined, name: string, errors: string[]): number | string | undefined {
  const n = numeric(value);
  if (typeof n !== 'string') return n;
  try {
    return parseDuration(n);
  } catch {
    errors.push(`${name} ${n}: expected milliseconds (250) or a duration such as 500ms or 2s`);
    return undefined;
  }
}

function parseHeaders(value: RuleSpec['header'], name: string, errors: string[]): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const pair of value as readonly string[]) {
      const i = pair.indexOf('=');
      if (i <= 0) {
        errors.push(`${name} ${pair}: expected name=value, e.g. content-type=application/json`);
        continue;
      }
      out[pair.slice(0, i).trim().toLowerCase()] = pair.slice(i + 1);
    }
  } else {
    for (const [k, v] of Object.entries(value as Record<string, Scalar>)) out[k.toLowerCase()] = String(v);
  }
  return out;
}

function parseFlap(value: string | undefined, name: string, errors: string[]): [number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split('/');
  const bad = () => errors.push(`${name} ${value}: expected ON/OFF durations such as 30s/60s`);
  if (parts.length !== 2) return void bad();
  try {
    const on = parseDuration(parts[0]!.trim());
    const off = parseDuration(parts[1]!.trim());
    return [on / 1000, off / 1000];
  } catch {
    return void bad();
  }
}

function readBody(value: string | undefined, name: string, errors: string[], readFile: (p: string) => string): string | undefined {
  if (value === undefined || !value.startsWith('@')) return value;
  try {
    return readFile(value.slice(1));
  } catch (err) {
    errors.push(`${name} ${value}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return undefined;
  }
}

/**
 * Epoch seconds at which the rule ends: `for`, else DEFAULT_RULE_FOR, at most
 * MAX_RULE_FOR_MS; undefined only for a confirmed `never`.
 */
function expiryOf(value: string | undefined, ctx: BuildContext, name: string, errors: string[]): number | undefined {
  const text = value === undefined ? DEFAULT_RULE_FOR : String(value).trim();
  if (text.toLowerCase() === NEVER) {
    if (ctx.allowNever) return undefined;
    errors.push(`${name} ${value}: a rule that never expires needs --confirm-no-expiry (chaos set only; scenario rules always expire); otherwise give a duration up to 12h`);
    return undefined;
  }
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    errors.push(`${name} ${value}: expected a duration such as 90s, 15m or 2h (at most 12h)`);
    return undefined;
  }
  if (ms <= 0) errors.push(`${name} ${value}: expected a duration above zero such as 15m`);
  else if (ms > MAX_RULE_FOR_MS) errors.push(`${name} ${value}: expected at most 12h (a game day is capped, as AWS FIS caps an experiment); set the rule again to extend it`);
  return Math.ceil((ctx.nowMs + ms) / 1000);
}

/**
 * Builds and validates the item for one rule. Nothing is written; all errors
 * are collected so the user sees every bad value at once.
 */
export function buildRuleItem(spec: RuleSpec, ctx: BuildContext): BuildResult {
  const nameOf = ctx.nameOf ?? flagName;
  const errors: string[] = [];

  const expiresAt = expiryOf(spec.for, ctx, nameOf('for'), errors);
  const flap = parseFlap(spec.flap, nameOf('flap'), errors);
  const headers = parseHeaders(spec.header, nameOf('header'), errors);
  const body = readBody(spec.body, nameOf('body'), errors, ctx.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const latencyMs = millis(spec.latency, nameOf('latency'), errors);
  const jitterMs = millis(spec.jitter, nameOf('jitter'), errors);
  const timeoutMs = millis(spec.timeout, nameOf('timeout'), errors);

  const target = spec.target;
  const fault = spec.fault;
  // docs/rules.md: `error` is a string even when it is an HTTP status (`503`).
  const error = spec.error === undefined ? undefined : String(spec.error);
  const id =
    spec.id ?? (target !== undefined && fault !== undefined ? generateRuleId(target, fault, spec.error === undefined ? undefined : String(spec.error)) : undefined);

  const item: Record<string, unknown> = {
    scope: spec.scope,
    id,
    enabled: true,
    target,
    fault,
    rate: numeric(spec.rate),
    error,
    latencyMs,
    jitterMs,
    timeoutMs,
    corruption: spec.corruption,
    status: numeric(spec.status),
    headers,
    body,
    sticky: spec.sticky,
    flapOnSeconds: flap?.[0],
    flapOffSeconds: flap?.[1],
    firstN: numeric(spec.first),
    expiresAt,
    createdBy: ctx.createdBy,
    createdAt: Math.floor(ctx.nowMs / 1000),
    note: spec.note,
  };
  for (const k of Object.keys(item)) if (item[k] === undefined) delete item[k];

  const verdict = validateRuleItem(item);
  if (!verdict.ok) {
    // A flag whose shape was already reported would be reported again as missing.
    const reported = new Set(errors.map((e) => e.split(' ')[0]));
    for (const e of verdict.errors) {
      const renamed = renameAttributeInMessage(e, nameOf);
      const flag = /^[^\s:]+/.exec(renamed)?.[0];
      if (flag === undefined || !reported.has(flag)) errors.push(renamed);
    }
  }
  if (errors.length > 0 || !verdict.ok) return { ok: false, errors };
  // Stored under the name the agent matches (aws:cloudwatch → aws:monitoring), so every agent version reads it alike.
  const canonical = formatTarget(verdict.rule.target);
  if (verdict.rule.target.kind === 'aws' && canonical !== verdict.rule.targetText) {
    item.target = canonical;
    return { ok: true, item, rule: { ...verdict.rule, targetText: canonical } };
  }
  return { ok: true, item, rule: verdict.rule };
}

/** Validates a rule spec; throws UsageError naming every bad value. Pure apart from `--body @file`. */
export function validateRuleSpec(
  spec: RuleSpec,
  opts: { nowMs?: number; createdBy?: string | undefined; nameOf?: BuildContext['nameOf']; allowNever?: boolean } = {},
): { item: Record<string, unknown>; rule: Rule } {
  const built = buildRuleItem(spec, {
    nowMs: opts.nowMs ?? Date.now(),
    allowNever: Boolean(opts.allowNever),
    createdBy: opts.createdBy,
    ...(opts.nameOf ? { nameOf: opts.nameOf } : {}),
  });
  if (!built.ok) throw new UsageError(built.errors.join('; '));
  return { item: built.item, rule: built.rule };
}
