// Several invocations in one process stay apart (Lambda Managed Instances,
// aws-lambda-ric's multi-concurrent mode): 64 overlapping invocations, each
// logging from a timer and an event emitter and making one outgoing call of a
// kind from test/fixtures/concurrency/callKinds.ts (fetch, npm undici with
// limited pools, http with a limited keep-alive agent) to an echo server that
// answers with the traceparent it got. Every log line, span and downstream
// traceparent must belong to its own invocation. Run in a child process
// directly, and under aws-lambda-ric with AWS_LAMBDA_MAX_CONCURRENCY against
// the local Runtime API (cli/local/runtimeApi.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRuntimeApi } from '../../cli/local/runtimeApi.js';
import { awsLambdaRic4, cachedNodePath } from '../../cli/local/runtimeNode.js';
import { CALL_KINDS } from '../fixtures/concurrency/callKinds.js';
import { closeServer, listen } from '../helpers/targetServer.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/concurrency/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const COUNT = 64;
/** Only kills a child that would otherwise hang the suite; never the thing asserted. */
const SAFETY_KILL_MS = 90_000;

type Line = Record<string, any>;

interface Result {
  readonly requestId: string;
  readonly kind: string;
  readonly seenTraceparent: string;
  /** Invocations in flight when it made its call. */
  readonly overlapping: number;
}

interface Run {
  readonly stdout: string;
  readonly stderr: string;
  readonly results: Result[];
}

const running = new Set<ChildProcess>();
after(() => {
  for (const c of running) c.kill('SIGKILL');
});

/** The environment of a function: the parent's own FAULTLINE_/OTEL_/AWS_ settings never leak in. */
function functionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('FAULTLINE_') && !k.startsWith('OTEL_') && !k.startsWith('AWS_') && !k.startsWith('_X_AMZN') && k !== 'NODE_OPTIONS') env[k] = v;
  }
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: 'concurrency',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_REGION: 'eu-west-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Runs `argv` with `node` until it exits; resolves with its output and the results it sent over IPC. */
function runChild(node: string, argv: string[], env: Record<string, string>, until?: Promise<Result[]>): Promise<Run> {
  const child = spawn(node, ['--import', 'tsx', ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: functionEnv(env) });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const results: Result[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.on('message', (m: { type?: string; result?: Result }) => {
    if (m.type === 'result' && m.result) results.push(m.result);
  });
  // Output may still be in the pipes when 'exit' fires: the pipes' own ends say when it is all in.
  const drained = Promise.all([new Promise((r) => child.stdout!.once('close', r)), new Promise((r) => child.stderr!.once('close', r))]);
  const safety = setTimeout(() => child.kill('SIGKILL'), SAFETY_KILL_MS);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return (async () => {
    if (until !== undefined) {
      // A runtime client never exits by itself: it is stopped once every invocation has its result and
      // its invocation span is out (the agent writes that line after the runtime has posted the response).
      let gone = false;
      void exited.then(() => (gone = true));
      results.push(...(await Promise.race([until, exited.then(() => [] as Result[])])));
      const spansOut = () => results.every((r) => stdout.includes(`"faas.invocation_id":"${r.requestId}"`));
      while (!gone && !spansOut()) await Promise.race([once(child.stdout!, 'data'), exited]);
      child.kill('SIGTERM');
    }
    const exit = await exited;
    clearTimeout(safety);
    running.delete(child);
    await drained;
    if (until === undefined) assert.equal(exit.code, 0, `the child exited cleanly (signal ${exit.signal}); stderr:\n${stderr.slice(-3000)}`);
    return { stdout, stderr, results };
  })();
}

function jsonLines(text: string): Line[] {
  const out: Line[] = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      out.push(JSON.parse(l) as Line);
    } catch {
      // a runtime client line that only looks like JSON
    }
  }
  return out;
}

/** An echo server: answers each request with the traceparent it carried, and records it by path. */
async function startEcho(): Promise<{ url: string; h2url: string; seen: Map<string, string | undefined>; close(): Promise<void> }> {
  const seen = new Map<string, string | undefined>();
  const echo = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const traceparent = req.headers.traceparent as string | undefined;
    seen.set(decodeURIComponent((req.url ?? '').slice(1)), traceparent);
    req.resume();
    res.end(String(traceparent));
  };
  const server = http.createServer(echo);
  const h2server = http2.createServer(echo);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2server.on('session', (s) => sessions.add(s));
  const port = await listen(server);
  const h2port = await new Promise<number>((resolve) => h2server.listen(0, '127.0.0.1', () => resolve((h2server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    h2url: `http://127.0.0.1:${h2port}`,
    seen,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => h2server.close(() => resolve()));
      await closeServer(server);
    },
  };
}

/** Every log line, span and downstream traceparent of each invocation is its own. */
function assertApart(run: Run, seen: Map<string, string | undefined>, requestIds: readonly string[]): void {
  const lines = jsonLines(run.stdout);
  const spans = lines.filter((l) => l.type === 'span');
  const logs = lines.filter((l) => l.type === undefined && l._aws === undefined && typeof l.requestId === 'string' && l.message !== undefined);
  assert.equal(run.results.length, requestIds.length, `a result for every invocation; stderr:\n${run.stderr.slice(-2000)}`);
  const overlap = Math.max(...run.results.map((r) => r.overlapping));
  assert.ok(overlap >= requestIds.length / 2, `the invocations overlapped (at most ${overlap} at once)`);

  const traceOf = new Map<string, string>();
  for (const s of spans.filter((s) => s.kind !== 'CLIENT')) traceOf.set(s.attributes['faas.invocation_id'], s.traceId);
  const requestOfTrace = new Map([...traceOf].map(([r, t]) => [t, r]));
  assert.equal(new Set(traceOf.values()).size, traceOf.size, 'no two invocations share a trace');

  const wrong: string[] = [];
  for (const requestId of requestIds) {
    const traceId = traceOf.get(requestId);
    const result = run.results.find((r) => r.requestId === requestId);
    if (traceId === undefined || result === undefined) {
      wrong.push(`${requestId}: ${traceId === undefined ? 'no invocation span' : 'no result'}`);
      continue;
    }
    const client = spans.filter((s) => s.kind === 'CLIENT' && s.requestId === requestId);
    const own = `${requestId} (${result.kind})`;
    if (client.length !== 1) {
      wrong.push(`${own}: ${client.length} client spans`);
      continue;
    }
    const span = client[0]!;
    const expected = `00-${traceId}-${span.spanId}-01`;
    if (span.traceId !== traceId) wrong.push(`${own}: its client span is in trace ${span.traceId} (${requestOfTrace.get(span.traceId)}'s)`);
    if (span.attributes['url.full'] !== undefined && !String(span.attributes['url.full']).endsWith(`/${encodeURIComponent(requestId)}`)) {
      wrong.push(`${own}: its client span is for ${span.attributes['url.full']}`);
    }
    const downstream = seen.get(requestId);
    if (downstream !== expected) {
      wrong.push(`${own}: sent traceparent ${downstream} (trace of ${requestOfTrace.get(String(downstream).split('-')[1] ?? '')}), its span's is ${expected}`);
    }
    if (result.seenTraceparent !== downstream) wrong.push(`${own}: got back ${result.seenTraceparent}, the server saw ${downstream}`);
    const messages = logs.filter((l) => l.requestId === requestId).map((l) => String(l.message));
    for (const m of ['timer fired', 'event heard', 'call done']) if (!messages.includes(m)) wrong.push(`${own}: no "${m}" line of its own`);
  }
  // Nothing anywhere pairs one invocation's request id with another's trace id, or carries another's keys.
  for (const l of [...spans, ...logs]) {
    if (l.requestId === undefined) continue;
    if (requestOfTrace.get(l.traceId) !== l.requestId) wrong.push(`mixed ids: ${JSON.stringify(l).slice(0, 300)}`);
    if (l.type === undefined && l.own !== undefined && l.own !== l.requestId) wrong.push(`another invocation's key: ${JSON.stringify(l).slice(0, 300)}`);
  }
  assert.deepEqual(wrong, [], `${wrong.length} problems:\n${wrong.slice(0, 40).join('\n')}`);
}

const requestIds = Array.from({ length: COUNT }, (_, i) => `conc-${i}`);

describe(`${COUNT} overlapping invocations in one process stay apart, across ${CALL_KINDS.length} kinds of call`, () => {
  test('invocations run concurrently by the function itself (as Lambda Managed Instances do)', async () => {
    const echo = await startEcho();
    try {
      const run = await runChild(process.execPath, [join(FIXTURES, 'direct.ts')], { CONCURRENCY_ECHO_URL: echo.url, CONCURRENCY_ECHO_H2_URL: echo.h2url, CONCURRENCY_COUNT: String(COUNT) });
      assertApart(run, echo.seen, requestIds);
    } finally {
      await echo.close();
    }
  });

  const node = multiConcurrentNode();
  test("aws-lambda-ric's multi-concurrent mode (AWS_LAMBDA_MAX_CONCURRENCY)", { skip: node.skip }, async () => {
    const echo = await startEcho();
    const api = await startRuntimeApi();
    try {
      const invoked = Promise.all(
        requestIds.map(async (requestId, i) => {
          const r = await api.invoke({ i }, { requestId, timeoutMs: 60_000, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:concurrency' });
          assert.equal(r.kind, 'response', JSON.stringify(r));
          return (r as { payload: Result }).payload;
        }),
      );
      const run = await runChild(
        node.path!,
        [awsLambdaRic4().entry],
        {
          CONCURRENCY_ECHO_URL: echo.url,
          CONCURRENCY_ECHO_H2_URL: echo.h2url,
          AWS_LAMBDA_RUNTIME_API: api.address,
          _HANDLER: 'ricHandler.handler',
          LAMBDA_TASK_ROOT: FIXTURES,
          AWS_LAMBDA_MAX_CONCURRENCY: String(COUNT),
          CONCURRENCY_GATHER: String(COUNT / 2),
          // One worker thread: every invocation in one event loop, as the test means.
          AWS_LAMBDA_NODEJS_WORKER_COUNT: '1',
          AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/concurrency',
          AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/03/[$LATEST]concurrency',
        },
        invoked,
      );
      assertApart(run, echo.seen, requestIds);
    } finally {
      await api.close();
      await echo.close();
    }
  });
});

/**
 * A Node.js new enough for aws-lambda-ric 4 (22 or later): this one, or one
 * from the cache of Node binaries `faultline local` uses (cachedNodePath; nothing is fetched).
 */
function multiConcurrentNode(): { path?: string; skip: string | false } {
  if (Number(process.versions.node.split('.')[0]) >= 22) return { path: process.execPath, skip: false };
  for (const major of [24, 22]) {
    const candidate = cachedNodePath(major);
    if (existsSync(candidate)) return { path: candidate, skip: false };
  }
  return {
    skip: `aws-lambda-ric 4 needs Node.js 22 or later; this is ${process.version} and there is no ${cachedNodePath(24)} or ${cachedNodePath(22)}`,
  };
}
