// Nothing Grafana answers reaches the terminal or --json with a credential the
// user gave in it: a server (or a proxy in front of it) that echoes request
// headers would otherwise print the token on stderr. Pure.
import { authorizationHeader, type GrafanaAuth } from './grafanaAuth.js';

export const REDACTED = '[redacted]';

/** Every form in which a credential can come back: as sent, JSON-escaped, URL-encoded, base64 without padding. */
function credentialForms(auth: GrafanaAuth): string[] {
  const secrets: string[] = [];
  if (auth.kind === 'token') secrets.push(auth.token);
  if (auth.kind === 'basic') {
    secrets.push(auth.password);
    const header = authorizationHeader(auth) ?? '';
    secrets.push(header.slice('Basic '.length).replace(/=+$/, ''));
  }
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so that a form containing another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

export type Scrub = (text: string) => string;

/** text → text with every form of the credentials in `auth` replaced by [redacted]. */
export function credentialScrubber(auth: GrafanaAuth): Scrub {
  const forms = credentialForms(auth);
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
    return out;
  };
}

/** A parsed JSON answer with every string (keys too) scrubbed; the shape is kept. */
export function scrubJson(value: unknown, scrub: Scrub): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, scrub));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrub(k)] = scrubJson(v, scrub);
    return out;
  }
  return value;
}
