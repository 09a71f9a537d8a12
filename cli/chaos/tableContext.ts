// The one place the chaos commands turn their common options into a DynamoDB
// client and a table name, and turn AWS failures into one-line errors a user
// can act on. Endpoints (AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL) are
// honoured by the SDK itself; we only read them to name them in messages.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OperationError, UsageError, type CommonOptions } from '../common.js';

export interface TableContext {
  readonly client: DynamoDBClient;
  readonly table: string;
  readonly region: string | undefined;
  readonly profile: string | undefined;
}

/** `--table`, else FAULTLINE_CHAOS_TABLE (commander fills it from the env). */
export function requireTable(opts: Pick<CommonOptions, 'table'>): string {
  const table = opts.table?.trim();
  if (!table) throw new UsageError('no rule table given: pass --table NAME or set FAULTLINE_CHAOS_TABLE');
  return table;
}

/**
 * The SDK warns on every Node 20 process that later SDK releases need Node 22;
 * on a CLI that multi-line warning buries the one line that matters.
 */
export function quietSdkWarnings(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function createTableContext(opts: CommonOptions): TableContext {
  const table = requireTable(opts);
  quietSdkWarnings();
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const client = new DynamoDBClient({
    ...(region ? { region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    // A game-day command should fail in seconds, not after the SDK's long retries.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 10000 },
  });
  return { client, table, region, profile: opts.profile };
}

function endpointOf(region: string | undefined): string {
  return (
    process.env.AWS_ENDPOINT_URL_DYNAMODB ??
    process.env.AWS_ENDPOINT_URL ??
    `https://dynamodb.${region ?? '<region>'}.amazonaws.com`
  );
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function networkCode(err: unknown): string | undefined {
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
 * Maps an AWS SDK failure to an OperationError with one clear line; usage and
 * operation errors pass through unchanged.
 */
export function explainAwsError(err: unknown, ctx: Pick<TableContext, 'table' | 'region' | 'profile'>): Error {
  if (err instanceof UsageError || err instanceof OperationError) return err;
  const name = (err as { name?: unknown } | undefined)?.name;
  const message = err instanceof Error ? err.message : String(err);
  const region = ctx.region ?? '<default region>';
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
  if (net) return new OperationError(`cannot reach DynamoDB at ${endpointOf(ctx.region)} (${net})`);
  return new OperationError(`DynamoDB request on table ${ctx.table} failed: ${name ? `${String(name)}: ` : ''}${message}`);
}

/** Runs `fn`, translating failures with explainAwsError. */
export async function withTable<T>(ctx: TableContext, fn: (ctx: TableContext) => Promise<T>): Promise<T> {
  try {
    return await fn(ctx);
  } catch (err) {
    // Name the region the SDK actually used (from the profile when not given).
    let region = ctx.region;
    if (region === undefined) {
      try {
        region = await ctx.client.config.region();
      } catch {
        /* no region anywhere: the message says so */
      }
    }
    throw explainAwsError(err, { ...ctx, region });
  }
}
