// The credentials a CLI command signs with, chosen the way the AWS SDK's
// default chain chooses them. The common cases cost no module load: keys in
// the environment (and no profile asked for). Anything else (profiles, SSO,
// assume-role, credential_process, web identity, container and instance
// roles) goes to the SDK's own chain, loaded only then.
import type { AwsCredentials } from '../../src/chaos/sigv4.js';
import { nonEmpty } from '../../src/nonEmpty.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Returns credentials valid for at least the next few minutes; rejects with the chain's error (name `CredentialsProviderError`). */
export type CredentialProvider = () => Promise<AwsCredentials>;

export interface CredentialChoice {
  /** `--profile`; AWS_PROFILE otherwise. */
  readonly profile?: string | undefined;
  readonly env: Env;
}

/** Credentials the SDK chain returned, with the time they stop working. */
interface Expiring {
  readonly credentials: AwsCredentials;
  readonly expiresAtMs: number | undefined;
}

// Refresh this long before expiry, so a request never goes out with keys
// that lapse on the way (the SDK uses 5 minutes too).
const REFRESH_BEFORE_MS = 5 * 60_000;

/** The profile in force: the flag, else AWS_PROFILE. */
export function profileOf(choice: CredentialChoice): string | undefined {
  return nonEmpty(choice.profile) ?? nonEmpty(choice.env['AWS_PROFILE']);
}

/**
 * Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN),
 * when no profile is in force: the SDK skips the environment when a profile
 * is named, and so does this.
 */
export function environmentCredentials(choice: CredentialChoice): AwsCredentials | undefined {
  if (profileOf(choice) !== undefined) return undefined;
  const accessKeyId = nonEmpty(choice.env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(choice.env['AWS_SECRET_ACCESS_KEY']);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: nonEmpty(choice.env['AWS_SESSION_TOKEN']) };
}

/** The SDK's default chain for `profile`, loaded on first use. */
async function fromSdkChain(profile: string | undefined): Promise<Expiring> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const c = await defaultProvider(profile === undefined ? {} : { profile })();
  return {
    credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
    expiresAtMs: c.expiration?.getTime(),
  };
}

/**
 * A provider for `choice`: the environment's keys when they decide it,
 * else the SDK chain, asked once and again only when its credentials near
 * their expiry (a long `chaos run` outlives an hour-long session).
 */
export function credentialProvider(choice: CredentialChoice, sdkChain = fromSdkChain): CredentialProvider {
  const fixed = environmentCredentials(choice);
  if (fixed !== undefined) return () => Promise.resolve(fixed);
  const profile = profileOf(choice);
  // One request to the chain at a time, shared by every caller waiting for it.
  let current: Promise<Expiring> | undefined;
  const fresh = (e: Expiring) => e.expiresAtMs === undefined || e.expiresAtMs - Date.now() > REFRESH_BEFORE_MS;
  return async () => {
    for (;;) {
      const mine = current === undefined;
      current ??= sdkChain(profile);
      const asked = current;
      let held: Expiring;
      try {
        held = await asked;
      } catch (err) {
        // Not kept: the next call asks again.
        if (current === asked) current = undefined;
        throw err;
      }
      // What the chain has just returned for this call is used even if short-lived.
      if (mine || fresh(held)) return held.credentials;
      if (current === asked) current = undefined;
    }
  };
}
