// Which functions a command reads: --functions a,b | --prefix P | --stack S,
// resolved against the log source. A name that has no logs is an error
// naming it, never a silent empty result.
import type { CloudFormationApi } from './cloudFormationApi.js';
import type { LogsApi } from './cloudWatchApi.js';
import { OperationError, UsageError } from '../common.js';
import { hasFunction, listFunctions, STREAM_EXT } from './logDirLayout.js';
import { LAMBDA_LOG_GROUP_PREFIX } from './cloudWatchSource.js';
import { budgetedCall, DEFAULT_RETRY, type RateBudget, type RetryPolicy } from './rateBudget.js';

export type FunctionSelection =
  /** No flag given: every function of a log directory; CloudWatch asks for a choice. */
  | { readonly by: 'all' }
  | { readonly by: 'names'; readonly names: readonly string[] }
  | { readonly by: 'prefix'; readonly prefix: string }
  | { readonly by: 'stack'; readonly stack: string };

export interface SelectionFlags {
  functions?: string;
  prefix?: string;
  stack?: string;
}

const FUNCTION_NAME_RE = /^[A-Za-z0-9_-]{1,140}$/;

/** Pure: at most one of the three flags, well-formed; none means every function (of a log directory). */
export function parseSelection(flags: SelectionFlags, { allowStack = true } = {}): FunctionSelection {
  const given = (['functions', 'prefix', 'stack'] as const).filter((k) => flags[k] !== undefined);
  const choices = allowStack ? '--functions a,b, --prefix P or --stack S' : '--functions a,b or --prefix P';
  if (given.length === 0) return { by: 'all' };
  if (given.length > 1) throw new UsageError(`${given.map((g) => `--${g}`).join(' and ')}: expected only one of ${choices}`);
  if (flags.functions !== undefined) {
    const names = flags.functions.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (names.length === 0) throw new UsageError(`--functions ${JSON.stringify(flags.functions)}: expected comma-separated function names like orders,payments`);
    for (const n of names) {
      if (!FUNCTION_NAME_RE.test(n)) throw new UsageError(`--functions ${n}: expected a Lambda function name (letters, digits, - and _)`);
    }
    return { by: 'names', names: [...new Set(names)] };
  }
  if (flags.prefix !== undefined) {
    if (flags.prefix.trim() === '') throw new UsageError('--prefix "": expected the start of function names, like orders-');
    return { by: 'prefix', prefix: flags.prefix.trim() };
  }
  if (!allowStack) throw new UsageError(`--stack: not supported here; expected ${choices}`);
  if (!flags.stack || flags.stack.trim() === '') throw new UsageError('--stack "": expected a CloudFormation stack name');
  return { by: 'stack', stack: flags.stack.trim() };
}

export interface StackLookup {
  readonly cloudFormation: CloudFormationApi;
  readonly budget: RateBudget;
  readonly retry?: RetryPolicy;
}

/** The physical names of the stack's Lambda functions (ListStackResources, every page). */
export async function functionsInStack(stack: string, lookup: StackLookup): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    let res;
    try {
      res = await budgetedCall(
        lookup.budget,
        () => lookup.cloudFormation.listStackResources({ StackName: stack, ...(token ? { NextToken: token } : {}) }),
        lookup.retry ?? DEFAULT_RETRY,
      );
    } catch (err) {
      const e = err as { name?: string; message?: string };
      if (e.name === 'ValidationError') throw new OperationError(`--stack ${stack}: no such CloudFormation stack in this account and region`);
      if (e.name === 'AccessDenied' || e.name === 'AccessDeniedException') {
        throw new OperationError(`--stack ${stack}: access denied by CloudFormation: ${e.message ?? ''} (--stack needs cloudformation:ListStackResources)`);
      }
      throw err;
    }
    for (const r of res.summaries) {
      if (r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId) names.push(r.PhysicalResourceId);
    }
    // A token handed back unchanged would page forever.
    if (res.nextToken !== undefined && res.nextToken === token) break;
    token = res.nextToken;
  } while (token);
  if (names.length === 0) throw new OperationError(`--stack ${stack}: the stack has no AWS::Lambda::Function resources`);
  return names.sort();
}

/** Resolves against a run directory: DIR/<function>.log or DIR/<function>/ must exist. */
export async function selectFromLogDir(dir: string, sel: FunctionSelection, stack?: StackLookup): Promise<string[]> {
  let available: string[];
  try {
    available = await listFunctions(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new OperationError(`--source ${dir}: no such log directory; expected DIR/<function>${STREAM_EXT} or DIR/<function>/<stream>${STREAM_EXT} (run faultline local first)`);
    throw err;
  }
  const known = () => (available.length ? available.join(', ') : 'none');
  if (sel.by === 'all') {
    if (available.length === 0) throw new OperationError(`--source ${dir}: no function logs in it; expected DIR/<function>${STREAM_EXT} or DIR/<function>/<stream>${STREAM_EXT} (run faultline local first)`);
    return available;
  }
  if (sel.by === 'prefix') {
    const found = available.filter((f) => f.startsWith(sel.prefix));
    if (found.length === 0) throw new OperationError(`--prefix ${sel.prefix}: no function in ${dir} starts with it (functions there: ${known()})`);
    return found;
  }
  const names = sel.by === 'names' ? sel.names : await functionsInStack(sel.stack, requireStack(stack));
  for (const n of names) {
    if (!(await hasFunction(dir, n))) throw new OperationError(`function ${n}: unknown in ${dir} (functions there: ${known()})`);
  }
  return [...names];
}

/** CloudWatch has no one set of "your functions": the user names them. */
export function cloudWatchNeedsChoice(allowStack: boolean): string {
  const choices = allowStack ? '--functions a,b, --prefix P or --stack S' : '--functions a,b or --prefix P';
  return `no functions chosen: expected ${choices} to read CloudWatch Logs (or --source DIR to read every function of a log directory)`;
}

function requireStack(stack: StackLookup | undefined): StackLookup {
  if (!stack) throw new UsageError('--stack: needs AWS access to read the stack');
  return stack;
}

export interface LogGroupLookup {
  readonly logs: LogsApi;
  readonly budget: RateBudget;
  readonly retry?: RetryPolicy;
}

/** Log group names under a prefix, every page. */
export async function logGroupsWithPrefix(prefix: string, lookup: LogGroupLookup): Promise<string[]> {
  const groups: string[] = [];
  let token: string | undefined;
  for (;;) {
    const res = await budgetedCall(
      lookup.budget,
      () => lookup.logs.describeLogGroups({ logGroupNamePrefix: prefix, ...(token ? { nextToken: token } : {}) }),
      lookup.retry ?? DEFAULT_RETRY,
    );
    for (const g of res.logGroups ?? []) if (g.logGroupName) groups.push(g.logGroupName);
    if (!res.nextToken || res.nextToken === token) break;
    token = res.nextToken;
  }
  return groups;
}

/** Resolves against CloudWatch Logs: each function needs its /aws/lambda/<name> log group. */
export async function selectFromCloudWatch(sel: FunctionSelection, lookup: LogGroupLookup, stack?: StackLookup): Promise<string[]> {
  if (sel.by === 'all') throw new UsageError(cloudWatchNeedsChoice(true));
  if (sel.by === 'prefix') {
    const groups = await logGroupsWithPrefix(LAMBDA_LOG_GROUP_PREFIX + sel.prefix, lookup);
    const fns = groups.map((g) => g.slice(LAMBDA_LOG_GROUP_PREFIX.length)).sort();
    if (fns.length === 0) throw new OperationError(`--prefix ${sel.prefix}: no log group ${LAMBDA_LOG_GROUP_PREFIX}${sel.prefix}* in this account and region`);
    return fns;
  }
  const names = sel.by === 'names' ? sel.names : await functionsInStack(sel.stack, requireStack(stack));
  for (const n of names) {
    const groups = await logGroupsWithPrefix(LAMBDA_LOG_GROUP_PREFIX + n, lookup);
    if (!groups.includes(LAMBDA_LOG_GROUP_PREFIX + n)) {
      throw new OperationError(`function ${n}: unknown; no log group ${LAMBDA_LOG_GROUP_PREFIX}${n} in this account and region (has it run yet?)`);
    }
  }
  return [...names];
}
