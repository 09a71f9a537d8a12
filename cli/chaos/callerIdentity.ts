// Who is setting a rule, for the audit field `createdBy`: the caller's ARN
// when AWS answers quickly, else the local user name. A slow or failing STS
// call must never fail or stall a game-day command, so the wait is bounded.
import { userInfo } from 'node:os';
import type { CredentialProvider } from '../aws/credentials.js';

export interface IdentityOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  /** The credentials the command already signs with (TableContext.credentials); resolved from region/profile otherwise. */
  readonly credentials?: CredentialProvider;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

export function localUser(): string {
  const fromEnv = process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function callerArn(opts: IdentityOptions, timeoutMs: number, signal: AbortSignal): Promise<string> {
  // Loaded only here: most chaos commands never ask STS.
  const [{ resolveAwsEndpoint, STS }, { getCallerIdentity }] = await Promise.all([import('../../src/awsEndpoint.js'), import('../aws/sts.js')]);
  const env = opts.env ?? process.env;
  let { region, credentials } = opts;
  if (credentials === undefined) {
    const { resolveAccess } = await import('../aws/openClient.js');
    const access = await resolveAccess({ region, profile: opts.profile, env });
    ({ region, credentials } = access);
  }
  const endpoint = resolveAwsEndpoint(STS, region ?? 'us-east-1', env);
  const identity = await getCallerIdentity({ endpoint, credentials, maxAttempts: 1, connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs }, signal);
  return identity.arn;
}

/** The caller's ARN, or the local user when STS does not answer within `timeoutMs` (default 2 s) or fails in any way. */
export async function resolveCreatedBy(opts: IdentityOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  // The bound covers the credential lookup too (a profile's SSO or process
  // credentials may take long), not only the request.
  const gaveUp = new Promise<undefined>((resolve) => abort.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  try {
    return (await Promise.race([callerArn(opts, timeoutMs, abort.signal).catch(() => undefined), gaveUp])) ?? localUser();
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
