// --since / --until values: a duration back from now (`90s`, `15m`, `2h`,
// `7d`) or an ISO 8601 timestamp.
import { UsageError } from '../common.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration like `90s`, `15m`, `2h`, `7d`; undefined when `value` is not one. */
export function durationMs(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** An instant given as a duration back from `now` or an ISO timestamp. */
export function parseInstant(flag: string, value: string, now: number): number {
  const d = durationMs(value);
  if (d !== undefined) return now - d;
  if (/^\d{4}-\d\d-\d\d/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  throw new UsageError(`${flag} ${value}: expected a duration like 90s, 15m, 2h or 7d, or an ISO 8601 time like 2026-11-23T10:00:00Z`);
}

/** A positive duration flag (`--until 30s`, `--poll 2s`). */
export function parseDurationFlag(flag: string, value: string): number {
  const d = durationMs(value);
  if (d === undefined || d <= 0) throw new UsageError(`${flag} ${value}: expected a duration like 90s, 15m, 2h or 7d`);
  return d;
}

export function parseRange(since: string, until: string | undefined, now: number): { startMs: number; endMs: number } {
  const startMs = parseInstant('--since', since, now);
  const endMs = until === undefined ? now : parseInstant('--until', until, now);
  if (endMs < startMs) throw new UsageError(`--until ${until}: is before --since ${since}; expected a later time`);
  return { startMs, endMs };
}
