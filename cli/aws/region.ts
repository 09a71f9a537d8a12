// The region a CLI command talks to: --region, AWS_REGION, AWS_DEFAULT_REGION,
// then the profile's `region` in the shared config files (read only when
// nothing else says, so the common case loads no config parser).
import { nonEmpty } from '../../src/nonEmpty.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface RegionChoice {
  readonly region?: string | undefined;
  /** The profile in force (credentials.ts profileOf). */
  readonly profile?: string | undefined;
  readonly env: Env;
}

/** The region given on the command line or in the environment, without reading files. */
export function regionFromFlagsAndEnv(choice: RegionChoice): string | undefined {
  return nonEmpty(choice.region) ?? nonEmpty(choice.env['AWS_REGION']) ?? nonEmpty(choice.env['AWS_DEFAULT_REGION']);
}

/** The profile's region in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE honoured). */
async function regionFromSharedConfig(profile: string): Promise<string | undefined> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  const { configFile, credentialsFile } = await loadSharedConfigFiles();
  return nonEmpty(configFile[profile]?.['region']) ?? nonEmpty(credentialsFile[profile]?.['region']);
}

/** The region in force, or undefined when nothing names one. A config file that cannot be read counts as naming none. */
export async function resolveRegion(choice: RegionChoice, fromConfig = regionFromSharedConfig): Promise<string | undefined> {
  const direct = regionFromFlagsAndEnv(choice);
  if (direct !== undefined) return direct;
  try {
    return await fromConfig(choice.profile ?? 'default');
  } catch {
    return undefined;
  }
}
