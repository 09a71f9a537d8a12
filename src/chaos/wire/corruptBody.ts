// Pure: a real response body altered the way a corrupt rule says.
import type { Corruption } from '../ruleTypes.js';

/** A value of another JSON type than `v`, keeping objects and arrays as containers. */
function wrongType(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(wrongType);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = wrongType(x);
    return out;
  }
  switch (typeof v) {
    case 'string':
      return v.length;
    case 'number':
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return false; // null
  }
}

function garble(body: Buffer): Buffer {
  const out = Buffer.from(body);
  // Every third byte, from the first: enough to break any parser, deterministic for tests.
  for (let i = 0; i < out.length; i += 3) out[i] = out[i]! ^ 0xa5;
  return out;
}

export function corruptBody(body: Buffer, corruption: Corruption): Buffer {
  switch (corruption) {
    case 'truncate':
      return body.subarray(0, Math.floor(body.length / 2));
    case 'empty':
      return Buffer.alloc(0);
    case 'garble':
      return garble(body);
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return garble(body); // not JSON (or compressed): still corrupt it
      }
      return Buffer.from(JSON.stringify(wrongType(parsed)), 'utf8');
    }
  }
}

/** The body length after corruption when it can be known before the body arrives, else undefined. */
export function corruptedLength(corruption: Corruption, length: number): number | undefined {
  switch (corruption) {
    case 'truncate':
      return Math.floor(length / 2);
    case 'empty':
      return 0;
    case 'garble':
      return length;
    case 'json':
      return undefined;
  }
}
