// `logs tail` on CloudWatch through Live Tail: a session streams new events
// as they are ingested, for at most 10 log groups, so more functions run
// several sessions merged into one stream. A session that reaches its time
// limit is restarted.
import type { LiveTailSessionLogEvent, LogsApi } from './cloudWatchApi.js';
import { OperationError } from '../common.js';
import { batches } from './insights.js';
import { budgetedCall, DEFAULT_RETRY, type RateBudget, type RetryPolicy } from './rateBudget.js';
import type { SourceEvent } from './records.js';

/** StartLiveTail accepts at most 10 log groups per session. */
export const MAX_GROUPS_PER_SESSION = 10;

export interface LiveTailOptions {
  readonly client: LogsApi;
  readonly budget: RateBudget;
  readonly retry?: RetryPolicy;
  readonly functions: readonly string[];
  readonly signal: AbortSignal;
}

const GROUP_PREFIX = '/aws/lambda/';

/** Live Tail wants log group ARNs: one DescribeLogGroups per function. */
async function groupArns(opts: LiveTailOptions): Promise<Map<string, string>> {
  const arnToFn = new Map<string, string>();
  for (const fn of opts.functions) {
    const res = await budgetedCall(opts.budget, () => opts.client.describeLogGroups({ logGroupNamePrefix: GROUP_PREFIX + fn }), opts.retry ?? DEFAULT_RETRY);
    const group = res.logGroups?.find((g) => g.logGroupName === GROUP_PREFIX + fn);
    const arn = group?.logGroupArn ?? group?.arn?.replace(/:\*$/, '');
    if (!arn) throw new OperationError(`function ${fn}: no log group ${GROUP_PREFIX}${fn} to tail`);
    arnToFn.set(arn, fn);
  }
  return arnToFn;
}

function functionOf(identifier: string | undefined, arnToFn: ReadonlyMap<string, string>): string | undefined {
  if (identifier === undefined) return undefined;
  const direct = arnToFn.get(identifier) ?? arnToFn.get(identifier.replace(/:\*$/, ''));
  if (direct) return direct;
  const i = identifier.indexOf(GROUP_PREFIX);
  return i >= 0 ? identifier.slice(i + GROUP_PREFIX.length).replace(/:\*$/, '') : undefined;
}

/** One session's events, restarted when Live Tail ends it for its time limit. */
async function pumpSession(
  arns: string[],
  arnToFn: ReadonlyMap<string, string>,
  opts: LiveTailOptions,
  push: (e: SourceEvent) => void,
): Promise<void> {
  while (!opts.signal.aborted) {
    const stream = await budgetedCall(opts.budget, () => opts.client.startLiveTail({ logGroupIdentifiers: arns }, opts.signal), opts.retry ?? DEFAULT_RETRY);
    let timedOut = false;
    for await (const item of stream) {
      if (opts.signal.aborted) return;
      if ('sessionUpdate' in item) {
        for (const e of item.sessionUpdate.sessionResults ?? []) {
          const ev = toSourceEvent(e, arnToFn);
          if (ev) push(ev);
        }
      } else if ('SessionTimeoutException' in item) {
        timedOut = true;
        break;
      } else if ('SessionStreamingException' in item) {
        throw new OperationError(`Live Tail session failed: ${item.SessionStreamingException.message ?? 'streaming error'}`);
      }
    }
    if (!timedOut) return;
  }
}

function toSourceEvent(e: LiveTailSessionLogEvent, arnToFn: ReadonlyMap<string, string>): SourceEvent | undefined {
  const fn = functionOf(e.logGroupIdentifier, arnToFn);
  if (fn === undefined || e.timestamp === undefined || e.message === undefined) return undefined;
  const stream = e.logStreamName ?? '';
  return { timestamp: e.timestamp, message: e.message, function: fn, stream, key: `${fn}\0${stream}\0${e.timestamp}\0${e.message}` };
}

/** Events of all functions as Live Tail delivers them, until the signal aborts or every session ends. */
export async function* liveTail(opts: LiveTailOptions): AsyncGenerator<SourceEvent> {
  const arnToFn = await groupArns(opts);
  const queue: SourceEvent[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  let running = 0;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (const arns of batches([...arnToFn.keys()], MAX_GROUPS_PER_SESSION)) {
    running++;
    pumpSession(arns, arnToFn, opts, (e) => {
      queue.push(e);
      notify();
    })
      .catch((err: unknown) => {
        if (!opts.signal.aborted) failure ??= err;
      })
      .finally(() => {
        running--;
        notify();
      });
  }
  const onAbort = () => notify();
  opts.signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      while (queue.length > 0) {
        if (opts.signal.aborted) return;
        yield queue.shift()!;
      }
      if (failure !== undefined) throw failure;
      if (opts.signal.aborted || running === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
}
