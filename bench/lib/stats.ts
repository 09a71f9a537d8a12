// Summaries and Markdown output shared by the agent benchmarks.

/** Sorted copy; the summaries below all read from one. */
function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Nearest-rank percentile, p in [0, 100]. Throws on an empty sample: a benchmark that measured nothing has failed. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('percentile of an empty sample');
  const s = sorted(xs);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty sample');
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;
export const fmtUs = (us: number): string => `${us.toFixed(1)} µs`;
export const fmtKb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');

/** `PASS` when the figure is within its budget (both in the same unit). */
export function verdict(value: number, budget: number): 'PASS' | 'OVER' {
  return value <= budget ? 'PASS' : 'OVER';
}

/** A Markdown table; cells are already formatted. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
