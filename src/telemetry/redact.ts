// Pure redaction of sensitive values in log fields and span attributes.

export const REDACTED = '[REDACTED]';

/** Substrings that mark a key as sensitive, matched case-insensitively. */
const DEFAULT_PATTERNS = ['authorization', 'cookie', 'password', 'passwd', 'secret', 'token', 'x-api-key', 'api_key', 'apikey'];

export interface Redactor {
  isSensitive(key: string): boolean;
  /** Returns `value` itself when nothing under it is sensitive, else a redacted copy. */
  redact<T>(value: T): T;
}

export function createRedactor(extraKeys: readonly string[]): Redactor {
  const exact = new Set(extraKeys.map((k) => k.toLowerCase()));
  const verdicts = new Map<string, boolean>();

  function isSensitive(key: string): boolean {
    let v = verdicts.get(key);
    if (v === undefined) {
      const lower = key.toLowerCase();
      v = exact.has(lower) || DEFAULT_PATTERNS.some((p) => lower.includes(p));
      if (verdicts.size < 4096) verdicts.set(key, v);
    }
    return v;
  }

  function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (value === null || typeof value !== 'object' || depth > 8) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const r = redactValue(value[i], depth + 1, seen);
        if (r !== value[i]) (copy ??= value.slice())[i] = r;
      }
      return copy ?? value;
    }
    if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const current = (value as Record<string, unknown>)[key];
      const r = isSensitive(key) ? REDACTED : redactValue(current, depth + 1, seen);
      if (r !== current) (copy ??= { ...(value as Record<string, unknown>) })[key] = r;
    }
    return copy ?? value;
  }

  return {
    isSensitive,
    redact: <T>(value: T): T => redactValue(value, 0, new WeakSet()) as T,
  };
}
