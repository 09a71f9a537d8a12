// Which credentials and region a CLI command uses: the environment's keys
// unless a profile is named, the SDK's chain over real shared config files
// otherwise (refreshed near expiry), and the region from the flag, the
// environment, then the profile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentialProvider, environmentCredentials, profileOf } from '../../cli/aws/credentials.js';
import { resolveAccess } from '../../cli/aws/openClient.js';
import { resolveRegion } from '../../cli/aws/region.js';

const ENV_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'env-secret' };

let dir: string;
let fileCount = 0;
const saved = { ...process.env };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-credentials-'));
  // The SDK chain must not wait for an instance metadata service that is not there.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN']) delete process.env[k];
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

/**
 * Points AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE at new files with
 * this content (new paths each time: the SDK caches files by path).
 */
function sharedFiles(credentials: string, config = ''): void {
  const n = ++fileCount;
  const c = join(dir, `credentials-${n}`);
  const f = join(dir, `config-${n}`);
  writeFileSync(c, credentials);
  writeFileSync(f, config);
  process.env.AWS_SHARED_CREDENTIALS_FILE = c;
  process.env.AWS_CONFIG_FILE = f;
}

const never = () => Promise.reject(new Error('the SDK chain must not be asked'));

test('keys in the environment are used when no profile is named, without asking the SDK chain', async () => {
  const env = { ...ENV_KEYS, AWS_SESSION_TOKEN: 'env-token' };
  assert.deepEqual(await credentialProvider({ env }, never)(), { accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret', sessionToken: 'env-token' });
  assert.deepEqual(await credentialProvider({ env: ENV_KEYS }, never)(), { accessKeyId: 'AKIDENV', secretAccessKey: 'env-secret', sessionToken: undefined });
  // Half a key pair (or blanks) is not a key pair: the chain decides.
  assert.equal(environmentCredentials({ env: { AWS_ACCESS_KEY_ID: 'AKIDENV' } }), undefined);
  assert.equal(environmentCredentials({ env: { AWS_ACCESS_KEY_ID: ' ', AWS_SECRET_ACCESS_KEY: 'x' } }), undefined);
});

test('a profile (--profile or AWS_PROFILE) skips the environment\'s keys, as the SDK does; the flag wins over AWS_PROFILE', async () => {
  const asked: Array<string | undefined> = [];
  const chain = async (profile: string | undefined) => {
    asked.push(profile);
    return { credentials: { accessKeyId: `AKID-${profile}`, secretAccessKey: 's', sessionToken: undefined }, expiresAtMs: undefined };
  };
  assert.equal((await credentialProvider({ env: { ...ENV_KEYS, AWS_PROFILE: 'from-env' } }, chain)()).accessKeyId, 'AKID-from-env');
  assert.equal((await credentialProvider({ profile: 'flag', env: { ...ENV_KEYS, AWS_PROFILE: 'from-env' } }, chain)()).accessKeyId, 'AKID-flag');
  assert.equal((await credentialProvider({ profile: 'flag', env: ENV_KEYS }, chain)()).accessKeyId, 'AKID-flag');
  assert.equal((await credentialProvider({ env: {} }, chain)()).accessKeyId, 'AKID-undefined');
  assert.deepEqual(asked, ['from-env', 'flag', 'flag', undefined]);
  assert.equal(profileOf({ profile: ' ', env: { AWS_PROFILE: 'p' } }), 'p');
});

test('the SDK chain reads a named profile\'s keys from a real shared credentials file', async () => {
  sharedFiles(
    '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\n' +
      '[gameday]\naws_access_key_id = AKIDGAMEDAY\naws_secret_access_key = gameday-secret\naws_session_token = gameday-token\n',
  );
  assert.deepEqual(await credentialProvider({ profile: 'gameday', env: { ...ENV_KEYS } })(), {
    accessKeyId: 'AKIDGAMEDAY',
    secretAccessKey: 'gameday-secret',
    sessionToken: 'gameday-token',
  });
  process.env.AWS_PROFILE = 'gameday';
  try {
    assert.equal((await credentialProvider({ env: { ...process.env, ...ENV_KEYS } })()).accessKeyId, 'AKIDGAMEDAY');
  } finally {
    delete process.env.AWS_PROFILE;
  }
  // No profile and no keys in the environment: the chain's default profile.
  assert.equal((await credentialProvider({ env: {} })()).accessKeyId, 'AKIDDEFAULT');
});

test('the SDK chain runs a profile\'s credential_process and returns its expiring keys', async () => {
  const expiration = new Date(Date.now() + 3_600_000).toISOString();
  const script = join(dir, 'process.mjs');
  writeFileSync(script, `console.log(JSON.stringify({ Version: 1, AccessKeyId: 'AKIDPROCESS', SecretAccessKey: 'process-secret', SessionToken: 'process-token', Expiration: '${expiration}' }));\n`);
  sharedFiles('', `[profile proc]\ncredential_process = "${process.execPath}" "${script}"\n`);
  assert.deepEqual(await credentialProvider({ profile: 'proc', env: {} })(), {
    accessKeyId: 'AKIDPROCESS',
    secretAccessKey: 'process-secret',
    sessionToken: 'process-token',
  });
});

test('an unknown profile is the chain\'s CredentialsProviderError', async () => {
  sharedFiles('[gameday]\naws_access_key_id = A\naws_secret_access_key = B\n');
  await assert.rejects(credentialProvider({ profile: 'nobody', env: {} })(), (err: Error) => err.name === 'CredentialsProviderError');
});

test('credentials from the chain are kept until five minutes before they expire, then asked for again; a failure is not kept', async () => {
  let now = 1_000_000_000;
  const realNow = Date.now;
  Date.now = () => now;
  try {
    let asks = 0;
    let fail = false;
    const chain = async () => {
      asks++;
      if (fail) throw Object.assign(new Error('sso session expired'), { name: 'CredentialsProviderError' });
      return { credentials: { accessKeyId: `AKID${asks}`, secretAccessKey: 's', sessionToken: 't' }, expiresAtMs: now + 3_600_000 };
    };
    const provider = credentialProvider({ profile: 'sso', env: {} }, chain);
    assert.equal((await provider()).accessKeyId, 'AKID1');
    now += 50 * 60_000; // 10 minutes left: kept
    assert.equal((await provider()).accessKeyId, 'AKID1');
    assert.equal(asks, 1);
    now += 6 * 60_000; // 4 minutes left: refreshed
    assert.equal((await provider()).accessKeyId, 'AKID2');
    assert.equal(asks, 2);
    now += 3_600_000; // expired, and the chain now fails
    fail = true;
    await assert.rejects(provider(), /sso session expired/);
    fail = false;
    assert.equal((await provider()).accessKeyId, 'AKID4', 'asked again after the failure');
  } finally {
    Date.now = realNow;
  }
});

test('credentials without an expiry are kept for the whole command; callers at the same time share one request to the chain', async () => {
  let asks = 0;
  const provider = credentialProvider({ profile: 'static', env: {} }, async () => {
    asks++;
    return { credentials: { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: undefined }, expiresAtMs: undefined };
  });
  await Promise.all([provider(), provider(), provider()]);
  await provider();
  assert.equal(asks, 1);
});

test('callers at the same time share one refresh of expiring credentials', async () => {
  let asks = 0;
  const provider = credentialProvider({ profile: 'sso', env: {} }, async () => {
    asks++;
    // The first answer is already within the refresh margin; the second is good for an hour.
    return { credentials: { accessKeyId: `AKID${asks}`, secretAccessKey: 's', sessionToken: 't' }, expiresAtMs: Date.now() + (asks === 1 ? 60_000 : 3_600_000) };
  });
  assert.equal((await provider()).accessKeyId, 'AKID1', 'what the chain just returned is used');
  const after = await Promise.all([provider(), provider(), provider()]);
  assert.deepEqual(after.map((c) => c.accessKeyId), ['AKID2', 'AKID2', 'AKID2']);
  assert.equal(asks, 2);
});

test('region: --region, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile\'s region in the config files', async () => {
  sharedFiles(
    '[credsonly]\naws_access_key_id = A\naws_secret_access_key = B\nregion = ap-south-2\n',
    '[default]\nregion = eu-north-1\n\n[profile gameday]\nregion = eu-west-3\n',
  );
  const cases: Array<[string, { region?: string; profile?: string; env: Record<string, string> }, string | undefined]> = [
    ['flag first', { region: 'us-west-2', profile: 'gameday', env: { AWS_REGION: 'ca-central-1', AWS_DEFAULT_REGION: 'sa-east-1' } }, 'us-west-2'],
    ['AWS_REGION', { profile: 'gameday', env: { AWS_REGION: 'ca-central-1', AWS_DEFAULT_REGION: 'sa-east-1' } }, 'ca-central-1'],
    ['blank AWS_REGION skipped', { profile: 'gameday', env: { AWS_REGION: ' ', AWS_DEFAULT_REGION: 'sa-east-1' } }, 'sa-east-1'],
    ['AWS_DEFAULT_REGION', { profile: 'gameday', env: { AWS_DEFAULT_REGION: 'sa-east-1' } }, 'sa-east-1'],
    ['the profile\'s section in config', { profile: 'gameday', env: {} }, 'eu-west-3'],
    ['no profile: [default]', { env: {} }, 'eu-north-1'],
    ['a region in the credentials file', { profile: 'credsonly', env: {} }, 'ap-south-2'],
    ['a profile without a region', { profile: 'nobody', env: {} }, undefined],
  ];
  for (const [name, choice, want] of cases) assert.equal(await resolveRegion(choice), want, name);
});

test('resolveAccess: AWS_PROFILE picks the profile for credentials and region alike', async () => {
  sharedFiles('[gameday]\naws_access_key_id = AKIDGD\naws_secret_access_key = gd-secret\n', '[profile gameday]\nregion = eu-west-3\n');
  const access = await resolveAccess({ env: { ...ENV_KEYS, AWS_PROFILE: 'gameday' } });
  assert.equal(access.profile, 'gameday');
  assert.equal(access.region, 'eu-west-3');
  assert.equal((await access.credentials()).accessKeyId, 'AKIDGD');
  const flagged = await resolveAccess({ region: 'us-east-2', env: { ...ENV_KEYS } });
  assert.deepEqual([flagged.profile, flagged.region, (await flagged.credentials()).accessKeyId], [undefined, 'us-east-2', 'AKIDENV']);
});
