// Durations as people type them (`90s`, `15m`, `1h30m`) and as the CLI prints
// them (`14m 32s`). Pure.
import { RuleError } from './rules/ruleError.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// One or more `<number><unit>` parts, optionally separated by spaces, so that
// what formatDuration prints (`14m 32s`) parses back.
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d)\s*)+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** `500ms`, `90s`, `15m`, `2h`, `1d`, `1h30m`, `1h 30m` → milliseconds. Throws RuleError. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '' || !WHOLE.test(t)) {
    throw new RuleError(`"${text}": expected a duration such as 90s, 15m or 2h`);
  }
  let ms = 0;
  for (const m of t.matchAll(PART)) ms += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return Math.round(ms);
}

const SPANS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * Milliseconds → the two largest units, `14m 32s`, `2h 5m`, `1d`, `45s`,
 * `250ms`. Rounded down: a rule with `14m 32.9s` left shows `14m 32s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const i = SPANS.findIndex(([, size]) => ms >= size);
  const [unit, size] = SPANS[i]!;
  const first = Math.floor(ms / size);
  const next = SPANS[i + 1];
  if (next === undefined) return `${first}${unit}`;
  const second = Math.floor((ms - first * size) / next[1]);
  return second > 0 ? `${first}${unit} ${second}${next[0]}` : `${first}${unit}`;
}
