// The pure core of `faultline coldstarts`: per function, how many
// invocations waited for an init, and how long inits took, by init type.
// Sources: Lambda's REPORT lines (text and JSON formats: `Init Duration`,
// `Restore Duration` for SnapStart) and the agent's EMF documents
// (`ColdStart`, `InitDuration`, `initType`), merged by request id.
import type { ParsedRecord } from './records.js';
import { percentile } from '../percentile.js';

export const INIT_TYPES = ['on-demand', 'provisioned-concurrency', 'snap-start', 'lambda-managed-instances'] as const;
export type InitTypeName = (typeof INIT_TYPES)[number];

export interface DurationStats {
  readonly count: number;
  readonly p50: number | undefined;
  readonly p95: number | undefined;
  readonly p99: number | undefined;
  readonly max: number | undefined;
}

export interface FunctionColdStarts {
  readonly function: string;
  readonly invocations: number;
  /** Inits a caller waited for (on-demand and SnapStart restores). */
  readonly coldStarts: number;
  /** coldStarts / invocations, 0..1. */
  readonly share: number;
  readonly initDuration: DurationStats;
  readonly byInitType: Partial<Record<InitTypeName, DurationStats>>;
}

export { percentile };

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] };
}

interface Init {
  initType: InitTypeName | undefined;
  /** Lambda's own figure wins over the agent's. */
  platformMs: number | undefined;
  agentMs: number | undefined;
  callerWaited: boolean;
}

const isInitType = (v: string | undefined): v is InitTypeName => v !== undefined && (INIT_TYPES as readonly string[]).includes(v);

class FunctionTally {
  reports = 0;
  metrics = 0;
  /** Only inits are kept per request id: memory follows cold starts, not invocations. */
  readonly inits = new Map<string, Init>();

  init(requestId: string): Init {
    let i = this.inits.get(requestId);
    if (!i) this.inits.set(requestId, (i = { initType: undefined, platformMs: undefined, agentMs: undefined, callerWaited: false }));
    return i;
  }
}

/** Feed it records in any order; `result()` any time. */
export class ColdStartTally {
  readonly #fns = new Map<string, FunctionTally>();

  constructor(functions: readonly string[] = []) {
    for (const f of functions) this.#fns.set(f, new FunctionTally());
  }

  #fn(name: string): FunctionTally {
    let t = this.#fns.get(name);
    if (!t) this.#fns.set(name, (t = new FunctionTally()));
    return t;
  }

  add(rec: ParsedRecord): void {
    if (rec.kind === 'platform' && rec.event === 'report' && rec.report) {
      const t = this.#fn(rec.function);
      t.reports++;
      const { initDurationMs, restoreDurationMs } = rec.report;
      if (rec.requestId === undefined || (initDurationMs === undefined && restoreDurationMs === undefined)) return;
      const i = t.init(rec.requestId);
      if (restoreDurationMs !== undefined) {
        i.initType = 'snap-start';
        i.platformMs = restoreDurationMs;
      } else {
        i.initType ??= 'on-demand';
        i.platformMs = initDurationMs;
      }
      i.callerWaited = true;
    } else if (rec.kind === 'metric') {
      const t = this.#fn(rec.function);
      t.metrics++;
      if (rec.requestId === undefined || (!rec.coldStart && rec.initDurationMs === undefined)) return;
      const i = t.init(rec.requestId);
      if (isInitType(rec.initType)) i.initType = i.initType === 'snap-start' ? 'snap-start' : rec.initType;
      else i.initType ??= 'on-demand';
      i.agentMs = rec.initDurationMs;
      if (rec.coldStart) i.callerWaited = true;
    }
  }

  result(): FunctionColdStarts[] {
    const out: FunctionColdStarts[] = [];
    for (const [name, t] of [...this.#fns].sort(([a], [b]) => a.localeCompare(b))) {
      // REPORT and EMF both describe every invocation: count whichever saw more.
      const invocations = Math.max(t.reports, t.metrics);
      const all: number[] = [];
      const byType = new Map<InitTypeName, number[]>();
      let coldStarts = 0;
      for (const i of t.inits.values()) {
        const type = i.initType ?? 'on-demand';
        // Provisioned concurrency inits ahead of traffic: nobody waited.
        const waited = type === 'provisioned-concurrency' || type === 'lambda-managed-instances' ? false : i.callerWaited || type === 'snap-start';
        if (waited) coldStarts++;
        const ms = i.platformMs ?? i.agentMs;
        if (ms === undefined) continue;
        const list = byType.get(type) ?? [];
        list.push(ms);
        byType.set(type, list);
        if (waited) all.push(ms);
      }
      const byInitType: Partial<Record<InitTypeName, DurationStats>> = {};
      for (const type of INIT_TYPES) {
        const v = byType.get(type);
        if (v) byInitType[type] = durationStats(v);
      }
      out.push({
        function: name,
        invocations,
        coldStarts,
        share: invocations === 0 ? 0 : coldStarts / invocations,
        initDuration: durationStats(all),
        byInitType,
      });
    }
    return out;
  }
}

/** Raw-text terms that find every line the tally needs (REPORT lines and EMF documents). */
export const COLD_START_TERMS = ['REPORT RequestId:', '"platform.report"', '"_aws"'];
