// The local game day (docs/local-mode.md, the local mode): steady traffic, a baseline, a
// DynamoDB throttling rule at 50% on one function set through the chaos
// operations the CLI uses (same validation, same table writes), error rate and
// latency shown live, the rule cleared, recovery measured for the error rate
// and for latency, then one failed request's timeline across functions.
import type { OutStream, Painter } from '../common.js';
import { localUser } from '../chaos/callerIdentity.js';
import { clearRules, setRule, type SetRuleResult } from '../chaos/operations.js';
import type { RuleSpec } from '../chaos/ruleSpec.js';
import { toJsonLine } from '../logs/correlate.js';
import { findCorrelation } from '../logs/findCorrelation.js';
import { logDirSource } from '../logs/logDirSource.js';
import { renderCorrelation } from '../logs/renderCorrelation.js';
import type { RunLogDir } from './runLogDir.js';
import type { LocalStack } from './localStack.js';
import { localTableContext } from './localStack.js';
import { createStatusWriter } from './statusLine.js';
import { startTraffic, type TrafficOutcome } from './traffic.js';
import { ERROR_TOLERANCE } from '../report/recovery.js';
import { DEFAULT_LATENCY_TOLERANCE, measureRecovery, summarize, type Recovery, type WindowSummary } from './windowStats.js';

/** Recovery is judged over sliding windows this long. */
export const RECOVERY_WINDOW_MS = 2000;
/** The error rate counts as back when at most 2 points above the baseline's. */
export const ERROR_RATE_TOLERANCE = ERROR_TOLERANCE;

export interface GameDayOptions {
  readonly durationMs: number;
  readonly rps: number;
  /** The function whose DynamoDB calls are throttled. */
  readonly victim: string;
  readonly rate: number;
  readonly json: boolean;
  readonly paint: Painter;
  readonly out: OutStream;
  readonly interactive: boolean;
  /** Aborts the game day early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface GameDayResult {
  /** The rule as set, and the item the chaos operations validated and stored. */
  readonly rule: { scope: string; id: string; target: string; error: string; rate: number; item: SetRuleResult['item'] | undefined };
  readonly phases: { name: 'baseline' | 'chaos' | 'recovery'; fromMs: number; toMs: number; summary: WindowSummary }[];
  readonly requests: number;
  /** Error-rate recovery in ms (the same as recovery.errors.ms); undefined when it did not recover within the run. */
  readonly recoveryMs: number | undefined;
  /** Recovery of the error rate and of latency (p50, p99); undefined when the rule was never cleared. */
  readonly recovery: Recovery | undefined;
  /** The rule's window as set and cleared (epoch ms), with the recovery measured after the clear: what the report draws and shows. */
  readonly rules: { ruleId: string; setAtMs: number; clearedAtMs: number | undefined; recovery?: Recovery }[];
  /** The recovery windows' width (ms). */
  readonly recoveryWindowMs: number;
  /** When the traffic started and ended (epoch ms). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly failedTraceId: string | undefined;
  readonly coldStarts: number;
  readonly invocations: number;
}

type Phase = 'warm-up' | 'baseline' | 'chaos' | 'recovery';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });

const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
const ms = (x: number) => `${Math.round(x).toString().padStart(5)}ms`;
const secs = (x: number) => `${(x / 1000).toFixed(2)}s`;

export const GAMEDAY_RULE_ID = 'gameday-ddb-throttle';

/**
 * The game day's rule as `chaos set` flags (pure): `faultline chaos set <victim>
 * --target aws:dynamodb --fault error --error ProvisionedThroughputExceededException
 * --rate <rate> --for 15m --id gameday-ddb-throttle --note "local game day"`.
 */
export function gameDayRuleSpec(victim: string, rate: number): RuleSpec {
  return {
    scope: victim,
    target: 'aws:dynamodb',
    fault: 'error',
    error: 'ProvisionedThroughputExceededException',
    rate: String(rate),
    for: '15m',
    id: GAMEDAY_RULE_ID,
    note: 'local game day',
  };
}

/** The two recovery lines of the summary (pure). */
export function recoveryText(r: Recovery, p: Painter): string[] {
  const tol = r.latency.tolerance;
  const errors =
    r.errors.ms === null
      ? p.yellow('recovery, errors:  not within the run (the error rate never stayed back at the baseline)')
      : p.green(`recovery, errors:  ${secs(r.errors.ms)} from clearing the rule to the baseline error rate`) +
        p.dim(` (within ${(r.errors.tolerance * 100).toFixed(0)} points of ${pct(r.errors.baselineErrorRate).trim()})`);
  const one = (name: string, v: number | null) => `${name} ${v === null ? 'not within the run' : secs(v)}`;
  const latencyText = `recovery, latency: ${one('p50', r.latency.p50Ms)}, ${one('p99', r.latency.p99Ms)}`;
  const latency =
    (r.latency.ms === null ? p.yellow(latencyText) : p.green(latencyText)) +
    p.dim(
      ` (back within ${Math.round(tol.ratio * 100)}% or ${tol.floorMs} ms of the baseline, whichever is larger: ` +
        `p50 ≤ ${Math.round(r.latency.limitP50Ms)} ms, p99 ≤ ${Math.round(r.latency.limitP99Ms)} ms)`,
    );
  return [errors, latency];
}

export async function runGameDay(stack: LocalStack, opts: GameDayOptions): Promise<GameDayResult> {
  const { paint, out } = opts;
  const writer = createStatusWriter(out, paint, opts.interactive && !opts.json);
  const say = (line: string) => {
    if (!opts.json) writer.line(line);
  };
  const json = (value: Record<string, unknown>) => {
    if (opts.json) out.write(JSON.stringify(value) + '\n');
  };
  const ruleId = GAMEDAY_RULE_ID;
  const rule = { scope: opts.victim, id: ruleId, target: 'aws:dynamodb', error: 'ProvisionedThroughputExceededException', rate: opts.rate };
  let storedItem: SetRuleResult['item'] | undefined;
  // The rule table as the chaos commands would open it; closed in the finally below.
  const table = await localTableContext(stack.dynamo.endpoint);

  // Share of the duration: warm-up (environments scale out: cold starts) 15%, baseline 25%, chaos 25%, recovery 35%.
  const d = opts.durationMs;
  const plan = { warm: d * 0.15, baseline: d * 0.25, chaos: d * 0.25 };

  say(paint.bold(`faultline local game day: ${stack.functionNames.join(', ')} at ${opts.rps} requests/s for ${Math.round(d / 1000)}s`));
  say(paint.dim(`logs: ${stack.logDir}   front door: ${stack.gateway.apiUrl}/orders`));

  // One request first, alone, so every function's first environment starts before the steady traffic.
  say(paint.dim('priming: one request through every function (cold starts)…'));
  const primeStart = Date.now();
  const prime = await fetch(`${stack.gateway.apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'c-prime', amount: 1 }),
    signal: AbortSignal.timeout(60_000),
  }).then(
    async (r) => ((await r.arrayBuffer()), r.status),
    () => 0,
  );
  await stack.gateway.drain();
  say(paint.dim(`priming request answered ${prime || 'nothing'} in ${Date.now() - primeStart} ms`));

  const traffic = startTraffic({ url: `${stack.gateway.apiUrl}/orders`, rps: opts.rps, maxInflight: Math.max(8, Math.ceil(opts.rps * 2)) });
  const t0 = Date.now();
  let phase: Phase = 'warm-up';
  const marks: Record<string, number> = { start: t0 };

  const STATUS_WINDOW_MS = 3000;
  const ticker = setInterval(() => {
    if (opts.json) return;
    const now = Date.now();
    const w = summarize(traffic.outcomes, now - STATUS_WINDOW_MS, now);
    writer.status({
      elapsedMs: now - t0,
      phase,
      requestsPerSecond: w.requests / (STATUS_WINDOW_MS / 1000),
      errorRate: w.errorRate,
      p50Ms: w.p50Ms,
      p99Ms: w.p99Ms,
      inflight: traffic.inflight(),
      environments: stack.functionNames.map((f) => ({ name: f, count: stack.pool.environments(f).length })),
    });
  }, opts.interactive ? 500 : 2000);
  const newPhase = (p: Phase, note: string) => {
    phase = p;
    marks[p] = Date.now();
    say(paint.cyan(`── ${p}: ${note}`));
  };

  const clear = async () => {
    const cleared = await clearRules(table, { kind: 'ids', ids: [`${rule.scope}/${ruleId}`] });
    json({ type: 'chaos-clear', ...cleared });
    return cleared;
  };
  let ruleSet = false;
  const stopped = () => opts.signal?.aborted === true;
  try {
    // A labelled block: Ctrl-C (the signal) ends the phases early, the finally still cleans up.
    phases: {
      newPhase('warm-up', 'first requests start the execution environments (cold starts)');
      await sleep(plan.warm, opts.signal);
      if (stopped()) break phases;
      newPhase('baseline', 'steady traffic, no faults');
      await sleep(plan.baseline, opts.signal);
      if (stopped()) break phases;

      newPhase('chaos', `faultline chaos set ${rule.scope} --target ${rule.target} --fault error --error ${rule.error} --rate ${rule.rate} --for 15m --id ${ruleId}`);
      // The spec goes through validateRuleSpec and the table write exactly as `chaos set` flags do.
      const set = await setRule(table, gameDayRuleSpec(rule.scope, rule.rate), { createdBy: localUser(), knownFunctions: stack.functionNames });
      storedItem = set.item;
      ruleSet = true;
      marks.chaosSet = Date.now();
      json({ type: 'chaos-set', item: set.item });
      say(paint.green(`set rule ${set.rule.scope}/${set.rule.id}`));
      await sleep(plan.chaos, opts.signal);

      newPhase('recovery', `faultline chaos clear ${rule.scope}/${ruleId}`);
      const cleared = await clear();
      if (cleared.deleted.length === 0) throw new Error(`the rule ${rule.scope}/${ruleId} was not in the table when the game day cleared it`);
      ruleSet = false;
      marks.cleared = Date.now();
      say(paint.green(`cleared ${rule.scope}/${ruleId}`));
      if (!stopped()) await sleep(t0 + d - Date.now(), opts.signal);
    }
  } finally {
    clearInterval(ticker);
    writer.finish();
    // Interrupted or failed with the rule still standing: take it out, whatever happened.
    if (ruleSet) await clear().catch(() => undefined);
    table.client.destroy();
    await traffic.stop();
    await stack.gateway.drain();
  }
  return finish();

  function finish(): GameDayResult {
    const end = Date.now();
    const o: TrafficOutcome[] = traffic.outcomes;
    const phases: GameDayResult['phases'] = [];
    if (marks.baseline && marks.chaos) phases.push({ name: 'baseline', fromMs: marks.baseline, toMs: marks.chaos, summary: summarize(o, marks.baseline, marks.chaos) });
    if (marks.chaos && marks.recovery) phases.push({ name: 'chaos', fromMs: marks.chaos, toMs: marks.recovery, summary: summarize(o, marks.chaos, marks.recovery) });
    if (marks.recovery) phases.push({ name: 'recovery', fromMs: marks.recovery, toMs: end, summary: summarize(o, marks.recovery, end) });
    const baseline = phases.find((p) => p.name === 'baseline')?.summary;
    const recovery =
      marks.cleared && baseline
        ? measureRecovery(o, {
            clearedAtMs: marks.cleared,
            endMs: end,
            windowMs: RECOVERY_WINDOW_MS,
            baseline,
            errorTolerance: ERROR_RATE_TOLERANCE,
            latencyTolerance: DEFAULT_LATENCY_TOLERANCE,
          })
        : undefined;
    const failed = o.find((x) => !x.ok && x.status >= 500 && marks.chaos !== undefined && x.atMs >= marks.chaos);

    const result: GameDayResult = {
      rule: { ...rule, item: storedItem },
      phases,
      requests: o.length,
      recoveryMs: recovery?.errors.ms ?? undefined,
      recovery,
      rules: marks.chaosSet ? [{ ruleId, setAtMs: marks.chaosSet, clearedAtMs: marks.cleared, ...(recovery ? { recovery } : {}) }] : [],
      recoveryWindowMs: RECOVERY_WINDOW_MS,
      startedAtMs: primeStart,
      endedAtMs: end,
      failedTraceId: failed?.traceId,
      coldStarts: stack.counters.coldStarts,
      invocations: stack.counters.invocations,
    };

    say('');
    say(paint.bold('phase      requests  errors    p50      p99'));
    for (const p of phases) {
      say(`${p.name.padEnd(10)} ${String(p.summary.requests).padStart(8)}  ${pct(p.summary.errorRate)}  ${ms(p.summary.p50Ms)}  ${ms(p.summary.p99Ms)}`);
    }
    if (recovery) for (const line of recoveryText(recovery, paint)) say(line);
    return result;
  }
}

/** Prints one failed request's timeline across functions, as `faultline logs correlate` does; 0 when found. */
export async function printFailedTimeline(stack: LocalStack, traceId: string, json: boolean, out: OutStream, paint: Painter): Promise<number> {
  if (!json) out.write(`\nOne failed request, followed across functions: faultline logs correlate ${traceId} --source ${stack.logDir}\n\n`);
  const now = Date.now();
  try {
    const correlation = await findCorrelation({
      source: logDirSource(stack.logDir),
      functions: stack.functionNames,
      id: traceId,
      // The run's own directory holds this run only: an hour either side is everything in it.
      range: { startMs: now - 3_600_000, endMs: now + 60_000 },
    });
    if (json) for (const line of correlation.lines) out.write(JSON.stringify(toJsonLine(line)) + '\n');
    else out.write(renderCorrelation(correlation, paint));
    return 0;
  } catch (err) {
    process.stderr.write(`faultline local: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/**
 * Where this run's logs are and the commands that read them, printed last
 * (pure). Every command works as printed: it names the run's directory (or
 * `latest`), whose every function the log commands read.
 */
export function runPathsText(run: RunLogDir, traceId: string | undefined, p: Painter, shown: (path: string) => string = (x) => x): string {
  const source = shown(run.latest ?? run.dir);
  return [
    '',
    p.bold('Logs of this run: ') + shown(run.dir) + (run.latest ? p.dim(` (also ${shown(run.latest)}, the newest run)`) : ''),
    `  one file per execution environment: ${shown(run.dir)}/<function>/<date>-LATEST-<id>.log`,
    `  faultline logs correlate ${traceId ?? '<trace id>'} --source ${source}`,
    `  faultline coldstarts --source ${source}`,
    '',
  ].join('\n');
}
