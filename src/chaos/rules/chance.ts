// Whether a matched rule hits this call: schedule, then chance (random or
// sticky), then the firstN budget. Pure: randomness, time and counters are
// passed in by the engine.
import type { Rule, Schedule, StickyKey } from '../ruleTypes.js';

export interface HitContext {
  readonly random: () => number;
  readonly nowMs: number;
  /** The rule's sticky key value for this call, when the rule has one (stickyValueOf). */
  readonly stickyValue: string | undefined;
  /** firstN hit counts per rule (key: ruleKey), kept by the engine for the life of the execution environment. */
  readonly counters: Map<string, number>;
  /** The rate to use instead of rule.rate, e.g. capped by the guardrails (effectiveRate). */
  readonly rate?: number;
}

/** The key of a rule in the firstN counters: scope and id, since ids are unique only within a scope. */
export function ruleKey(rule: Pick<Rule, 'scope' | 'id'>): string {
  return `${rule.scope}\u0000${rule.id}`;
}

/**
 * A flap is on for onSeconds, then off for offSeconds, repeating. The phase is
 * anchored at the rule's createdAt (else epoch 0), so every execution
 * environment agrees on whether the rule is on right now.
 */
export function flapIsOn(schedule: Extract<Schedule, { kind: 'flap' }>, createdAtSeconds: number | undefined, nowMs: number): boolean {
  const periodMs = (schedule.onSeconds + schedule.offSeconds) * 1000;
  const sinceMs = nowMs - (createdAtSeconds ?? 0) * 1000;
  const phase = ((sinceMs % periodMs) + periodMs) % periodMs;
  return phase < schedule.onSeconds * 1000;
}

/**
 * A number in [0, 1) fixed by rule id and key value: FNV-1a over both, then
 * murmur3's finaliser so values that differ only in their last characters
 * (`user-1`, `user-2`) spread over the whole range. The function name is not
 * in it, so a value hit in one function is hit in every function.
 */
export function stickyBucket(ruleId: string, value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ruleId.length; i++) {
    h ^= ruleId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A 0 code unit between the two, so (`ab`, `c`) and (`a`, `bc`) differ.
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/**
 * Whether a matched rule hits this call.
 * - flap: no hit while the flap is off.
 * - sticky: a value whose bucket is below the rate is always hit, others never;
 *   a call without a value is not hit (it is not part of the experiment).
 * - otherwise: random() < rate (random is not consulted at rate 0 or 1).
 * - firstN: at most `count` hits per rule per execution environment; only
 *   hits count, so `firstN=2` fails exactly two calls, then lets retries through.
 */
export function shouldHit(rule: Rule, ctx: HitContext): boolean {
  const schedule = rule.schedule;
  if (schedule?.kind === 'flap' && !flapIsOn(schedule, rule.createdAt, ctx.nowMs)) return false;
  const rate = ctx.rate ?? rule.rate;
  if (rate <= 0) return false;
  if (rule.sticky !== undefined) {
    if (ctx.stickyValue === undefined || stickyBucket(rule.id, ctx.stickyValue) >= rate) return false;
  } else if (rate < 1 && !(ctx.random() < rate)) {
    return false;
  }
  if (schedule?.kind === 'firstN') {
    const key = ruleKey(rule);
    const used = ctx.counters.get(key) ?? 0;
    if (used >= schedule.count) return false;
    ctx.counters.set(key, used + 1);
  }
  return true;
}

export interface StickySource {
  /** Trigger headers (any case); when absent, `event.headers` / `event.multiValueHeaders` of HTTP triggers are read. */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>> | undefined;
  readonly event?: unknown;
  readonly baggage?: ReadonlyMap<string, string> | undefined;
}

/** The value of a sticky key for the current invocation, or undefined when it has none. */
export function stickyValueOf(key: StickyKey, source: StickySource): string | undefined {
  switch (key.source) {
    case 'header':
      return headerValue(source.headers, key.name) ?? headerValue(eventHeaders(source.event, 'headers'), key.name) ??
        headerValue(eventHeaders(source.event, 'multiValueHeaders'), key.name);
    case 'event':
      return scalarText(walk(source.event, key.name));
    case 'baggage':
      return source.baggage?.get(key.name);
  }
}

function eventHeaders(event: unknown, field: string): Record<string, unknown> | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const h = (event as Record<string, unknown>)[field];
  return typeof h === 'object' && h !== null ? (h as Record<string, unknown>) : undefined;
}

function headerValue(headers: Readonly<Record<string, unknown>> | undefined, lowerName: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const name in headers) {
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    const v = headers[name];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  }
  return undefined;
}

/**
 * Follows `a.b.0.c` into the event. A string met on the way that holds JSON
 * (an SQS `body`, an SNS `Message`) is parsed, so `Records.0.body.orderId` works.
 */
function walk(event: unknown, path: string): unknown {
  let at: unknown = event;
  for (const segment of path.split('.')) {
    if (typeof at === 'string') at = parseJsonObject(at);
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[segment];
  }
  return at;
}

function parseJsonObject(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}
