// Runs a game-day scenario: baseline, then each step (set rules, hold while
// watching the abort conditions, clear), then the recovery time until the
// functions are back to their baseline. Time, telemetry and the rule table are
// injected, so the local game day and the tests drive it without waiting.
import type { ItemKey } from './ruleTable.js';
import type { RuleSpec } from './ruleSpec.js';
import { MAX_RULE_FOR_MS } from './ruleSpec.js';
import { measuredFunctions, safetyExpiryMs, type Scenario, type ScenarioStep } from './scenario.js';
import type { TelemetrySample, TelemetrySource } from './telemetrySource.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Where a scenario's rules are written; `tableRuleStore` is the DynamoDB one. */
export interface ScenarioRuleStore {
  /** Writes one rule; `defaultFor` is the expiry to use when the spec has none. */
  set(spec: RuleSpec, nowMs: number): Promise<ItemKey>;
  clear(keys: readonly ItemKey[]): Promise<void>;
}

export interface ScenarioDeps {
  readonly source: TelemetrySource;
  readonly rules: ScenarioRuleStore;
  readonly clock?: Clock;
  /** Aborts the run (Ctrl-C): rules are cleared and recovery is still measured. */
  readonly signal?: AbortSignal;
}

export interface StepReport {
  readonly name: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly rules: readonly ItemKey[];
  readonly sample: TelemetrySample;
}

export interface RecoveryReport {
  readonly recovered: boolean;
  /** From the moment the last fault was cleared to the first of the confirming healthy samples. */
  readonly recoveryMs: number | undefined;
  readonly clearedAtMs: number;
  readonly sample: TelemetrySample | undefined;
}

export interface ScenarioResult {
  readonly name: string;
  readonly functions: readonly string[] | undefined;
  readonly baseline: TelemetrySample;
  readonly steps: readonly StepReport[];
  readonly aborted: { readonly step: string; readonly reason: string } | undefined;
  readonly recovery: RecoveryReport;
}

export type ScenarioEvent =
  | { readonly type: 'baseline'; readonly atMs: number; readonly sample: TelemetrySample }
  | { readonly type: 'step-start'; readonly atMs: number; readonly step: string; readonly index: number; readonly rules: readonly ItemKey[] }
  | { readonly type: 'sample'; readonly atMs: number; readonly step: string; readonly sample: TelemetrySample }
  | { readonly type: 'abort'; readonly atMs: number; readonly step: string; readonly reason: string }
  | { readonly type: 'cleared'; readonly atMs: number; readonly rules: readonly ItemKey[] }
  | { readonly type: 'step-end'; readonly atMs: number; readonly report: StepReport }
  | { readonly type: 'recovery-sample'; readonly atMs: number; readonly sample: TelemetrySample; readonly healthy: boolean }
  | { readonly type: 'done'; readonly atMs: number; readonly result: ScenarioResult };

const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

/** Pure: why this sample trips the abort conditions, if it does. */
export function abortReason(s: TelemetrySample, scenario: Scenario): string | undefined {
  const a = scenario.abort;
  if (!a || s.invocations < a.minInvocations) return undefined;
  if (a.errorRate !== undefined && s.errorRate !== undefined && s.errorRate >= a.errorRate) {
    return `error rate ${pct(s.errorRate)} reached the abort threshold ${pct(a.errorRate)} (${s.errors}/${s.invocations} invocations)`;
  }
  if (a.p99LatencyMs !== undefined && s.p99Ms !== undefined && s.p99Ms >= a.p99LatencyMs) {
    return `p99 latency ${Math.round(s.p99Ms)} ms reached the abort threshold ${a.p99LatencyMs} ms`;
  }
  return undefined;
}

/** Pure: is this sample back to the baseline? undefined when it holds no invocations (no evidence either way). */
export function isHealthy(s: TelemetrySample, baseline: TelemetrySample, scenario: Scenario): boolean | undefined {
  if (s.invocations === 0) return undefined;
  const c = scenario.recovery;
  const errorOk = (s.errorRate ?? 0) <= (baseline.errorRate ?? 0) + c.errorRateTolerance;
  const latencyOk =
    baseline.p99Ms === undefined ||
    s.p99Ms === undefined ||
    s.p99Ms <= Math.max(baseline.p99Ms * c.latencyFactor, baseline.p99Ms + c.latencySlackMs);
  return errorOk && latencyOk;
}

const keyText = (k: ItemKey) => `${k.scope}/${k.id}`;

/**
 * Runs the scenario, yielding progress as it goes; the last event is `done`
 * with the result (also the generator's return value). Every rule the scenario
 * set is cleared before it ends, whatever happens.
 */
export async function* runScenario(scenario: Scenario, deps: ScenarioDeps): AsyncGenerator<ScenarioEvent, ScenarioResult> {
  const clock = deps.clock ?? systemClock;
  const functions = measuredFunctions(scenario);
  const active = new Map<string, ItemKey>();
  const steps: StepReport[] = [];
  const defaultFor = `${Math.ceil(Math.min(safetyExpiryMs(scenario), MAX_RULE_FOR_MS) / 1000)}s`;
  let aborted: ScenarioResult['aborted'];
  const interrupted = () => (deps.signal?.aborted ? 'interrupted' : undefined);

  const clearKeys = async function* (keys: ItemKey[]): AsyncGenerator<ScenarioEvent, void> {
    if (keys.length === 0) return;
    await deps.rules.clear(keys);
    for (const k of keys) active.delete(keyText(k));
    yield { type: 'cleared', atMs: clock.now(), rules: keys };
  };

  const startMs = clock.now();
  const baseline = await deps.source.sample(startMs - scenario.baselineMs, startMs, functions);
  yield { type: 'baseline', atMs: startMs, sample: baseline };

  let lastClearMs = startMs;
  try {
    for (const [index, step] of scenario.steps.entries()) {
      const reason = interrupted();
      if (reason) {
        aborted = { step: step.name, reason };
        break;
      }
      const stepStart = clock.now();
      const setKeys: ItemKey[] = [];
      for (const spec of step.set) {
        const key = await deps.rules.set({ ...spec, for: spec.for ?? defaultFor }, clock.now());
        active.set(keyText(key), key);
        setKeys.push(key);
      }
      yield { type: 'step-start', atMs: stepStart, step: step.name, index, rules: setKeys };

      const stepEnd = stepStart + step.holdMs;
      for (let now = clock.now(); now < stepEnd; now = clock.now()) {
        await clock.sleep(Math.min(scenario.sampleEveryMs, stepEnd - now), deps.signal);
        const t = clock.now();
        const stop = interrupted();
        if (stop) {
          aborted = { step: step.name, reason: stop };
          break;
        }
        const recent = await deps.source.sample(Math.max(stepStart, t - scenario.sampleEveryMs), t, functions);
        yield { type: 'sample', atMs: t, step: step.name, sample: recent };
        const why = abortReason(recent, scenario);
        if (why) {
          aborted = { step: step.name, reason: why };
          break;
        }
      }
      const endedAt = clock.now();
      if (aborted) yield { type: 'abort', atMs: endedAt, step: step.name, reason: aborted.reason };

      const toClear = aborted ? [...active.values()] : keysToClear(step, active);
      if (toClear.length > 0) {
        yield* clearKeys(toClear);
        lastClearMs = clock.now();
      }
      const report: StepReport = {
        name: step.name,
        startedAtMs: stepStart,
        endedAtMs: endedAt,
        rules: setKeys,
        sample: await deps.source.sample(stepStart, endedAt, functions),
      };
      steps.push(report);
      yield { type: 'step-end', atMs: endedAt, report };
      if (aborted) break;
    }
    if (active.size > 0) {
      yield* clearKeys([...active.values()]);
      lastClearMs = clock.now();
    }
  } finally {
    // A failure mid-run (table unreachable, source error) must not leave faults behind.
    if (active.size > 0) await deps.rules.clear([...active.values()]).catch(() => undefined);
  }

  const recovery = yield* measureRecovery(scenario, deps, clock, functions, baseline, lastClearMs);
  const result: ScenarioResult = { name: scenario.name, functions, baseline, steps, aborted, recovery };
  yield { type: 'done', atMs: clock.now(), result };
  return result;
}

function keysToClear(step: ScenarioStep, active: ReadonlyMap<string, ItemKey>): ItemKey[] {
  if (step.clear === undefined) return [];
  if (step.clear === 'all') return [...active.values()];
  const ids = new Set(step.clear);
  return [...active.values()].filter((k) => ids.has(k.id));
}

/**
 * Samples back-to-back windows of `sampleEvery` from the last clear; recovered
 * once `confirmSamples` non-empty windows in a row are healthy. Empty windows
 * neither confirm nor break a run of healthy ones.
 */
async function* measureRecovery(
  scenario: Scenario,
  deps: ScenarioDeps,
  clock: Clock,
  functions: readonly string[] | undefined,
  baseline: TelemetrySample,
  clearedAtMs: number,
): AsyncGenerator<ScenarioEvent, RecoveryReport> {
  const { timeoutMs, confirmSamples } = scenario.recovery;
  const width = scenario.sampleEveryMs;
  let windowStart = clearedAtMs;
  let healthyRunStart: number | undefined;
  let healthyCount = 0;
  let last: TelemetrySample | undefined;
  while (windowStart < clearedAtMs + timeoutMs) {
    const windowEnd = windowStart + width;
    const now = clock.now();
    if (now < windowEnd) {
      if (deps.signal?.aborted) break;
      await clock.sleep(windowEnd - now, deps.signal);
      continue;
    }
    const sample = await deps.source.sample(windowStart, windowEnd, functions);
    const healthy = isHealthy(sample, baseline, scenario);
    if (healthy !== undefined) yield { type: 'recovery-sample', atMs: windowEnd, sample, healthy };
    if (healthy === true) {
      healthyRunStart ??= windowStart;
      healthyCount++;
      last = sample;
      if (healthyCount >= confirmSamples) {
        return { recovered: true, recoveryMs: healthyRunStart - clearedAtMs, clearedAtMs, sample: last };
      }
    } else if (healthy === false) {
      healthyRunStart = undefined;
      healthyCount = 0;
      last = sample;
    }
    windowStart = windowEnd;
  }
  return { recovered: false, recoveryMs: undefined, clearedAtMs, sample: last };
}

/** Runs to the end, handing each event to `onEvent`; for callers that want only the result. */
export async function runScenarioToEnd(
  scenario: Scenario,
  deps: ScenarioDeps,
  onEvent: (e: ScenarioEvent) => void = () => undefined,
): Promise<ScenarioResult> {
  const run = runScenario(scenario, deps);
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
    onEvent(next.value);
  }
}
