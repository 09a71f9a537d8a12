// A CLI command's AWS access from its --region / --profile and the
// environment: the one place that chooses region, profile and credentials, so
// every command resolves them the same way (docs/cli.md "AWS access").
import { credentialProvider, profileOf, type CredentialProvider } from './credentials.js';
import { resolveRegion } from './region.js';
import type { TransportOptions } from './signedPost.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AwsAccess {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly env?: Env;
}

export type Tuning = Pick<TransportOptions, 'maxAttempts' | 'connectTimeoutMs' | 'requestTimeoutMs' | 'sleep'>;

export interface ResolvedAccess {
  /** Undefined only when nothing names a region and the endpoint is configured (a local server). */
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly credentials: CredentialProvider;
}

/** Region, profile and credentials for `access`; reads the shared config files only when no region is given. */
export async function resolveAccess(access: AwsAccess): Promise<ResolvedAccess> {
  const env = access.env ?? process.env;
  const profile = profileOf({ profile: access.profile, env });
  const region = await resolveRegion({ region: access.region, profile, env });
  return { region, profile, credentials: credentialProvider({ profile, env }) };
}
