// Human output of the chaos commands: rule lines, the list table, the
// guardrails, telemetry samples. Pure string building; the commands print.
import { formatDuration } from '../../src/chaos/duration.js';
import type { Fault, Guardrails, Rule } from '../../src/chaos/ruleTypes.js';
import type { Painter } from '../common.js';
import type { RuleStatus } from './ruleStatus.js';
import type { TelemetrySample } from './telemetrySource.js';

export function formatFault(fault: Fault): string {
  switch (fault.type) {
    case 'error':
      return `error ${fault.error.kind === 'http' ? String(fault.error.status) : fault.error.code}`;
    case 'latency':
      return `latency ${fault.latencyMs}ms${fault.jitterMs ? ` ±${fault.jitterMs}ms` : ''}`;
    case 'timeout':
      return fault.timeoutMs === undefined ? 'timeout' : `timeout after ${fault.timeoutMs}ms`;
    case 'corrupt':
      return `corrupt ${fault.corruption}`;
    case 'respond':
      return `respond ${fault.status}`;
  }
}

/** Extensions that change when a rule hits, for the list and the set summary. */
export function formatModifiers(rule: Rule): string[] {
  const out: string[] = [];
  if (rule.sticky) out.push(`sticky ${rule.sticky.source}:${rule.sticky.name}`);
  if (rule.schedule?.kind === 'flap') out.push(`flap ${rule.schedule.onSeconds}s on/${rule.schedule.offSeconds}s off`);
  if (rule.schedule?.kind === 'firstN') out.push(`first ${rule.schedule.count} calls`);
  return out;
}

export function formatTimeLeft(ms: number | undefined): string {
  if (ms === undefined) return 'no expiry';
  if (ms <= 0) return `expired ${formatDuration(-ms)} ago`;
  return formatDuration(ms);
}

export function formatRuleSummary(rule: Rule, nowMs: number): string {
  const parts = [`${rule.targetText} ${formatFault(rule.fault)}`, `rate ${rule.rate}`, ...formatModifiers(rule)];
  parts.push(rule.expiresAt === undefined ? 'no expiry' : `expires in ${formatTimeLeft(rule.expiresAt * 1000 - nowMs)}`);
  return parts.join(', ');
}

function pad(cells: readonly string[][], paintCell: (row: number, col: number, text: string) => string): string[] {
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells.map((row, r) =>
    row
      .map((c, i) => paintCell(r, i, i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export interface ListRow {
  readonly rule: Rule;
  readonly status: RuleStatus;
}

export function formatRuleTable(rows: readonly ListRow[], p: Painter): string[] {
  const header = ['SCOPE', 'ID', 'TARGET', 'FAULT', 'RATE', 'TIME LEFT', 'STATUS'];
  const body = rows.map(({ rule, status }) => [
    rule.scope,
    rule.id,
    rule.targetText,
    [formatFault(rule.fault), ...formatModifiers(rule)].join(', '),
    status.effectiveRate === rule.rate ? String(rule.rate) : `${rule.rate}→${status.effectiveRate}`,
    formatTimeLeft(status.timeLeftMs),
    status.detail ? `${status.state} (${status.detail})` : status.state,
  ]);
  const stateColour = (state: string) => (state === 'live' ? p.green : state === 'expired' ? p.dim : p.yellow);
  return pad([header, ...body], (r, c, text) => {
    if (r === 0) return p.bold(text);
    if (c === 6) return stateColour(rows[r - 1]!.status.state)(text);
    return text;
  });
}

export function formatGuard(guard: Guardrails, exists: boolean): string[] {
  const lines = [exists ? 'guardrails:' : 'guardrails: none set (defaults)'];
  if (guard.refuseAll !== undefined) lines.push(`  NO FAULTS ANYWHERE: ${guard.refuseAll}`);
  lines.push(`  max rate:          ${guard.maxRate ?? 'no cap'}`);
  lines.push(`  allowed functions: ${guard.allowedFunctions ? guard.allowedFunctions.join(', ') : 'all'}`);
  lines.push(
    `  production lock:   ${guard.productionLock ? `on (no faults where the environment is ${guard.productionEnvironments.join(' or ')})` : 'off'}`,
  );
  lines.push(
    `  abort:             ${
      guard.abort
        ? `stop injecting above ${guard.abort.errorRate * 100}% failed invocations over ${guard.abort.windowSeconds}s (min ${guard.abort.minInvocations})`
        : 'off'
    }`,
  );
  return lines;
}

export function formatSample(s: TelemetrySample): string {
  if (s.invocations === 0) return 'no invocations';
  const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);
  return `${s.invocations} invocations, ${s.errors} errors (${((s.errorRate ?? 0) * 100).toFixed(1)}%), p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}`;
}
