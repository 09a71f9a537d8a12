// Pure: parsed log records in, the game-day report out. Records may arrive in
// any order (CloudWatch interleaves streams) and number in the millions: what
// is held is one small entry per invocation (merged from its REPORT, EMF and
// span lines) and per-rule tallies, never the lines; at the end the
// invocations fall into time buckets (counts and a log histogram per cell)
// that widen to stay under `maxBuckets`.
import { ColdStartTally } from '../logs/coldStarts.js';
import type { ParsedRecord } from '../logs/records.js';
import { percentile } from '../percentile.js';
import { LatencyHistogram } from './histogram.js';
import type { GameDayReport, Recovery, RequestRef, RuleBand, RuleWindow, Series } from './model.js';
import { recoveryFrom, type Outcome } from './recovery.js';

export interface AggregatorOptions {
  readonly functions: readonly string[];
  readonly range: { readonly startMs: number; readonly endMs: number };
  readonly title?: string;
  readonly source?: string;
  /** Rule windows from the rules' audit fields; rules seen only in telemetry get a band from their first to last fault. */
  readonly rules?: readonly RuleWindow[];
  readonly maxBuckets?: number;
  /** How many slowest and failed requests to list. */
  readonly top?: number;
  /** Recovery window; default max(2 s, one bucket). */
  readonly recoveryWindowMs?: number;
}

/** Bucket widths in seconds; each divides the next, so widening merges whole buckets. */
const WIDTHS_S = [1, 2, 10, 30, 60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400];
const widthAt = (i: number): number => (i < WIDTHS_S.length ? WIDTHS_S[i]! : WIDTHS_S.at(-1)! * 2 ** (i - WIDTHS_S.length + 1)) * 1000;

/** Recovery is looked for this long after a clear at most (or 40 windows, if longer). */
const MAX_RECOVERY_OBSERVATION_MS = 15 * 60_000;

interface Cell {
  requests: number;
  errors: number;
  coldStarts: number;
  faults: number;
  latency: LatencyHistogram;
}

const newCell = (): Cell => ({ requests: 0, errors: 0, coldStarts: 0, faults: 0, latency: new LatencyHistogram() });

function mergeCell(into: Cell, c: Cell): void {
  into.requests += c.requests;
  into.errors += c.errors;
  into.coldStarts += c.coldStarts;
  into.faults += c.faults;
  into.latency.merge(c.latency);
}

interface Pending {
  function: string;
  requestId: string;
  traceId: string | undefined;
  startMs: number | undefined;
  endMs: number | undefined;
  durationMs: number | undefined;
  /** REPORT's duration. */
  reportMs: number | undefined;
  error: boolean;
  coldStart: boolean;
  faultMarks: number;
  metricFaults: number;
  evidence: boolean;
  sawReport: boolean;
}

interface RuleTally {
  first: number;
  last: number;
  faults: number;
  kinds: Set<string>;
  functions: Set<string>;
}

/** A rule id as the agent reports it may carry the scope (`scope/id`) or not. */
export function sameRule(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

export class ReportAggregator {
  readonly #opts: AggregatorOptions;
  readonly #maxBuckets: number;
  readonly #top: number;
  #widthIndex = 0;
  /** Per function: bucket index → cell. */
  #cells = new Map<string, Map<number, Cell>>();
  #minIdx = Infinity;
  #maxIdx = -Infinity;
  readonly #pending = new Map<string, Pending>();
  readonly #reportingFunctions = new Set<string>();
  readonly #outcomes: Outcome[] = [];
  readonly #slowest: RequestRef[] = [];
  readonly #failed: RequestRef[] = [];
  #failedTotal = 0;
  readonly #rules = new Map<string, RuleTally>();
  readonly #coldStarts: ColdStartTally;
  readonly #wanted: ReadonlySet<string>;

  constructor(opts: AggregatorOptions) {
    this.#opts = opts;
    this.#maxBuckets = Math.max(8, opts.maxBuckets ?? 240);
    this.#top = opts.top ?? 20;
    this.#coldStarts = new ColdStartTally([...opts.functions]);
    this.#wanted = new Set(opts.functions);
  }

  add(rec: ParsedRecord): void {
    if (!this.#wanted.has(rec.function)) return;
    if (rec.timestamp < this.#opts.range.startMs || rec.timestamp > this.#opts.range.endMs) return;
    this.#coldStarts.add(rec);
    if (rec.kind === 'span') {
      for (const m of rec.faults) this.#fault(m.ruleId, m.fault, rec.function, rec.startTime);
    }
    if (rec.requestId === undefined || rec.kind === 'log') return;
    const key = `${rec.function}\0${rec.requestId}`;
    let p = this.#pending.get(key);
    if (!p) {
      p = { function: rec.function, requestId: rec.requestId, traceId: undefined, startMs: undefined, endMs: undefined, durationMs: undefined, reportMs: undefined, error: false, coldStart: false, faultMarks: 0, metricFaults: 0, evidence: false, sawReport: false };
      this.#pending.set(key, p);
    }
    if (rec.traceId !== undefined && (p.traceId === undefined || rec.traceId < p.traceId)) p.traceId = rec.traceId;
    switch (rec.kind) {
      case 'platform':
        if (rec.event === 'start') p.startMs = rec.timestamp;
        if (rec.event !== 'report' || !rec.report) return;
        this.#reportingFunctions.add(rec.function);
        p.sawReport = true;
        // Lambda's own figure wins over the agent's, whichever line came first.
        p.reportMs = rec.report.durationMs ?? p.reportMs;
        p.endMs = rec.timestamp;
        if (rec.report.status !== undefined && rec.report.status !== 'success') p.error = true;
        if (rec.report.initDurationMs !== undefined || rec.report.restoreDurationMs !== undefined) p.coldStart = true;
        return;
      case 'metric':
        p.evidence = true;
        if (rec.durationMs !== undefined) p.durationMs = Math.max(p.durationMs ?? 0, rec.durationMs);
        if (p.endMs === undefined || rec.timestamp > p.endMs) p.endMs = rec.timestamp;
        p.error ||= rec.error;
        p.coldStart ||= rec.coldStart;
        p.metricFaults = Math.max(p.metricFaults, rec.faultsInjected);
        return;
      case 'span':
        p.faultMarks += rec.faults.length;
        if (rec.isInvocation) {
          p.evidence = true;
          p.startMs = p.startMs === undefined ? rec.startTime : Math.min(p.startMs, rec.startTime);
          if (p.durationMs === undefined) p.durationMs = rec.durationMs;
          if (rec.status.code === 'ERROR') p.error = true;
          p.coldStart ||= rec.coldStart;
        }
        return;
      default:
        return;
    }
  }

  #fault(ruleId: string | undefined, kind: string | undefined, fn: string, atMs: number): void {
    const id = ruleId ?? '(rule not named)';
    let t = this.#rules.get(id);
    if (!t) this.#rules.set(id, (t = { first: atMs, last: atMs, faults: 0, kinds: new Set(), functions: new Set() }));
    t.first = Math.min(t.first, atMs);
    t.last = Math.max(t.last, atMs);
    t.faults++;
    if (kind) t.kinds.add(kind);
    t.functions.add(fn);
  }

  #finish(p: Pending): void {
    const durationMs = p.reportMs ?? p.durationMs ?? 0;
    const atMs = p.startMs ?? (p.endMs ?? this.#opts.range.startMs) - durationMs;
    const faults = Math.max(p.faultMarks, p.metricFaults);
    const cell = this.#cell(p.function, atMs);
    cell.requests++;
    if (p.error) cell.errors++;
    if (p.coldStart) cell.coldStarts++;
    cell.faults += faults;
    cell.latency.add(durationMs);
    this.#outcomes.push({ atMs, ok: !p.error, latencyMs: durationMs, ...(p.traceId ? { traceId: p.traceId } : {}) });
    const ref: RequestRef = { function: p.function, requestId: p.requestId, traceId: p.traceId ?? null, atMs, durationMs, error: p.error, coldStart: p.coldStart, faults };
    if (this.#slowest.length < this.#top || durationMs > this.#slowest.at(-1)!.durationMs) {
      this.#slowest.push(ref);
      this.#slowest.sort((a, b) => b.durationMs - a.durationMs || a.atMs - b.atMs);
      if (this.#slowest.length > this.#top) this.#slowest.pop();
    }
    if (p.error) {
      this.#failedTotal++;
      // The earliest failures: where the trouble began.
      if (this.#failed.length < this.#top || atMs < this.#failed.at(-1)!.atMs) {
        this.#failed.push(ref);
        this.#failed.sort((a, b) => a.atMs - b.atMs);
        if (this.#failed.length > this.#top) this.#failed.pop();
      }
    }
  }

  #cell(fn: string, atMs: number): Cell {
    let idx = Math.floor(atMs / widthAt(this.#widthIndex));
    this.#minIdx = Math.min(this.#minIdx, idx);
    this.#maxIdx = Math.max(this.#maxIdx, idx);
    if (this.#maxIdx - this.#minIdx + 1 > this.#maxBuckets) {
      this.#widen(this.#minIdx * widthAt(this.#widthIndex), (this.#maxIdx + 1) * widthAt(this.#widthIndex));
      idx = Math.floor(atMs / widthAt(this.#widthIndex));
    }
    let byIdx = this.#cells.get(fn);
    if (!byIdx) this.#cells.set(fn, (byIdx = new Map()));
    let c = byIdx.get(idx);
    if (!c) byIdx.set(idx, (c = newCell()));
    return c;
  }

  /** Widens the buckets until [fromMs, toMs) fits in maxBuckets, merging cells. */
  #widen(fromMs: number, toMs: number): void {
    const old = widthAt(this.#widthIndex);
    while (Math.floor((toMs - 1) / widthAt(this.#widthIndex)) - Math.floor(fromMs / widthAt(this.#widthIndex)) + 1 > this.#maxBuckets) this.#widthIndex++;
    const w = widthAt(this.#widthIndex);
    if (w === old) return;
    for (const [fn, byIdx] of this.#cells) {
      const next = new Map<number, Cell>();
      for (const [i, c] of byIdx) {
        const j = Math.floor((i * old) / w);
        const into = next.get(j);
        if (into) mergeCell(into, c);
        else next.set(j, c);
      }
      this.#cells.set(fn, next);
    }
    this.#minIdx = Math.floor(fromMs / w);
    this.#maxIdx = Math.floor((toMs - 1) / w);
  }

  result(): GameDayReport {
    // A function that writes REPORT lines counts its invocations by them; one that writes none (EMF or spans only) by those.
    const done = [...this.#pending.values()].filter((p) => p.sawReport || (p.evidence && !this.#reportingFunctions.has(p.function)));
    const at = (p: Pending) => p.startMs ?? (p.endMs ?? 0) - (p.reportMs ?? p.durationMs ?? 0);
    done.sort((a, b) => at(a) - at(b) || (a.function < b.function ? -1 : a.function > b.function ? 1 : 0) || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
    for (const p of done) this.#finish(p);
    this.#pending.clear();
    const bands = this.#bands();
    const { startMs: rs, endMs: re } = this.#opts.range;
    if (this.#minIdx === Infinity) {
      this.#widen(rs, Math.max(re, rs + 1));
    }
    let from = this.#minIdx * widthAt(this.#widthIndex);
    let to = (this.#maxIdx + 1) * widthAt(this.#widthIndex);
    for (const b of bands) {
      from = Math.max(rs, Math.min(from, b.fromMs));
      to = Math.min(re + 1, Math.max(to, b.toMs + 1));
    }
    this.#widen(from, to);
    const w = widthAt(this.#widthIndex);
    const first = Math.floor(from / w);
    const buckets = Math.floor((to - 1) / w) - first + 1;
    const series = (fn: string, cells: ReadonlyMap<number, Cell>): Series => {
      const s = { function: fn, requests: [] as number[], errors: [] as number[], p50Ms: [] as Array<number | null>, p99Ms: [] as Array<number | null>, coldStarts: [] as number[], faults: [] as number[] };
      for (let i = 0; i < buckets; i++) {
        const c = cells.get(first + i);
        s.requests.push(c?.requests ?? 0);
        s.errors.push(c?.errors ?? 0);
        s.coldStarts.push(c?.coldStarts ?? 0);
        s.faults.push(c?.faults ?? 0);
        s.p50Ms.push(c?.latency.percentile(50) ?? null);
        s.p99Ms.push(c?.latency.percentile(99) ?? null);
      }
      return s;
    };
    const overallCells = new Map<number, Cell>();
    for (const byIdx of this.#cells.values()) {
      for (const [i, c] of byIdx) {
        let into = overallCells.get(i);
        if (!into) overallCells.set(i, (into = newCell()));
        mergeCell(into, c);
      }
    }
    const functions = this.#opts.functions.map((fn) => series(fn, this.#cells.get(fn) ?? new Map()));
    const outcomes = [...this.#outcomes].sort((a, b) => a.atMs - b.atMs);
    const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
    const errors = outcomes.filter((o) => !o.ok).length;
    const overall = series('*', overallCells);
    const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      type: 'report',
      title: this.#opts.title ?? 'Game day',
      source: this.#opts.source ?? '',
      range: { startMs: rs, endMs: re },
      t0Ms: first * w,
      bucketMs: w,
      buckets,
      totals: {
        invocations: outcomes.length,
        errors,
        errorRate: outcomes.length ? errors / outcomes.length : 0,
        p50Ms: percentile(latencies, 50) ?? null,
        p99Ms: percentile(latencies, 99) ?? null,
        coldStarts: sum(overall.coldStarts),
        faults: sum(overall.faults),
      },
      overall,
      functions,
      bands,
      recovery: this.#recovery(bands, outcomes, w),
      faultsByRule: [...this.#rules].map(([ruleId, t]) => ({ ruleId, faults: t.faults, kinds: [...t.kinds].sort(), functions: [...t.functions].sort() })).sort((a, b) => b.faults - a.faults || a.ruleId.localeCompare(b.ruleId)),
      coldStarts: this.#coldStarts.result(),
      slowest: [...this.#slowest],
      failed: [...this.#failed],
      failedTotal: this.#failedTotal,
    };
  }

  #bands(): RuleBand[] {
    const bands: RuleBand[] = [];
    const used = new Set<string>();
    let lastSeen = this.#opts.range.startMs;
    for (const o of this.#outcomes) lastSeen = Math.max(lastSeen, o.atMs + o.latencyMs);
    for (const r of this.#opts.rules ?? []) {
      const tallies = [...this.#rules].filter(([id]) => sameRule(id, r.ruleId));
      for (const [id] of tallies) used.add(id);
      const kinds = new Set<string>();
      const fns = new Set<string>();
      for (const [, t] of tallies) {
        t.kinds.forEach((k) => kinds.add(k));
        t.functions.forEach((f) => fns.add(f));
      }
      bands.push({
        ruleId: r.ruleId,
        fromMs: r.setAtMs,
        toMs: r.clearedAtMs ?? Math.min(this.#opts.range.endMs, Math.max(lastSeen, r.setAtMs)),
        from: 'audit',
        faults: tallies.reduce((a, [, t]) => a + t.faults, 0),
        kinds: [...kinds].sort(),
        functions: [...fns].sort(),
      });
    }
    for (const [id, t] of this.#rules) {
      if (used.has(id)) continue;
      bands.push({ ruleId: id, fromMs: t.first, toMs: t.last, from: 'telemetry', faults: t.faults, kinds: [...t.kinds].sort(), functions: [...t.functions].sort() });
    }
    return bands.sort((a, b) => a.fromMs - b.fromMs || a.ruleId.localeCompare(b.ruleId));
  }

  #recovery(bands: readonly RuleBand[], sorted: readonly Outcome[], bucketMs: number): Recovery[] {
    const windowMs = this.#opts.recoveryWindowMs ?? Math.max(2000, bucketMs);
    const dataEnd = sorted.length ? sorted.at(-1)!.atMs + 1 : this.#opts.range.endMs;
    const out: Recovery[] = [];
    const lowerBound = (t: number) => {
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]!.atMs < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    bands.forEach((b, i) => {
      const clearedAtMs = b.toMs;
      // The caller measured this rule's recovery itself (the local game day, over its own requests): its figures are the page's.
      const known = b.from === 'audit' ? this.#opts.rules?.find((r) => r.ruleId === b.ruleId && r.clearedAtMs === b.toMs)?.recovery : undefined;
      if (known) {
        out.push({
          ruleId: b.ruleId,
          clearedAtMs,
          measuredBy: 'caller',
          baselineErrorRate: known.errors.baselineErrorRate,
          baselineP99Ms: known.latency.baselineP99Ms,
          errorsMs: known.errors.ms,
          latencyMs: known.latency.ms,
        });
        return;
      }
      // Baseline: the requests before this rule was set that no rule was set over.
      const base = sorted.slice(0, lowerBound(b.fromMs)).filter((o) => !bands.some((x) => o.atMs >= x.fromMs && o.atMs <= x.toMs));
      const nextSet = bands.slice(i + 1).find((n) => n.fromMs > clearedAtMs)?.fromMs ?? Infinity;
      const endMs = Math.min(dataEnd, nextSet, clearedAtMs + Math.max(MAX_RECOVERY_OBSERVATION_MS, 40 * windowMs));
      const after = sorted.slice(lowerBound(clearedAtMs), lowerBound(endMs));
      const r = recoveryFrom(base, after, { clearedAtMs, endMs, windowMs });
      out.push({
        ruleId: b.ruleId,
        clearedAtMs,
        measuredBy: 'logs',
        baselineErrorRate: r.errors.baselineErrorRate,
        baselineP99Ms: r.latency.baselineP99Ms,
        errorsMs: r.errors.ms,
        latencyMs: r.latency.ms,
      });
    });
    return out;
  }
}
