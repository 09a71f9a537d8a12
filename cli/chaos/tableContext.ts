// The one place the chaos commands turn their common options into a DynamoDB
// client and a table name, and turn AWS failures into one-line errors a user
// can act on. Region, credentials and endpoint are resolved as every CLI
// command resolves them (cli/aws/openClient.ts, docs/cli.md "AWS access").
import { DYNAMODB, EndpointError, resolveAwsEndpoint, type ResolvedEndpoint } from '../../src/awsEndpoint.js';
import type { AwsCredentials } from '../../src/chaos/sigv4.js';
import { AwsNetworkError } from '../aws/awsError.js';
import type { CredentialProvider } from '../aws/credentials.js';
import { createJsonClient, DYNAMODB_JSON, type AwsJsonClient } from '../aws/jsonClient.js';
import { resolveAccess, type Tuning } from '../aws/openClient.js';
import { OperationError, UsageError, type CommonOptions } from '../common.js';

export interface TableContext {
  readonly client: AwsJsonClient;
  readonly table: string;
  /** The region in force (--region, AWS_REGION, AWS_DEFAULT_REGION, the profile's); undefined only with a configured endpoint and no region named. */
  readonly region: string | undefined;
  /** --profile, else AWS_PROFILE. */
  readonly profile: string | undefined;
  /** What the client signs with; the STS call for `createdBy` signs with the same. */
  readonly credentials: CredentialProvider;
}

/** A game-day command should fail in seconds, not after the SDK's long retries. */
export const CHAOS_TUNING: Tuning = { maxAttempts: 2, connectTimeoutMs: 3000, requestTimeoutMs: 10_000 };

/** `--table`, else FAULTLINE_CHAOS_TABLE (commander fills it from the env). */
export function requireTable(opts: Pick<CommonOptions, 'table'>): string {
  const table = opts.table?.trim();
  if (!table) throw new UsageError('no rule table given: pass --table NAME or set FAULTLINE_CHAOS_TABLE');
  return table;
}

/**
 * The SDK warns on every Node 20 process that later SDK releases need Node 22;
 * on a CLI that multi-line warning buries the one line that matters. (The
 * SDK's credential chain is still loaded for profiles.)
 */
export function quietSdkWarnings(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/**
 * The table context of a chaos command. A missing table is a UsageError; no
 * region, a bad region or a bad endpoint is an OperationError saying which
 * setting to fix, before any request.
 */
export async function createTableContext(
  opts: CommonOptions,
  env: Readonly<Record<string, string | undefined>> = process.env,
  tuning: Tuning = CHAOS_TUNING,
): Promise<TableContext> {
  const table = requireTable(opts);
  quietSdkWarnings();
  const access = await resolveAccess({ region: opts.region, profile: opts.profile, env });
  let endpoint: ResolvedEndpoint;
  try {
    endpoint = resolveAwsEndpoint(DYNAMODB, access.region, env);
  } catch (err) {
    throw explainAwsError(err, { table, region: access.region, profile: access.profile });
  }
  const client = await createJsonClient({ protocol: DYNAMODB_JSON, endpoint, credentials: access.credentials, ...tuning });
  return { client, table, region: access.region, profile: access.profile, credentials: access.credentials };
}

/** A context on a known endpoint with fixed credentials: the local mode's embedded DynamoDB. */
export async function fixedTableContext(at: {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly table: string;
  readonly tuning?: Tuning;
}): Promise<TableContext> {
  const credentials: CredentialProvider = () => Promise.resolve(at.credentials);
  const endpoint: ResolvedEndpoint = { url: new URL(at.endpoint), region: at.region, from: 'local' };
  const client = await createJsonClient({ protocol: DYNAMODB_JSON, endpoint, credentials, ...(at.tuning ?? CHAOS_TUNING) });
  return { client, table: at.table, region: at.region, profile: undefined, credentials };
}

/** What a message about a failure names. */
export interface FailureContext {
  readonly table: string;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  /** Where the requests went; derived from the region and the environment when absent. */
  readonly endpoint?: URL;
}

function shownUrl(url: URL): string {
  return url.pathname === '/' && url.search === '' ? url.origin : url.href;
}

function endpointOf(ctx: FailureContext): string {
  if (ctx.endpoint !== undefined) return shownUrl(ctx.endpoint);
  try {
    return shownUrl(resolveAwsEndpoint(DYNAMODB, ctx.region, process.env).url);
  } catch {
    return `https://dynamodb.${ctx.region ?? '<region>'}.amazonaws.com`;
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkCode(err: unknown): string | undefined {
  if (err instanceof AwsNetworkError) return err.code === 'TimeoutError' ? 'timeout' : err.code;
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = networkCode(errors[0]);
      if (inner) return inner;
    }
    e = (e as { cause?: unknown }).cause;
  }
  const name = (err as { name?: unknown } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'RequestTimeout') return 'timeout';
  return undefined;
}

/**
 * Maps an AWS failure to an OperationError with one clear line; usage and
 * operation errors pass through unchanged.
 */
export function explainAwsError(err: unknown, ctx: FailureContext): Error {
  if (err instanceof UsageError || err instanceof OperationError) return err;
  const name = (err as { name?: unknown } | undefined)?.name;
  const message = err instanceof Error ? err.message : String(err);
  const region = ctx.region ?? '<default region>';
  if (err instanceof EndpointError) {
    if (err.code === 'NoRegion') return new OperationError('no AWS region: pass --region REGION or set AWS_REGION');
    if (err.code === 'BadRegion') return new OperationError(`${message}: pass --region REGION or set AWS_REGION`);
    return new OperationError(message);
  }
  if (name === 'ResourceNotFoundException') {
    return new OperationError(
      `table ${ctx.table} not found in ${region}: run faultline chaos init --table ${ctx.table}`,
    );
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    const which = ctx.profile ? `profile ${ctx.profile}` : 'the default credential chain';
    return new OperationError(
      `no AWS credentials from ${which}: pass --profile NAME, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new OperationError('no AWS region: pass --region REGION or set AWS_REGION');
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'ExpiredTokenException') {
    return new OperationError(`AWS rejected the credentials (${name}): refresh them or pass another --profile`);
  }
  if (name === 'AccessDeniedException') {
    return new OperationError(`access denied to table ${ctx.table} in ${region}: ${message}`);
  }
  const net = networkCode(err);
  if (net) return new OperationError(`cannot reach DynamoDB at ${endpointOf(ctx)} (${net})`);
  return new OperationError(`DynamoDB request on table ${ctx.table} failed: ${name ? `${String(name)}: ` : ''}${message}`);
}

/** Runs `fn`, translating failures with explainAwsError. */
export async function withTable<T>(ctx: TableContext, fn: (ctx: TableContext) => Promise<T>): Promise<T> {
  try {
    return await fn(ctx);
  } catch (err) {
    throw explainAwsError(err, { ...ctx, endpoint: ctx.client.endpoint.url });
  }
}
