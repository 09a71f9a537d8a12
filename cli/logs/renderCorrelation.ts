// Human output of `logs correlate`: the waterfall, then the merged lines.
import type { Painter } from '../common.js';
import type { Correlation, TimelineLine, WaterfallRow } from './correlate.js';

const ms = (n: number | undefined) => (n === undefined ? '?' : n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`);

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

const BAR_WIDTH = 24;

function bar(row: WaterfallRow, total: number): string {
  if (total <= 0) return ' '.repeat(BAR_WIDTH);
  const from = Math.min(BAR_WIDTH - 1, Math.floor((row.offsetMs / total) * BAR_WIDTH));
  const len = Math.max(1, Math.round(((row.durationMs ?? 0) / total) * BAR_WIDTH));
  const to = Math.min(BAR_WIDTH, from + len);
  return ' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(BAR_WIDTH - to);
}

function rowText(row: WaterfallRow, total: number, fnWidth: number, p: Painter): string {
  const marks: string[] = [];
  if (row.coldStart) marks.push(p.cyan(row.initDurationMs === undefined ? 'cold start' : `cold start (init ${ms(row.initDurationMs)})`));
  if (row.status === 'ERROR') marks.push(p.red('ERROR'));
  for (const f of row.faults) {
    marks.push(p.yellow(`⚡ fault ${f.fault ?? '?'}${f.detail ? ` ${f.detail}` : ''}${f.ruleId ? ` (rule ${f.ruleId})` : ''}`));
  }
  const kind = row.spanKind ? p.dim(` ${row.spanKind}`) : '';
  return (
    `${padStart('+' + ms(row.offsetMs), 10)} ${padStart(ms(row.durationMs), 9)}  ${p.dim(bar(row, total))}  ` +
    `${p.byKey(row.function, pad(row.function, fnWidth))}  ${'  '.repeat(row.depth)}${row.label}${kind}` +
    (marks.length ? `  ${marks.join(' ')}` : '')
  );
}

function lineText(l: TimelineLine, fnWidth: number, p: Painter): string {
  const time = new Date(l.timestamp).toISOString().slice(11, 23);
  const level = l.level === 'ERROR' || l.level === 'FATAL' ? p.red(pad(l.level, 5)) : l.level === 'WARN' ? p.yellow(pad(l.level, 5)) : pad(l.level, 5);
  const text = l.type === 'span' ? p.dim(`span ${l.message}`) : l.type === 'platform' ? p.dim(l.message) : l.message;
  // One line per record: a multi-line message stays readable in the merged view.
  return `${time}  ${p.byKey(l.function, pad(l.function, fnWidth))}  ${level}  ${text.replace(/\r?\n/g, '\\n')}`;
}

export function renderCorrelation(c: Correlation, p: Painter): string {
  const functions = new Set([...c.waterfall.map((r) => r.function), ...c.lines.map((l) => l.function)]);
  const fnWidth = Math.max(8, ...[...functions].map((f) => f.length));
  const total = Math.max(0, ...c.waterfall.map((r) => r.offsetMs + (r.durationMs ?? 0)));
  const out: string[] = [];
  const traces = c.traceIds.length === 0 ? 'no trace id' : c.traceIds.length === 1 ? `trace ${c.traceIds[0]}` : `traces ${c.traceIds.join(', ')}`;
  out.push(
    p.bold(`${c.target.id}`) +
      ` — ${traces} · ${functions.size} function(s) · ${c.invocations.length} invocation(s) · ${c.lines.length} line(s)`,
  );
  out.push('');
  out.push(p.bold('Waterfall'));
  if (c.waterfall.length === 0) out.push(p.dim('  (no spans or invocations)'));
  for (const row of c.waterfall) out.push(rowText(row, total, fnWidth, p));
  out.push('');
  out.push(p.bold('Log lines'));
  for (const l of c.lines) out.push(lineText(l, fnWidth, p));
  return out.join('\n') + '\n';
}
