// Pure redaction: one list of sensitive key names, and one redactor that
// applies it to log fields, span attributes, console arguments, and the query
// strings of incoming and outgoing URLs alike; free text is scrubbed of
// credentials (scrubText.ts).
import { createTextScrubber, SCRUBBED } from './scrubText.js';

export const REDACTED = SCRUBBED;
/** The semantic conventions' replacement for a credential in `url.full` / `url.query`. */
export const URL_REDACTED = 'REDACTED';

/** Substrings that mark a key as sensitive, matched case-insensitively. */
const SENSITIVE_SUBSTRINGS = [
  'authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'api_key',
  'api-key',
  'apikey',
  'credential',
  'signature',
];
/** Whole key names that are sensitive: presigned-URL parameters whose names hold none of the substrings. */
const SENSITIVE_NAMES = ['sig', 'awsaccesskeyid'];

/** Limits of the walk over one value: deeper or larger parts are replaced, never written unredacted. */
const MAX_DEPTH = 8;
const MAX_NODES = 5000;
const TRUNCATED = '[Truncated]';
const CIRCULAR = '[Circular]';

export interface QueryRedactor {
  /** A query string (without `?`) with the values of sensitive parameters replaced by `REDACTED`. */
  redactQuery(query: string): string;
}

export interface Redactor extends QueryRedactor {
  isSensitive(key: string): boolean;
  /**
   * Returns `value` itself when nothing under it is sensitive, else a redacted
   * copy: values under sensitive keys replaced at any depth, strings scrubbed,
   * cycles and parts beyond the depth/size bounds replaced by a marker.
   */
  redact<T>(value: T): T;
  /** Free text without credentials (URL passwords, Bearer/Basic, JWTs, `key=value` under sensitive keys, environment secrets). */
  scrubText(text: string): string;
}

export function createRedactor(extraKeys: readonly string[], secrets: readonly string[] = []): Redactor {
  const exact = new Set([...SENSITIVE_NAMES, ...extraKeys.map((k) => k.toLowerCase())]);
  const verdicts = new Map<string, boolean>();

  function isSensitive(key: string): boolean {
    let v = verdicts.get(key);
    if (v === undefined) {
      const lower = key.toLowerCase();
      v = exact.has(lower) || SENSITIVE_SUBSTRINGS.some((p) => lower.includes(p));
      if (verdicts.size < 4096) verdicts.set(key, v);
    }
    return v;
  }

  const scrubText = createTextScrubber({ isSensitive, secrets });

  interface Walk {
    nodes: number;
    /** Originals already walked (or being walked: IN_PROGRESS) and what replaced them. */
    done: Map<object, unknown>;
  }
  const IN_PROGRESS = Symbol('in progress');

  function redactValue(value: unknown, depth: number, walk: Walk): unknown {
    if (typeof value === 'string') return scrubText(value);
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Date || ArrayBuffer.isView(value)) return value;
    const prior = walk.done.get(value);
    if (prior !== undefined) return prior === IN_PROGRESS ? CIRCULAR : prior;
    if (depth >= MAX_DEPTH || ++walk.nodes > MAX_NODES) return TRUNCATED;
    walk.done.set(value, IN_PROGRESS);
    const result = Array.isArray(value) ? redactArray(value, depth, walk) : redactObject(value as Record<string, unknown>, depth, walk);
    walk.done.set(value, result);
    return result;
  }

  function redactArray(value: unknown[], depth: number, walk: Walk): unknown[] {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const r = redactValue(value[i], depth + 1, walk);
      if (r !== value[i]) (copy ??= value.slice())[i] = r;
    }
    return copy ?? value;
  }

  function redactObject(value: Record<string, unknown>, depth: number, walk: Walk): unknown {
    let copy: Record<string, unknown> | undefined;
    const proto = Object.getPrototypeOf(value) as object | null;
    const error = value instanceof Error;
    if (error) {
      // name, message and stack are own but not enumerable: scrubbed here, kept on a copy of the same class.
      const message = scrubText(String(value.message));
      const stack = typeof value.stack === 'string' ? scrubText(value.stack) : value.stack;
      if (message !== value.message || stack !== value.stack) {
        copy = Object.create(proto) as Record<string, unknown>;
        Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
        Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true });
        Object.assign(copy, value);
      }
    }
    for (const key of Object.keys(value)) {
      const current = value[key];
      const r = isSensitive(key) ? REDACTED : redactValue(current, depth + 1, walk);
      if (r === current) continue;
      if (copy === undefined) {
        copy = proto === Object.prototype ? { ...value } : (Object.assign(Object.create(proto), value) as Record<string, unknown>);
        if (error) {
          Object.defineProperty(copy, 'message', { value: value.message, writable: true, configurable: true });
          Object.defineProperty(copy, 'stack', { value: value.stack, writable: true, configurable: true });
        }
      }
      copy[key] = r;
    }
    return copy ?? value;
  }

  function redactQuery(query: string): string {
    let changed = false;
    const parts = query.split('&');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const eq = part.indexOf('=');
      if (eq === -1) continue;
      let name = part.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      if (isSensitive(name)) {
        parts[i] = `${part.slice(0, eq)}=${URL_REDACTED}`;
        changed = true;
      } else {
        let v = part.slice(eq + 1);
        if (v.includes('%')) {
          try {
            v = decodeURIComponent(v);
          } catch {
            // keep the raw value
          }
        }
        if (scrubText(v) !== v) {
          parts[i] = `${part.slice(0, eq)}=${URL_REDACTED}`;
          changed = true;
        }
      }
    }
    return changed ? parts.join('&') : query;
  }

  return {
    isSensitive,
    scrubText,
    redactQuery,
    redact: <T>(value: T): T => {
      try {
        return redactValue(value, 0, { nodes: 0, done: new Map() }) as T;
      } catch {
        // a getter or proxy that throws: nothing of the value is written
        return TRUNCATED as T;
      }
    },
  };
}

/** The redactor with the default key list and no environment secrets: for callers outside an agent. */
export const DEFAULT_REDACTOR: Redactor = createRedactor([]);
