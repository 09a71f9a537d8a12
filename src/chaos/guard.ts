// Guardrails: the item `scope=*`, `id=#guard` in the rule table. The agent
// enforces them itself (not only the CLI), before any fault is injected.
//
// How "production" is determined: the agent reads the deployment environment
// name once at init (src/config.ts `environment`) from FAULTLINE_ENV, else
// DEPLOYMENT_ENV, else STAGE, else NODE_ENV. With `productionLock` on, a
// function whose environment name equals one of `productionEnvironments`
// (case-insensitive; default `prod` and `production`) gets no faults at all.
// A function with none of those variables set is not production.
//
// Pure, apart from AbortWindow's own counters.
import { AttributeReader, type Item } from './rules/attributes.js';
import { cachedGlob, globMatches } from './rules/glob.js';
import type { Guardrails, Rule } from './ruleTypes.js';

export const DEFAULT_PRODUCTION_ENVIRONMENTS: readonly string[] = Object.freeze(['prod', 'production']);
export const DEFAULT_ABORT_WINDOW_SECONDS = 60;
export const DEFAULT_ABORT_MIN_INVOCATIONS = 20;

/** No `#guard` item: no cap, every function, no lock, no abort threshold. */
export const DEFAULT_GUARD: Guardrails = Object.freeze({
  maxRate: undefined,
  allowedFunctions: undefined,
  productionLock: false,
  productionEnvironments: DEFAULT_PRODUCTION_ENVIRONMENTS,
  abort: undefined,
});

const GUARD_ATTRIBUTES = [
  'maxRate',
  'allowedFunctions',
  'productionLock',
  'productionEnvironments',
  'abortErrorRate',
  'abortWindowSeconds',
  'abortMinInvocations',
] as const;
// No `enabled` or `expiresAt`: guardrails are removed on purpose (`chaos guard clear`), never switched off or left to lapse.
const AUDIT_ATTRIBUTES = ['scope', 'id', 'createdBy', 'createdAt', 'note'];
const KNOWN = new Set<string>([...GUARD_ATTRIBUTES, ...AUDIT_ATTRIBUTES]);

const FUNCTION_GLOB = /^[A-Za-z0-9_*-]{1,64}$/;

/** Validates the plain (unmarshalled) `#guard` item. Every message names the attribute, the bad value and the expected form. */
export function parseGuardItem(item: Item): { ok: true; guard: Guardrails } | { ok: false; errors: string[] } {
  const r = new AttributeReader(item);
  const maxRate = r.number('maxRate', 'a number between 0 and 1', (n) => n >= 0 && n <= 1);
  const allowedFunctions = r.stringList(
    'allowedFunctions',
    'a list of function names (letters, digits, - and _; * as a wildcard), e.g. ["orders-api", "payments-*"]',
    (s) => FUNCTION_GLOB.test(s),
  );
  const productionLock = r.boolean('productionLock');
  const productionEnvironments = r.stringList(
    'productionEnvironments',
    'a non-empty list of environment names, e.g. ["prod", "production"]',
  );
  if (productionEnvironments !== undefined && productionEnvironments.length === 0) {
    r.fail('productionEnvironments=[]: expected a non-empty list of environment names, e.g. ["prod", "production"]');
  }
  const errorRate = r.number('abortErrorRate', 'a number above 0 and at most 1, e.g. 0.5', (n) => n > 0 && n <= 1);
  const windowSeconds = r.number(
    'abortWindowSeconds',
    'a whole number of seconds from 1 to 3600, e.g. 60',
    (n) => Number.isInteger(n) && n >= 1 && n <= 3600,
  );
  const minInvocations = r.number(
    'abortMinInvocations',
    'a whole number of invocations of at least 1, e.g. 20',
    (n) => Number.isInteger(n) && n >= 1,
  );
  if (!r.has('abortErrorRate')) {
    for (const name of ['abortWindowSeconds', 'abortMinInvocations']) {
      if (r.has(name)) r.fail(`${name}: only meaningful with abortErrorRate (the failed share that stops injection), which is not set`);
    }
  }
  r.unknown(KNOWN, GUARD_ATTRIBUTES.join(', '));
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  return {
    ok: true,
    guard: Object.freeze({
      maxRate,
      allowedFunctions: allowedFunctions === undefined ? undefined : Object.freeze([...allowedFunctions]),
      productionLock: productionLock ?? false,
      productionEnvironments: Object.freeze([...(productionEnvironments ?? DEFAULT_PRODUCTION_ENVIRONMENTS)]),
      abort:
        errorRate === undefined
          ? undefined
          : Object.freeze({
              errorRate,
              windowSeconds: windowSeconds ?? DEFAULT_ABORT_WINDOW_SECONDS,
              minInvocations: minInvocations ?? DEFAULT_ABORT_MIN_INVOCATIONS,
            }),
    }),
  };
}

/** The guard's own attributes as the CLI writes them (without scope, id or audit fields). Round-trips through parseGuardItem. */
export function guardToItem(guard: Guardrails): Record<string, unknown> {
  const item: Record<string, unknown> = {
    productionLock: guard.productionLock,
    productionEnvironments: [...guard.productionEnvironments],
  };
  if (guard.maxRate !== undefined) item.maxRate = guard.maxRate;
  if (guard.allowedFunctions !== undefined) item.allowedFunctions = [...guard.allowedFunctions];
  if (guard.abort !== undefined) {
    item.abortErrorRate = guard.abort.errorRate;
    item.abortWindowSeconds = guard.abort.windowSeconds;
    item.abortMinInvocations = guard.abort.minInvocations;
  }
  return item;
}

export type GuardVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

const ALLOWED: GuardVerdict = Object.freeze({ allowed: true });

/**
 * Whether this function, in this deployment environment, may be faulted at
 * all. The answer holds for the life of an execution environment until the
 * guard changes, so the engine can compute it once per rule-set refresh.
 */
export function guardVerdict(guard: Guardrails, functionName: string, environment: string | undefined): GuardVerdict {
  if (guard.refuseAll !== undefined) return { allowed: false, reason: guard.refuseAll };
  if (guard.allowedFunctions !== undefined) {
    const allowed = guard.allowedFunctions.some((g) => g === functionName || (g.includes('*') && globMatches(cachedGlob(g, false), functionName)));
    if (!allowed) {
      const list = guard.allowedFunctions.length === 0 ? 'none' : guard.allowedFunctions.join(', ');
      return {
        allowed: false,
        reason: `function ${functionName} is not in the guardrail allowedFunctions (${list})`,
      };
    }
  }
  if (guard.productionLock && environment !== undefined) {
    const env = environment.trim().toLowerCase();
    if (guard.productionEnvironments.some((p) => p.trim().toLowerCase() === env)) {
      return {
        allowed: false,
        reason:
          `environment ${environment} is production and the guardrail productionLock is on ` +
          `(environment read from FAULTLINE_ENV, else DEPLOYMENT_ENV, STAGE or NODE_ENV)`,
      };
    }
  }
  return ALLOWED;
}

/** The rule's rate, capped by the guard's maxRate. */
export function effectiveRate(rule: Pick<Rule, 'rate'>, guard: Guardrails): number {
  return guard.maxRate !== undefined && guard.maxRate < rule.rate ? guard.maxRate : rule.rate;
}

export interface AbortTrip {
  readonly errorRate: number;
  readonly invocations: number;
}

/**
 * The share of failed invocations in this execution environment over a
 * sliding window, kept in a fixed number of time buckets so memory stays
 * bounded however many invocations arrive. The window slides one bucket at a
 * time (window / buckets seconds), which is exact enough for an abort switch.
 */
export class AbortWindow {
  private readonly bucketMs: number;
  private readonly stamps: Float64Array;
  private readonly totals: Uint32Array;
  private readonly failures: Uint32Array;

  constructor(
    readonly threshold: { readonly errorRate: number; readonly windowSeconds: number; readonly minInvocations: number },
    readonly buckets = 12,
  ) {
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets=${buckets}: expected a whole number of at least 1`);
    this.bucketMs = (threshold.windowSeconds * 1000) / buckets;
    this.stamps = new Float64Array(buckets).fill(-1);
    this.totals = new Uint32Array(buckets);
    this.failures = new Uint32Array(buckets);
  }

  record(nowMs: number, failed: boolean): void {
    const index = Math.floor(nowMs / this.bucketMs);
    const slot = index % this.buckets;
    if (this.stamps[slot] !== index) {
      this.stamps[slot] = index;
      this.totals[slot] = 0;
      this.failures[slot] = 0;
    }
    this.totals[slot]! += 1;
    if (failed) this.failures[slot]! += 1;
  }

  /** The counts within the window ending now. */
  counts(nowMs: number): AbortTrip {
    const current = Math.floor(nowMs / this.bucketMs);
    const oldest = current - this.buckets + 1;
    let invocations = 0;
    let failed = 0;
    for (let slot = 0; slot < this.buckets; slot++) {
      const stamp = this.stamps[slot]!;
      if (stamp >= oldest && stamp <= current) {
        invocations += this.totals[slot]!;
        failed += this.failures[slot]!;
      }
    }
    return { errorRate: invocations === 0 ? 0 : failed / invocations, invocations };
  }

  /** The window's figures when the failed share has reached the threshold over enough invocations, else undefined. */
  tripped(nowMs: number): AbortTrip | undefined {
    const c = this.counts(nowMs);
    return c.invocations >= this.threshold.minInvocations && c.errorRate >= this.threshold.errorRate ? c : undefined;
  }
}
