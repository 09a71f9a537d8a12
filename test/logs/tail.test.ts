// `logs tail` on CloudWatch: Live Tail sessions (≤ 10 log groups each),
// restart on session timeout, and the polling fallback, against a local HTTP
// server standing in for CloudWatch Logs (test/helpers/fakeAws.ts, Live Tail
// answered as an AWS event stream); and on a log directory, which streams it
// reads on the first pass.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogsApi, type LogsApi } from '../../cli/logs/cloudWatchApi.js';
import { cloudWatchSource } from '../../cli/logs/cloudWatchSource.js';
import { logDirSource, MTIME_SLACK_MS, type SkippedLine } from '../../cli/logs/logDirSource.js';
import { RateBudget, type RetryPolicy } from '../../cli/logs/rateBudget.js';
import type { SourceEvent } from '../../cli/logs/records.js';
import { awsError, eventStream, FakeAws, liveTailEvent, liveTailException, sequence, useFakeAws } from '../helpers/fakeAws.js';

let aws: FakeAws;
const fake = useFakeAws((started) => (aws = started));
const client = async (): Promise<LogsApi> => fake.track(await openLogsApi({ region: 'eu-west-1', env: aws.env }));

const retry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, random: () => 0, sleep: async () => {} };
const arn = (fn: string) => `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${fn}`;
const functions = Array.from({ length: 15 }, (_, i) => `fn-${i}`);

function describeGroups(): void {
  aws.on('DescribeLogGroups', (input: { logGroupNamePrefix: string }) => {
    const name = input.logGroupNamePrefix;
    return { logGroups: [{ logGroupName: name, logGroupArn: arn(name.slice('/aws/lambda/'.length)) }] };
  });
}

const update = (groupArn: string, message: string, timestamp = 1) =>
  liveTailEvent('sessionUpdate', { sessionMetadata: { sampled: false }, sessionResults: [{ logGroupIdentifier: groupArn, logStreamName: 's', message, timestamp }] });

/** The first `n` events followed; fewer if `giveUpMs` passes first, so a missed event fails the test instead of hanging it. */
async function take(source: Pick<ReturnType<typeof cloudWatchSource>, 'follow'>, fns: string[], n: number, sinceMs = Date.now(), giveUpMs?: number): Promise<SourceEvent[]> {
  const controller = new AbortController();
  const giveUp = giveUpMs === undefined ? undefined : setTimeout(() => controller.abort(), giveUpMs);
  const got: SourceEvent[] = [];
  try {
    for await (const e of source.follow({ functions: fns, sinceMs, signal: controller.signal })) {
      got.push(e);
      if (got.length >= n) break;
    }
  } finally {
    clearTimeout(giveUp);
    controller.abort();
  }
  return got;
}

describe('logs tail on CloudWatch', () => {
  test('15 functions run as 2 Live Tail sessions (10 + 5), merged', async () => {
    describeGroups();
    aws.on('StartLiveTail', (input: { logGroupIdentifiers: string[] }) =>
      eventStream([liveTailEvent('sessionStart', { sessionId: 'x' }), ...input.logGroupIdentifiers.map((g) => update(g, `hello from ${g.split('/').pop()}`))]),
    );
    const source = cloudWatchSource({ client: await client(), budget: new RateBudget(1000, 1000), retry });
    const got = await take(source, functions, 15);
    // The sessions start together: their order on the wire is not fixed.
    const sessions = aws.inputsOf('StartLiveTail').map((i: { logGroupIdentifiers: string[] }) => i.logGroupIdentifiers.length);
    assert.deepEqual(sessions.sort((a, b) => b - a), [10, 5]);
    assert.deepEqual(new Set(aws.inputsOf('StartLiveTail').flatMap((i: { logGroupIdentifiers: string[] }) => i.logGroupIdentifiers)), new Set(functions.map(arn)));
    assert.deepEqual(got.map((e) => e.function).sort(), [...functions].sort());
    assert.ok(got.every((e) => e.message === `hello from ${e.function}`));
  });

  test('a session ended by its time limit is started again', async () => {
    describeGroups();
    aws.on('StartLiveTail', sequence(eventStream([update(arn('a'), 'one'), liveTailException('SessionTimeoutException', '3h')]), eventStream([update(arn('a'), 'two')])));
    const source = cloudWatchSource({ client: await client(), budget: new RateBudget(1000, 1000), retry });
    const got = await take(source, ['a'], 2);
    assert.deepEqual(got.map((e) => e.message), ['one', 'two']);
    assert.equal(aws.inputsOf('StartLiveTail').length, 2);
  });

  test('where Live Tail is refused, polls FilterLogEvents and says so', async () => {
    describeGroups();
    aws.on('StartLiveTail', () => awsError('AccessDeniedException', 'not allowed'));
    const now = Date.now();
    aws.on(
      'FilterLogEvents',
      sequence({ events: [], nextToken: 'p' }, { events: [{ timestamp: now + 60_000, message: 'polled line', logStreamName: 's', eventId: '1' }] }, { events: [] }),
    );
    const notices: string[] = [];
    const source = cloudWatchSource({
      client: await client(),
      budget: new RateBudget(1000, 1000),
      retry,
      pollMs: 1,
      notice: (m) => notices.push(m),
    });
    const got = await take(source, ['a'], 1);
    assert.deepEqual(got.map((e) => [e.function, e.message]), [['a', 'polled line']]);
    assert.match(notices[0]!, /Live Tail unavailable \(AccessDeniedException: not allowed\); polling FilterLogEvents instead/);
  });

  test('polling delivers each event once across overlapping polls', async () => {
    const now = Date.now();
    const e0 = { timestamp: now - 60_000, message: 'before --since', logStreamName: 's', eventId: '0' };
    const e1 = { timestamp: now + 1, message: 'first', logStreamName: 's', eventId: '1' };
    const e2 = { timestamp: now + 2, message: 'second', logStreamName: 's', eventId: '2' };
    aws.on('FilterLogEvents', sequence({ events: [e0, e1] }, { events: [e1, e2] }, { events: [e1, e2] }));
    const source = cloudWatchSource({ client: await client(), budget: new RateBudget(1000, 1000), retry, pollMs: 1, liveTail: false });
    const got = await take(source, ['a'], 2, now);
    assert.deepEqual(got.map((e) => e.message), ['first', 'second']);
  });

  test('stopping the tail ends an open Live Tail session: its connection is closed', async () => {
    describeGroups();
    aws.on('StartLiveTail', () => eventStream([liveTailEvent('sessionStart', { sessionId: 'x' }), update(arn('a'), 'one')], true));
    const source = cloudWatchSource({ client: await client(), budget: new RateBudget(1000, 1000), retry });
    const got = await take(source, ['a'], 1);
    assert.deepEqual(got.map((e) => e.message), ['one']);
    // take() aborted its signal: the server sees the session's connection go.
    await aws.allAnswersClosed();
  });

  test('a session that breaks mid-stream (bad framing) fails the tail with a clear error', async () => {
    describeGroups();
    const good = update(arn('a'), 'one');
    const broken = Buffer.from(update(arn('a'), 'two'));
    broken[broken.length - 1]! ^= 0xff;
    aws.on('StartLiveTail', () => eventStream([good, broken]));
    const source = cloudWatchSource({ client: await client(), budget: new RateBudget(1000, 1000), retry });
    const got: SourceEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of source.follow({ functions: ['a'], sinceMs: Date.now(), signal: new AbortController().signal })) got.push(e);
      })(),
      { name: 'EventStreamError', message: 'message checksum mismatch' },
    );
    assert.deepEqual(got.map((e) => e.message), ['one']);
  });
});

describe('logs tail on a log directory', () => {
  const line = (message: string, timestamp: number) => JSON.stringify({ timestamp, message }) + '\n';
  let dir: string;
  /** Function a's one stream. */
  let file: string;
  /** Writes the stream, then sets its mtime: what the first pass decides on. */
  const writeStream = async (content: string, mtimeMs: number) => {
    await writeFile(file, content);
    await utimes(file, new Date(mtimeMs), new Date(mtimeMs));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-follow-'));
    await mkdir(join(dir, 'a'));
    file = join(dir, 'a', 's1.log');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a stream stamped a few ms before --since (the file clock is coarse) is read, its lines filtered by their own time', async () => {
    const sinceMs = Date.now();
    // 5 ms early: what the kernel's coarse clock can stamp on a write made just after Date.now() read sinceMs.
    await writeStream(line('before --since', sinceMs - 60_000) + line('appended just after the tail started', sinceMs + 1), sinceMs - 5);
    const got = await take(logDirSource(dir, { pollMs: 5 }), ['a'], 1, sinceMs, 5_000);
    assert.deepEqual(got.map((e) => e.message), ['appended just after the tail started']);
  });

  test('a line too long to read is skipped once, across polls, and the lines after it are followed', { timeout: 10_000 }, async () => {
    const sinceMs = Date.now();
    const first = line('first', sinceMs + 1);
    await writeStream(first, sinceMs + 1);
    const skipped: SkippedLine[] = [];
    let sawSkip!: () => void;
    const skipSeen = new Promise<void>((resolve) => (sawSkip = resolve));
    const source = logDirSource(dir, { pollMs: 5, maxLineBytes: 64, onSkippedLine: (l) => (skipped.push(l), sawSkip()) });
    const taking = take(source, ['a'], 2, sinceMs, 5_000);
    // The start of a long line, still being written: already too long at this poll.
    await writeFile(file, 'x'.repeat(100), { flag: 'a' });
    await skipSeen;
    await writeFile(file, 'y'.repeat(100) + '\n' + line('after', Date.now()), { flag: 'a' });
    assert.deepEqual((await taking).map((e) => e.message), ['first', 'after']);
    assert.deepEqual(skipped, [{ function: 'a', stream: 's1', offset: Buffer.byteLength(first), file: join('a', 's1.log') }]);
  });

  test('a stream untouched since well before --since is skipped to its end, then followed', async () => {
    const sinceMs = Date.now();
    // A line stamped after --since in a file last written long before: only the skip can keep it out.
    await writeStream(line('never read', sinceMs + 1), sinceMs - MTIME_SLACK_MS - 60_000);
    let pastFirst!: () => void;
    const polledTwice = new Promise<void>((resolve) => (pastFirst = resolve));
    const taking = take(logDirSource(dir, { pollMs: 5, onPoll: (n) => n === 2 && pastFirst() }), ['a'], 1, sinceMs, 5_000);
    await polledTwice; // the first look (which skips the old stream to its end) is over
    await writeFile(file, line('written while following', Date.now()), { flag: 'a' });
    assert.deepEqual((await taking).map((e) => e.message), ['written while following']);
  });
});
