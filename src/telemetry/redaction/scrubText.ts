// Pure scrubbing of credentials out of free text (log messages, error messages
// and stacks, status messages): URL passwords, Bearer/Basic credentials,
// JWT-shaped tokens, `key=value` / `"key":"value"` under a sensitive key, and
// the exact values of the environment's own secrets. The rest of the text stays
// readable. Every pass is linear in the text: hand-written scans, or regexes
// that start only at a token start, with disjoint repetitions capped in length.

export const SCRUBBED = '[REDACTED]';

export interface TextScrubberOptions {
  /** The redactor's verdict on a key name. */
  isSensitive(key: string): boolean;
  /** Exact secret values, replaced wherever they appear (shorter than 8 characters: ignored). */
  readonly secrets: readonly string[];
}

/** A JWT (or JWS) `header.payload.signature`: starts at a token start only, so a run of `eyJ` is tried once. */
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,16384}\.[A-Za-z0-9_-]{4,16384}\.[A-Za-z0-9_-]{0,16384}/g;
/** `Bearer <token>` / `Basic <base64>`: an all-lowercase word after them is prose ("basic settings"), not a credential. */
const AUTH_SCHEME = /\b(bearer|basic)([ \t]{1,8})([A-Za-z0-9._~+/-]{8,16384}={0,3})/gi;
const LOWERCASE_WORD = /^[a-z]+$/;
const SOURCE_FILE = /\.[cm]?[jt]sx?$/i;

function isKeyChar(c: number): boolean {
  // A-Z a-z 0-9 _ . -
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** Where an unquoted value ends: most at the first separator; cookie and authorization headers, which hold spaces and `;`, at the end of the line. */
function valueEnd(text: string, from: number, header: boolean): number {
  let i = from;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 34 || c === 39) break; // \n \r " '
    if (header) continue;
    // space \t & , ; } ) ] < >
    if (c === 32 || c === 9 || c === 38 || c === 44 || c === 59 || c === 125 || c === 41 || c === 93 || c === 60 || c === 62) break;
  }
  return i;
}

/** `scheme://user:password@host` → `scheme://user:[REDACTED]@host`; the authority ends where a URL's does. */
function scrubUrlPasswords(text: string): string {
  let at = text.indexOf('://');
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const start = at + 3;
    let end = start;
    let lastAt = -1;
    for (; end < text.length && end - start < 2048; end++) {
      const c = text.charCodeAt(end);
      // / ? # \ whitespace " ' < > `
      if (c === 47 || c === 63 || c === 35 || c === 92 || c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) break;
      if (c === 64) lastAt = end;
    }
    if (lastAt !== -1) {
      const colon = text.indexOf(':', start);
      if (colon !== -1 && colon < lastAt - 1) {
        out += text.slice(copied, colon + 1) + SCRUBBED;
        copied = lastAt;
      }
    }
    at = text.indexOf('://', Math.max(end, start));
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * The one test every line pays: a separator (`key=value`, `key: value`, a URL),
 * a JWT's `eyJ`, or a Bearer/Basic scheme name in its common casings. Lines
 * without any of these are returned as they are.
 */
const MAY_HOLD_CREDENTIAL = /[:=]|eyJ|earer|EARER|asic|ASIC/;
const AUTH_SCHEME_NAME = /earer|EARER|asic|ASIC/;

export function createTextScrubber(opts: TextScrubberOptions): (text: string) => string {
  const secrets = opts.secrets.filter((s) => s.length >= 8);

  /**
   * `key=value`, `key: value`, `"key":"value"` under a sensitive key: driven by
   * the separators, so text without `=` or `:` costs nothing here. The key is
   * the run of name characters before the separator (at most 64, skipping a
   * closing quote and spaces).
   */
  function scrubKeyValues(text: string): string {
    let out = '';
    let copied = 0;
    let colon = text.indexOf(':');
    let equals = text.indexOf('=');
    while (colon !== -1 || equals !== -1) {
      const sep = colon === -1 ? equals : equals === -1 ? colon : Math.min(colon, equals);
      let next = sep + 1;
      let k1 = sep;
      for (let n = 0; n < 4 && k1 > copied && isSpace(text.charCodeAt(k1 - 1)); n++) k1--;
      const q = text.charCodeAt(k1 - 1);
      if (q === 34 || q === 39) k1--;
      let k0 = k1;
      while (k0 > copied && k1 - k0 < 64 && isKeyChar(text.charCodeAt(k0 - 1))) k0--;
      const firstKeyChar = text.charCodeAt(k0);
      if (k1 > k0 && !(firstKeyChar >= 48 && firstKeyChar <= 57)) {
        const key = text.slice(k0, k1);
        // `secrets.ts:12:5` in a stack is a file and line, not a key and its value.
        if (opts.isSensitive(key) && !SOURCE_FILE.test(key)) {
          let p = sep + 1;
          for (let n = 0; n < 4 && isSpace(text.charCodeAt(p)); n++) p++;
          const first = text.charCodeAt(p);
          // { [ : a nested value, whose own keys are checked
          if (first !== 123 && first !== 91 && p < text.length) {
            let vStart = p;
            let vEnd: number;
            if (first === 34 || first === 39) {
              vStart = p + 1;
              vEnd = vStart;
              while (vEnd < text.length) {
                const c = text.charCodeAt(vEnd);
                if (c === first) break;
                vEnd += c === 92 ? 2 : 1; // skip an escaped character
              }
              vEnd = Math.min(vEnd, text.length);
            } else {
              const lower = key.toLowerCase();
              vEnd = valueEnd(text, vStart, lower.includes('cookie') || lower.includes('authorization'));
            }
            if (vEnd > vStart) {
              out += text.slice(copied, vStart) + SCRUBBED;
              copied = vEnd;
              next = vEnd;
            }
          }
        }
      }
      if (colon !== -1 && colon < next) colon = text.indexOf(':', next);
      if (equals !== -1 && equals < next) equals = text.indexOf('=', next);
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  return function scrubText(text: string): string {
    if (text.length === 0) return text;
    let s = text;
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(SCRUBBED);
    if (!MAY_HOLD_CREDENTIAL.test(s)) return s;
    const separators = s.includes(':') || s.includes('=');
    if (separators && s.includes('://')) s = scrubUrlPasswords(s);
    if (s.includes('eyJ')) s = s.replace(JWT, SCRUBBED);
    if (AUTH_SCHEME_NAME.test(s)) s = s.replace(AUTH_SCHEME, (all, scheme: string, gap: string, token: string) => (LOWERCASE_WORD.test(token) ? all : `${scheme}${gap}${SCRUBBED}`));
    return separators ? scrubKeyValues(s) : s;
  };
}
