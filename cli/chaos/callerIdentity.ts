// Who is setting a rule, for the audit field `createdBy`: the caller's ARN
// when AWS answers quickly, else the local user name. A slow or failing STS
// call must never fail or stall a game-day command, so the wait is bounded.
import { userInfo } from 'node:os';

export interface IdentityOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
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

export async function resolveCreatedBy(opts: IdentityOptions = {}): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // Loaded only here: most chaos commands never need STS.
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const client = new STSClient({
      region,
      ...(opts.profile ? { profile: opts.profile } : {}),
      maxAttempts: 1,
      requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
    });
    try {
      const out = await client.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal });
      return out.Arn ?? localUser();
    } finally {
      client.destroy();
    }
  } catch {
    return localUser();
  } finally {
    clearTimeout(timer);
  }
}
