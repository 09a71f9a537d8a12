// Game-day scenario files (YAML or JSON): timed steps that set rules, hold,
// and clear, with abort conditions and the recovery check. Parsing is pure and
// checks everything — every rule through the agent's validator — before a
// run writes anything.
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../src/chaos/duration.js';
import { RULE_SPEC_KEYS, validateRuleSpec, type RuleSpec } from './ruleSpec.js';

export interface ScenarioStep {
  readonly name: string;
  /** Rules to set when the step starts. */
  readonly set: readonly RuleSpec[];
  readonly holdMs: number;
  /** After the hold: these ids (set by this or an earlier step), every rule the scenario set, or nothing. */
  readonly clear: 'all' | readonly string[] | undefined;
}

export interface AbortConditions {
  readonly errorRate: number | undefined;
  readonly p99LatencyMs: number | undefined;
  /** Fewer invocations than this in a sample never abort (one failure is not a trend). */
  readonly minInvocations: number;
}

export interface RecoveryCriteria {
  /** Give up measuring after this long. */
  readonly timeoutMs: number;
  /** Healthy: error rate at most baseline + this. */
  readonly errorRateTolerance: number;
  /** Healthy: p99 at most max(baseline p99 × factor, baseline p99 + slack). */
  readonly latencyFactor: number;
  readonly latencySlackMs: number;
  /** Consecutive healthy samples needed to call it recovered. */
  readonly confirmSamples: number;
}

export interface Scenario {
  readonly name: string;
  /** Functions whose telemetry is measured; default: the scopes the rules name. */
  readonly functions: readonly string[] | undefined;
  /** The baseline is the window this long before the first step. */
  readonly baselineMs: number;
  readonly sampleEveryMs: number;
  readonly abort: AbortConditions | undefined;
  readonly recovery: RecoveryCriteria;
  readonly steps: readonly ScenarioStep[];
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function durationAt(value: unknown, where: string, errors: string[], fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch {
      /* reported below */
    }
  }
  errors.push(`${where}=${JSON.stringify(value)}: expected a duration such as 30s, 2m or 500ms (or milliseconds)`);
  return undefined;
}

function numberAt(value: unknown, where: string, errors: string[], expected: string, ok: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && ok(value)) return value;
  errors.push(`${where}=${JSON.stringify(value)}: expected ${expected}`);
  return undefined;
}

function stringList(value: unknown, where: string, errors: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  errors.push(`${where}=${JSON.stringify(value)}: expected a list of names`);
  return undefined;
}

function ruleSpecAt(value: unknown, where: string, errors: string[], nowMs: number): RuleSpec | undefined {
  if (!isObj(value)) {
    errors.push(`${where}: expected a rule such as { scope: orders, target: "aws:dynamodb", fault: error, error: ThrottlingException }`);
    return undefined;
  }
  const unknown = Object.keys(value).filter((k) => !(RULE_SPEC_KEYS as readonly string[]).includes(k) && k !== 'headers');
  if (unknown.length > 0) {
    errors.push(`${where}: unknown key ${unknown.join(', ')}: expected ${RULE_SPEC_KEYS.join(', ')}`);
    return undefined;
  }
  const { headers, ...rest } = value;
  const spec = { ...rest, ...(headers !== undefined ? { header: headers } : {}) } as unknown as RuleSpec;
  if (typeof spec.scope !== 'string' || spec.scope === '') {
    errors.push(`${where}.scope: required (a function name, or "*" for every function)`);
    return undefined;
  }
  try {
    validateRuleSpec(spec, { nowMs, createdBy: 'scenario', nameOf: (k) => `${where}.${k}` });
  } catch (err) {
    errors.push((err as Error).message);
    return undefined;
  }
  return spec;
}

/** Pure: a parsed YAML/JSON document → Scenario. Throws ScenarioError listing every problem. */
export function scenarioFromDocument(doc: unknown, nowMs = Date.now()): Scenario {
  const errors: string[] = [];
  if (!isObj(doc)) throw new ScenarioError('expected a scenario object with steps: [...]');
  const known = ['name', 'functions', 'baseline', 'sampleEvery', 'abort', 'recovery', 'steps'];
  const unknownTop = Object.keys(doc).filter((k) => !known.includes(k));
  if (unknownTop.length) errors.push(`unknown key ${unknownTop.join(', ')}: expected ${known.join(', ')}`);

  const name = typeof doc.name === 'string' && doc.name !== '' ? doc.name : 'scenario';
  const functions = stringList(doc.functions, 'functions', errors);
  const baselineMs = durationAt(doc.baseline, 'baseline', errors, 30_000) ?? 30_000;
  const sampleEveryMs = durationAt(doc.sampleEvery, 'sampleEvery', errors, 5_000) ?? 5_000;
  if (sampleEveryMs <= 0) errors.push(`sampleEvery=${JSON.stringify(doc.sampleEvery)}: expected a duration above zero`);

  let abort: AbortConditions | undefined;
  if (doc.abort !== undefined) {
    if (!isObj(doc.abort)) errors.push('abort: expected { errorRate: 0.5, p99LatencyMs: 3000 }');
    else {
      const a = doc.abort;
      const errorRate = numberAt(a.errorRate, 'abort.errorRate', errors, 'a number above 0 and at most 1', (n) => n > 0 && n <= 1);
      const p99LatencyMs = numberAt(a.p99LatencyMs, 'abort.p99LatencyMs', errors, 'milliseconds above 0', (n) => n > 0);
      const minInvocations =
        numberAt(a.minInvocations, 'abort.minInvocations', errors, 'a whole number of at least 1', (n) => Number.isInteger(n) && n >= 1) ?? 5;
      const extra = Object.keys(a).filter((k) => !['errorRate', 'p99LatencyMs', 'minInvocations'].includes(k));
      if (extra.length) errors.push(`abort: unknown key ${extra.join(', ')}: expected errorRate, p99LatencyMs, minInvocations`);
      if (errorRate === undefined && p99LatencyMs === undefined && a.errorRate === undefined && a.p99LatencyMs === undefined) {
        errors.push('abort: expected errorRate and/or p99LatencyMs');
      }
      abort = { errorRate, p99LatencyMs, minInvocations };
    }
  }

  const r = isObj(doc.recovery) ? doc.recovery : {};
  if (doc.recovery !== undefined && !isObj(doc.recovery)) errors.push('recovery: expected { timeout: 5m, errorRateTolerance: 0.05 }');
  const recovery: RecoveryCriteria = {
    timeoutMs: durationAt(r.timeout, 'recovery.timeout', errors, 300_000) ?? 300_000,
    errorRateTolerance:
      numberAt(r.errorRateTolerance, 'recovery.errorRateTolerance', errors, 'a number between 0 and 1', (n) => n >= 0 && n <= 1) ?? 0.05,
    latencyFactor: numberAt(r.latencyFactor, 'recovery.latencyFactor', errors, 'a number of at least 1', (n) => n >= 1) ?? 1.5,
    latencySlackMs: numberAt(r.latencySlackMs, 'recovery.latencySlackMs', errors, 'milliseconds, 0 or more', (n) => n >= 0) ?? 50,
    confirmSamples:
      numberAt(r.confirmSamples, 'recovery.confirmSamples', errors, 'a whole number of at least 1', (n) => Number.isInteger(n) && n >= 1) ?? 2,
  };

  const steps: ScenarioStep[] = [];
  const knownIds = new Set<string>();
  if (!Array.isArray(doc.steps) || doc.steps.length === 0) errors.push('steps: expected a list of { name, set, hold, clear }');
  else {
    doc.steps.forEach((raw: unknown, i: number) => {
      const where = `steps[${i}]`;
      if (!isObj(raw)) return void errors.push(`${where}: expected { name, set, hold, clear }`);
      const extra = Object.keys(raw).filter((k) => !['name', 'set', 'hold', 'clear'].includes(k));
      if (extra.length) errors.push(`${where}: unknown key ${extra.join(', ')}: expected name, set, hold, clear`);
      const stepName = typeof raw.name === 'string' && raw.name !== '' ? raw.name : `step ${i + 1}`;
      const setList = raw.set === undefined ? [] : Array.isArray(raw.set) ? raw.set : [raw.set];
      const set: RuleSpec[] = [];
      setList.forEach((s: unknown, j: number) => {
        const spec = ruleSpecAt(s, `${where}.set[${j}]`, errors, nowMs);
        if (spec) {
          set.push(spec);
          if (spec.id) knownIds.add(spec.id);
        }
      });
      const holdMs = durationAt(raw.hold, `${where}.hold`, errors, 0) ?? 0;
      let clear: ScenarioStep['clear'];
      if (raw.clear === 'all') clear = 'all';
      else if (raw.clear !== undefined) {
        const ids = stringList(raw.clear, `${where}.clear`, errors) ?? [];
        for (const id of ids) {
          if (!knownIds.has(id)) errors.push(`${where}.clear: ${id} is not the id of a rule set by this or an earlier step (give that rule an id:)`);
        }
        clear = ids;
      }
      steps.push({ name: stepName, set, holdMs, clear });
    });
  }
  if (errors.length > 0) throw new ScenarioError(errors.join('; '));
  return { name, functions, baselineMs, sampleEveryMs, abort, recovery, steps };
}

/** YAML (a superset of JSON) text → Scenario. */
export function parseScenario(text: string, nowMs = Date.now()): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return scenarioFromDocument(doc, nowMs);
}

/** The functions a run measures: the scenario's list, else the scopes its rules name (undefined: all). */
export function measuredFunctions(s: Scenario): readonly string[] | undefined {
  if (s.functions) return s.functions;
  const scopes = new Set(s.steps.flatMap((step) => step.set.map((r) => r.scope)));
  if (scopes.has('*') || scopes.size === 0) return undefined;
  return [...scopes].sort();
}

/** Long enough that no rule outlives a crashed run by much: every hold, the recovery wait and a margin. */
export function safetyExpiryMs(s: Scenario): number {
  return s.steps.reduce((sum, step) => sum + step.holdMs, 0) + s.recovery.timeoutMs + 5 * 60_000;
}
