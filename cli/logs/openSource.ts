// Turns the shared flags (--source, --functions/--prefix/--stack, --region,
// --profile) into a LogSource and the resolved function names.
import { EndpointError } from '../../src/awsEndpoint.js';
import { AwsNetworkError } from '../aws/awsError.js';
import { resolveAccess, type AwsAccess, type ResolvedAccess } from '../aws/openClient.js';
import { OperationError, UsageError, type CommonOptions } from '../common.js';
import { openCloudFormationApi } from './cloudFormationApi.js';
import { openLogsApi, type LogsApi } from './cloudWatchApi.js';
import { cloudWatchSource } from './cloudWatchSource.js';
import { logDirSource } from './logDirSource.js';
import type { SkippedLineReport } from './skippedLines.js';
import { RateBudget } from './rateBudget.js';
import { resolveLogDir } from './logDirLayout.js';
import { cloudWatchNeedsChoice, parseSelection, selectFromCloudWatch, selectFromLogDir, type SelectionFlags } from './selectFunctions.js';
import type { LogSource } from './source.js';

export interface SourceFlags extends SelectionFlags, CommonOptions {
  source?: string;
}

export type OpenedLogs =
  | { readonly kind: 'dir'; readonly dir: string; readonly source: LogSource; readonly functions: string[] }
  | {
      readonly kind: 'cloudwatch';
      readonly source: LogSource;
      readonly functions: string[];
      readonly client: LogsApi;
      readonly budget: RateBudget;
    };

/** CloudWatch Logs' read APIs allow about 5 calls a second per account and region; stay under it. */
export const CLOUDWATCH_CALLS_PER_SECOND = 5;

function awsAccess(flags: CommonOptions): AwsAccess {
  return { region: flags.region, profile: flags.profile, env: process.env };
}

/** `(eu-west-1)` for the regional endpoint, `at <url>` for a configured one. */
function whereOf(api: LogsApi): string {
  return api.endpoint.from === 'regional' ? api.endpoint.region : `at ${api.endpoint.url.origin}`;
}

export async function openLogs(
  flags: SourceFlags,
  { allowStack = true, skipped }: { allowStack?: boolean; skipped?: SkippedLineReport } = {},
): Promise<OpenedLogs> {
  const selection = parseSelection(flags, { allowStack });
  const sourceName = flags.source ?? 'cloudwatch';
  const budget = new RateBudget(CLOUDWATCH_CALLS_PER_SECOND, CLOUDWATCH_CALLS_PER_SECOND);
  // Resolved once for both services: a profile's chain (SSO, assume-role) is asked once, the config files read once.
  const access = awsAccess(flags);
  let resolved: Promise<ResolvedAccess> | undefined;
  const resolvedOnce = () => (resolved ??= resolveAccess(access));
  const cloudFormation = selection.by === 'stack' ? await openCloudFormationApi(access, {}, resolvedOnce()) : undefined;
  const stack = cloudFormation ? { cloudFormation, budget } : undefined;
  try {
    if (sourceName !== 'cloudwatch') {
      const dir = await resolveRunDir(sourceName, Boolean(flags.json));
      const functions = await selectFromLogDir(dir, selection, stack);
      return { kind: 'dir', dir, source: logDirSource(dir, skipped ? { onSkippedLine: skipped.onSkippedLine } : {}), functions };
    }
    if (selection.by === 'all') throw new UsageError(cloudWatchNeedsChoice(allowStack));
    const client = await openLogsApi(access, {}, resolvedOnce());
    const functions = await selectFromCloudWatch(selection, { logs: client, budget }, stack).catch((err: unknown) => {
      client.destroy();
      throw err;
    });
    return { kind: 'cloudwatch', source: cloudWatchSource({ client, budget, region: whereOf(client), insights: { progress: stderrProgress() }, notice: (m) => process.stderr.write(`faultline: ${m}\n`) }), functions, client, budget };
  } finally {
    cloudFormation?.destroy();
  }
}

/** --source DIR → the run directory to read; a directory of runs says on stderr which run it reads. */
async function resolveRunDir(dir: string, json: boolean): Promise<string> {
  try {
    const resolved = await resolveLogDir(dir);
    if (resolved.note) process.stderr.write(json ? JSON.stringify({ type: 'notice', message: resolved.note, dir: resolved.dir }) + '\n' : `faultline: ${resolved.note}\n`);
    return resolved.dir;
  } catch (err) {
    // A missing directory is named by selectFromLogDir with its fix.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return dir;
    throw err;
  }
}

/** Insights progress on stderr, one line rewritten in place on a terminal. */
export function stderrProgress(): (message: string) => void {
  return (message) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${message}`);
    else process.stderr.write(`${message}\n`);
  };
}

/** AWS failures a user can fix, as one line naming the fix. */
export function explainAwsError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  // No region, a bad region or a bad AWS_ENDPOINT_URL*: the message names the setting.
  if (err instanceof EndpointError) return new OperationError(err.message);
  const e = err as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message ?? '')) {
    return new OperationError('no AWS credentials found: set AWS_PROFILE (or --profile) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or read a log directory with --source DIR');
  }
  if (/Region is missing/i.test(e.message ?? '')) return new OperationError('no AWS region: pass --region or set AWS_REGION');
  if (err instanceof AwsNetworkError) {
    return new OperationError(`cannot reach AWS (${err.code}): ${err.message}; check the network, or AWS_ENDPOINT_URL_CLOUDWATCH_LOGS / AWS_ENDPOINT_URL when set`);
  }
  if (e.name === 'UnrecognizedClientException' || e.name === 'InvalidSignatureException' || e.name === 'ExpiredTokenException') {
    return new OperationError(`AWS rejected the credentials (${e.name}): refresh them or pass another --profile`);
  }
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied') {
    return new OperationError(`access denied by AWS: ${e.message ?? ''} (the command needs logs:StartQuery, logs:GetQueryResults, logs:FilterLogEvents and logs:DescribeLogGroups)`);
  }
  return err;
}

/** Clears the in-place progress line once the answer is ready. */
export function clearProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
}
