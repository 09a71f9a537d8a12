// The local game day (README "Two commands", the local mode): steady traffic, a baseline, a
// DynamoDB throttling rule at 50% on one function set through the real CLI
// code path, error rate and latency shown live, the rule cleared, the
// recovery time measured, then one failed request's timeline across
// functions printed by `logs correlate`.
import { runCli } from '../program.js';
import type { Painter } from '../common.js';
import type { LocalStack } from './localStack.js';
import { LOCAL_RULE_TABLE } from './localStack.js';
import { startTraffic, type TrafficOutcome } from './traffic.js';
import { recoveryTime, summarize, type WindowSummary } from './windowStats.js';

export interface GameDayOptions {
  readonly durationMs: number;
  readonly rps: number;
  /** The function whose DynamoDB calls are throttled. */
  readonly victim: string;
  readonly rate: number;
  readonly json: boolean;
  readonly paint: Painter;
  readonly out: NodeJS.WritableStream;
  readonly interactive: boolean;
  /** Aborts the game day early (Ctrl-C). */
  readonly signal?: AbortSignal;
}

export interface GameDayResult {
  readonly rule: { scope: string; id: string; target: string; error: string; rate: number };
  readonly phases: { name: 'baseline' | 'chaos' | 'recovery'; fromMs: number; toMs: number; summary: WindowSummary }[];
  readonly requests: number;
  /** ms from clearing the rule until the error rate was back at the baseline; undefined when it never was. */
  readonly recoveryMs: number | undefined;
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

export async function runGameDay(stack: LocalStack, opts: GameDayOptions): Promise<GameDayResult> {
  const { paint, out } = opts;
  const say = (line: string) => {
    if (!opts.json) out.write(line + '\n');
  };
  const ruleId = 'gameday-ddb-throttle';
  const rule = { scope: opts.victim, id: ruleId, target: 'aws:dynamodb', error: 'ProvisionedThroughputExceededException', rate: opts.rate };

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

  const ticker = setInterval(() => {
    if (opts.json) return;
    const now = Date.now();
    const w = summarize(traffic.outcomes, now - 3000, now);
    const envs = stack.functionNames.map((f) => `${f}×${stack.pool.environments(f).length}`).join(' ');
    const errColour = w.errorRate > 0.05 ? paint.red : w.errorRate > 0 ? paint.yellow : paint.green;
    const line =
      `[${String(Math.round((now - t0) / 1000)).padStart(3)}s] ${phase.padEnd(8)} ` +
      `${(w.requests / 3).toFixed(1).padStart(5)} req/s  errors ${errColour(pct(w.errorRate))}  ` +
      `p50 ${ms(w.p50Ms)}  p99 ${ms(w.p99Ms)}  in flight ${String(traffic.inflight()).padStart(3)}  envs ${envs}`;
    if (opts.interactive) out.write(`\r\x1b[K${line}`);
    else out.write(line + '\n');
  }, opts.interactive ? 500 : 2000);
  const newPhase = (p: Phase, note: string) => {
    phase = p;
    marks[p] = Date.now();
    if (opts.interactive && !opts.json) out.write('\n');
    say(paint.cyan(`── ${p}: ${note}`));
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

      newPhase('chaos', `faultline chaos set ${rule.scope} --target ${rule.target} --fault error --error ${rule.error} --rate ${rule.rate}`);
      const setCode = await runCli([
        'chaos', 'set', rule.scope,
        '--target', rule.target, '--fault', 'error', '--error', rule.error,
        '--rate', String(rule.rate), '--for', '15m', '--id', ruleId,
        '--note', 'local game day', '--table', LOCAL_RULE_TABLE, ...(opts.json ? ['--json'] : []),
      ]);
      if (setCode !== 0) throw new Error(`faultline chaos set failed (exit ${setCode})`);
      ruleSet = true;
      marks.chaosSet = Date.now();
      await sleep(plan.chaos, opts.signal);

      newPhase('recovery', `faultline chaos clear ${rule.scope}/${ruleId}`);
      const clearCode = await runCli(['chaos', 'clear', `${rule.scope}/${ruleId}`, '--table', LOCAL_RULE_TABLE, ...(opts.json ? ['--json'] : [])]);
      if (clearCode !== 0) throw new Error(`faultline chaos clear failed (exit ${clearCode})`);
      ruleSet = false;
      marks.cleared = Date.now();
      if (!stopped()) await sleep(t0 + d - Date.now(), opts.signal);
    }
  } finally {
    clearInterval(ticker);
    if (opts.interactive && !opts.json) out.write('\n');
    // Interrupted or failed with the rule still standing: take it out, whatever happened.
    if (ruleSet) await runCli(['chaos', 'clear', `${rule.scope}/${ruleId}`, '--table', LOCAL_RULE_TABLE, '--json']).catch(() => 1);
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
    const recoveryMs =
      marks.cleared && baseline
        ? recoveryTime(o, { clearedAtMs: marks.cleared, endMs: end, baselineErrorRate: baseline.errorRate, windowMs: 2000, tolerance: 0.02 })
        : undefined;
    const failed = o.find((x) => !x.ok && x.status >= 500 && marks.chaos !== undefined && x.atMs >= marks.chaos);
    const lastFailure = marks.cleared ? o.filter((x) => !x.ok && x.atMs >= marks.cleared!).at(-1) : undefined;

    const result: GameDayResult = {
      rule,
      phases,
      requests: o.length,
      recoveryMs,
      failedTraceId: failed?.traceId,
      coldStarts: stack.counters.coldStarts,
      invocations: stack.counters.invocations,
    };

    say('');
    say(paint.bold('phase      requests  errors    p50      p99'));
    for (const p of phases) {
      say(`${p.name.padEnd(10)} ${String(p.summary.requests).padStart(8)}  ${pct(p.summary.errorRate)}  ${ms(p.summary.p50Ms)}  ${ms(p.summary.p99Ms)}`);
    }
    say(
      recoveryMs === undefined
        ? paint.yellow('recovery: the error rate did not return to the baseline before the end of the run')
        : paint.green(`recovery time: ${(recoveryMs / 1000).toFixed(2)}s from clearing the rule to the baseline error rate`) +
            (lastFailure ? paint.dim(` (last failed request started ${((lastFailure.atMs - marks.cleared!) / 1000).toFixed(2)}s after the clear)`) : paint.dim(' (no request started after the clear failed)')),
    );
    return result;
  }
}

/** Prints one failed request's timeline across functions with the real `logs correlate`. */
export async function printFailedTimeline(stack: LocalStack, traceId: string, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  if (!json) out.write(`\nOne failed request, followed across functions: faultline logs correlate ${traceId} --source ${stack.logDir}\n\n`);
  return runCli(['logs', 'correlate', traceId, '--source', stack.logDir, '--functions', stack.functionNames.join(','), ...(json ? ['--json'] : [])]);
}
