// Human table of `faultline coldstarts`.
import type { Painter } from '../common.js';
import { INIT_TYPES, type DurationStats, type FunctionColdStarts } from './coldStarts.js';

const ms = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(n >= 100 ? 0 : 1)}ms`);
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => stripAnsi(r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell + ' '.repeat(widths[c]! - stripAnsi(cell).length)).join('  ').trimEnd());
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function statCells(s: DurationStats): string[] {
  return [ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)];
}

export function renderColdStarts(rows: ReadonlyArray<FunctionColdStarts & { approximate?: boolean }>, p: Painter): string {
  const out: string[][] = [['function', 'invocations', 'cold starts', 'share', 'init p50', 'p95', 'p99', 'max'].map((h) => p.bold(h))];
  for (const r of rows) {
    out.push([p.byKey(r.function, r.function), String(r.invocations), String(r.coldStarts), pct(r.share), ...statCells(r.initDuration)]);
    for (const type of INIT_TYPES) {
      const s = r.byInitType[type];
      if (s) out.push([p.dim(`  ${type}`), '', String(s.count), '', ...statCells(s)]);
    }
  }
  const notes = rows.some((r) => r.approximate) ? [p.dim('(percentiles merged from several queries are approximate)')] : [];
  return [...table(out), ...notes].join('\n') + '\n';
}
