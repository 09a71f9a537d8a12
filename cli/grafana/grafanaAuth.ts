// How the CLI authenticates to Grafana: a service-account token (Bearer) or
// a user and password (Basic). Exactly one, or none for anonymous access.
import { UsageError } from '../common.js';

export type GrafanaAuth =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string }
  | { readonly kind: 'anonymous' };

/** Pure: the auth the flags ask for; throws UsageError naming the conflicting or missing flag. */
export function parseGrafanaAuth(opts: { token?: string; user?: string; password?: string }): GrafanaAuth {
  const token = opts.token?.trim() || undefined;
  if (token !== undefined && (opts.user !== undefined || opts.password !== undefined)) {
    throw new UsageError('--token cannot be combined with --user/--password: expected one way to sign in');
  }
  if (token !== undefined) return { kind: 'token', token };
  if (opts.user !== undefined || opts.password !== undefined) {
    if (!opts.user) throw new UsageError('--password without --user: expected both --user U and --password P');
    if (opts.password === undefined) throw new UsageError(`--user ${opts.user} without --password: expected both --user U and --password P`);
    return { kind: 'basic', user: opts.user, password: opts.password };
  }
  return { kind: 'anonymous' };
}

/** The Authorization header value, if any. */
export function authorizationHeader(auth: GrafanaAuth): string | undefined {
  switch (auth.kind) {
    case 'token':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'anonymous':
      return undefined;
  }
}

/** `https://user:pw@host/x` → `https://host/x`: a URL the user typed, shown without its credentials (up to its last `@`, whatever the password holds). */
export function withoutUserInfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/is, '$1');
}

/** Pure: the Grafana root URL (a sub-path like /grafana is kept); UsageError for anything not http(s). */
export function parseGrafanaUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--grafana-url ${withoutUserInfo(raw)}: expected an http(s) URL such as https://grafana.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--grafana-url ${withoutUserInfo(raw)}: expected an http(s) URL such as https://grafana.example.com`);
  }
  if (url.username || url.password) {
    throw new UsageError(`--grafana-url ${url.host}: put credentials in --token or --user/--password, not in the URL`);
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
