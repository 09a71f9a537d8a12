// The chaos engine of one execution environment: decides, per outgoing call
// and per invocation, whether a rule hits it, and makes every injected fault
// visible (span event, WARN line, FaultsInjected).
//
// Guardrails are enforced here, by the agent, not only by the CLI: the kill
// switch, the production lock and allow-list (guardVerdict), the maximum rate
// (effectiveRate), and the abort threshold. The abort threshold latches: once
// the share of failed invocations passes it, this environment injects nothing
// more — resuming when errors drop would just flap the outage on and off. A
// changed abort setting in the `#guard` item (an operator's deliberate act)
// starts a fresh window.
//
// Rules older than `maxRuleAgeMs` give no faults until a refresh replaces
// them: Lambda freezes an idle environment, and the first invocation after a
// long freeze must not apply rules an operator may have switched off meanwhile
// (the kill switch holds "within one refresh interval" even for sparse
// traffic). That invocation triggers the refresh; it never waits for it.
//
// The decision path is synchronous and allocation-light: the matcher and the
// guard verdict are worked out once per rule set, not per call.
import type { Attributes, Span } from '@opentelemetry/api';
import type { FaultlineConfig } from '../config.js';
import type { Logger } from '../telemetry/logging/logger.js';
import { currentInvocation, invocationOfSpan, runAsInvocation } from '../invocationState.js';
import { compileMatcher, decisionOf, shouldHit, stickyValueOf } from './rules.js';
import { AbortWindow, effectiveRate, guardVerdict } from './guard.js';
import type { Guardrails, Rule, RuleSet } from './ruleTypes.js';
import type { CallDescriptor, FaultDecision } from '../seam.js';
import type { RuleStore } from './ruleStore.js';
import { DEFAULT_READ_TIMEOUT_MS } from './dynamoReader.js';
import { invocationEffect } from './invocationFaults.js';

export interface ChaosEngine {
  /** For every outgoing call (the wire layer). Never waits; undefined means "leave the call alone". */
  decide(call: CallDescriptor): FaultDecision | undefined;
  /** Called for every fault actually applied: span event, WARN log line, FaultsInjected. */
  injected(decision: FaultDecision, span: Span | undefined): void;
  /**
   * Applies an `invocation` fault, if one hits: undefined when none does (the
   * handler runs at once, nothing awaited), else a promise that resolves when
   * the handler may run (latency) or rejects with the injected error.
   */
  enterInvocation(): Promise<void> | undefined;
  /** Feeds the abort threshold with the invocation's outcome. */
  afterInvocation(failed: boolean): void;
  /** Why nothing would be injected right now, if something stops it (for logs and tests). */
  stoppedBy(): string | undefined;
  /** Works out a new rule set's matcher ahead of the calls that will meet it (the rule store calls it in the background). */
  prepare(set: RuleSet): void;
}

export interface ChaosEngineOptions {
  readonly config: Pick<FaultlineConfig, 'functionName' | 'environment' | 'chaosRefreshMs'>;
  readonly logger: Logger;
  readonly store: RuleStore;
  /** Uniform in [0, 1); tests pass a seeded one. */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Rules older than this give no faults; default two refresh intervals plus a read timeout. */
  readonly maxRuleAgeMs?: number;
}

/** What is worked out once per rule set. */
interface Compiled {
  readonly set: RuleSet;
  readonly match: (call: CallDescriptor, nowMs: number) => Rule | undefined;
  /** Why the guardrails refuse faults in this function, if they do. */
  readonly refused: string | undefined;
}

const INVOCATION_CALL: CallDescriptor = Object.freeze({ kind: 'invocation' });

function sameAbort(a: Guardrails['abort'], b: Guardrails['abort']): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.errorRate === b.errorRate && a.windowSeconds === b.windowSeconds && a.minInvocations === b.minInvocations;
}

/** The fields of the span event and of the WARN line, under faultline's vendor namespace `faultline.*`. */
export function faultAttributes(decision: FaultDecision): Attributes {
  const attrs: Attributes = {
    'faultline.chaos.rule_id': decision.ruleId,
    'faultline.chaos.fault': decision.fault.type,
    'faultline.chaos.target': decision.targetText,
    'faultline.chaos.scope': decision.scope,
  };
  const f = decision.fault;
  switch (f.type) {
    case 'error':
      attrs['faultline.chaos.error'] = f.error.kind === 'http' ? String(f.error.status) : f.error.code;
      break;
    case 'latency':
      attrs['faultline.chaos.latency_ms'] = f.latencyMs;
      if (f.jitterMs > 0) attrs['faultline.chaos.jitter_ms'] = f.jitterMs;
      break;
    case 'timeout':
      if (f.timeoutMs !== undefined) attrs['faultline.chaos.timeout_ms'] = f.timeoutMs;
      break;
    case 'corrupt':
      attrs['faultline.chaos.corruption'] = f.corruption;
      break;
    case 'respond':
      attrs['faultline.chaos.status'] = f.status;
      break;
  }
  return attrs;
}

export function createChaosEngine(opts: ChaosEngineOptions): ChaosEngine {
  const { config, logger, store } = opts;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const maxRuleAgeMs = opts.maxRuleAgeMs ?? 2 * config.chaosRefreshMs + DEFAULT_READ_TIMEOUT_MS;
  /** Per-rule hit counts for `firstN` schedules: per environment, kept across refreshes. */
  const counters = new Map<string, number>();
  const decisions = new WeakMap<Rule, FaultDecision>();
  const attributes = new WeakMap<FaultDecision, Attributes>();

  let compiled: Compiled | undefined;
  let lastRefusal: string | undefined;
  let abortSetting: Guardrails['abort'];
  let abortWindow: AbortWindow | undefined;
  let aborted: string | undefined;

  function compile(set: RuleSet): Compiled {
    const verdict = guardVerdict(set.guard, config.functionName, config.environment);
    const refused = verdict.allowed ? undefined : verdict.reason;
    if (refused !== undefined && refused !== lastRefusal && set.rules.length > 0 && !set.killSwitch) {
      logger.info('chaos faults refused by guardrails', { reason: refused, environment: config.environment });
    }
    lastRefusal = refused;
    if (!sameAbort(set.guard.abort, abortSetting)) {
      abortSetting = set.guard.abort;
      abortWindow = abortSetting === undefined ? undefined : new AbortWindow(abortSetting);
      aborted = undefined;
    }
    return { set, match: compileMatcher(set, config.functionName), refused };
  }

  function current(): Compiled {
    const set = store.current();
    if (compiled === undefined || compiled.set !== set) compiled = compile(set);
    return compiled;
  }

  function stoppedBy(c: Compiled): string | undefined {
    if (c.set.killSwitch) return 'kill switch';
    if (c.refused !== undefined) return c.refused;
    return aborted;
  }

  function decide(call: CallDescriptor): FaultDecision | undefined {
    const nowMs = now();
    store.refreshIfStale(nowMs);
    const c = current();
    if (c.set.rules.length === 0 || stoppedBy(c) !== undefined || nowMs - store.loadedAtMs > maxRuleAgeMs) return undefined;
    const rule = c.match(call, nowMs);
    if (rule === undefined) return undefined;
    let stickyValue: string | undefined;
    if (rule.sticky !== undefined) {
      // HTTP triggers carry their headers in the event; stickyValueOf reads them there.
      const inv = currentInvocation();
      stickyValue = stickyValueOf(rule.sticky, { event: inv?.event, baggage: inv?.baggage });
    }
    const rate = effectiveRate(rule, c.set.guard);
    if (!shouldHit(rule, { random, nowMs, stickyValue, counters, rate })) return undefined;
    let decision = decisions.get(rule);
    if (decision === undefined) {
      decision = decisionOf(rule);
      decisions.set(rule, decision);
    }
    return decision;
  }

  function recordOutcome(failed: boolean): void {
    const c = current();
    if (abortWindow === undefined || aborted !== undefined) return;
    const nowMs = now();
    abortWindow.record(nowMs, failed);
    const trip = abortWindow.tripped(nowMs);
    if (trip === undefined) return;
    const limit = c.set.guard.abort;
    aborted = `abort threshold passed: ${(trip.errorRate * 100).toFixed(1)}% of ${trip.invocations} invocations failed`;
    logger.warn('chaos aborted in this environment: failed invocations passed the abort threshold', {
      errorRate: trip.errorRate,
      invocations: trip.invocations,
      abortErrorRate: limit?.errorRate,
      abortWindowSeconds: limit?.windowSeconds,
      effect: 'no more faults in this execution environment',
    });
  }

  /** The agent never throws into the function: a failing decision is no fault. */
  function safeDecide(call: CallDescriptor): FaultDecision | undefined {
    try {
      return decide(call);
    } catch {
      return undefined;
    }
  }

  function enterInvocation(): Promise<void> | undefined {
    const decision = safeDecide(INVOCATION_CALL);
    if (decision === undefined) return undefined;
    const effect = invocationEffect(decision, random);
    if (effect === undefined) return undefined;
    injected(decision, undefined);
    if ('error' in effect) return Promise.reject(effect.error);
    return new Promise((resolve) => setTimeout(resolve, effect.waitMs));
  }

  function injected(decision: FaultDecision, span: Span | undefined): void {
    try {
      let attrs = attributes.get(decision);
      if (attrs === undefined) {
        attrs = faultAttributes(decision);
        attributes.set(decision, attrs);
      }
      // A response-time fault (corrupt) may run in the async context of a
      // pooled socket, not of the call: the span knows whose call it is.
      const current = currentInvocation();
      const inv = (span !== undefined ? invocationOfSpan(span) : undefined) ?? current;
      (span ?? inv?.span)?.addEvent('chaos.fault', attrs);
      if (inv !== undefined && inv !== current) runAsInvocation(inv, () => logger.warn('chaos fault injected', attrs));
      else logger.warn('chaos fault injected', attrs);
      if (inv !== undefined) inv.faultsInjected++;
    } catch {
      // visibility must never break the call it describes
    }
  }

  return {
    decide: safeDecide,
    enterInvocation,
    injected,
    afterInvocation(failed) {
      try {
        recordOutcome(failed);
      } catch {
        // the abort threshold is a safety net; it must not become a failure of its own
      }
    },
    stoppedBy: () => stoppedBy(current()),
    prepare(set) {
      if (compiled === undefined || compiled.set !== set) compiled = compile(set);
    },
  };
}
