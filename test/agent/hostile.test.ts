// "Never hurt the function" under hostile conditions (issue 2), the way a
// function meets them: each case runs a real child process (a fixture in
// test/fixtures/hostile/ that imports src/index.ts and calls wrap), with real
// HTTP servers on 127.0.0.1 and real pipes. Results come back over IPC, since
// stdout belongs to the agent. No wall-clock assertions: the safety timer only
// kills a child that hangs, and says so; the time cost is measured by
// bench/agent-hostile.bench.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Only kills a child that would otherwise hang the suite; never the thing asserted. */
const SAFETY_KILL_MS = 45_000;

type Message = Record<string, any>;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  killedBySafetyNet: boolean;
}

interface Fixture {
  child: ChildProcess;
  messages: Message[];
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

const running = new Set<ChildProcess>();
const servers = new Set<http.Server>();
after(async () => {
  for (const c of running) c.kill('SIGKILL');
  await Promise.all([...servers].map(closeServer));
});

/** The environment of a function: the parent's own FAULTLINE_/OTEL_ settings never leak in. */
function functionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('FAULTLINE_') && !k.startsWith('OTEL_') && !k.startsWith('AWS_') && !k.startsWith('_X_AMZN')) env[k] = v;
  }
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: 'hostile',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'eu-west-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

function startFixture(script: string, args: string[], env: Record<string, string>, opts: { keepStdout?: boolean } = {}): Fixture {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURES + script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: functionEnv(env),
  });
  running.add(child);
  const messages: Message[] = [];
  let out = '';
  let err = '';
  child.on('message', (m) => messages.push(m as Message));
  if (opts.keepStdout !== false) child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  let killedBySafetyNet = false;
  const safety = setTimeout(() => {
    killedBySafetyNet = true;
    child.kill('SIGKILL');
  }, SAFETY_KILL_MS);
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(safety);
      running.delete(child);
      resolve({ code, signal, killedBySafetyNet });
    });
  });
  return { child, messages, stdout: () => out, stderr: () => err, exited };
}

/** Asserts the child finished its work and then exited on its own, cleanly. */
async function assertCleanExit(f: Fixture): Promise<void> {
  const exit = await f.exited;
  assert.equal(exit.killedBySafetyNet, false, `the function process did not exit by itself; stderr:\n${f.stderr()}`);
  assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `stderr:\n${f.stderr()}`);
  assert.ok(f.messages.some((m) => m.type === 'done'), 'the fixture reported it was done');
}

function listen(server: http.Server): Promise<number> {
  servers.add(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: http.Server): Promise<void> {
  servers.delete(server);
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function jsonLines(text: string): Message[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Message);
}

const results = (f: Fixture) => f.messages.filter((m) => m.type === 'result');

// ---------------------------------------------------------------------------
describe('OTLP export to a collector that misbehaves', () => {
  const COUNT = 5;

  interface Collector {
    port: number;
    requests: { path: string | undefined; contentType: string | undefined; body: Buffer }[];
    server: http.Server;
  }

  async function collector(answer: 'ok' | '500' | 'hang'): Promise<Collector> {
    const requests: Collector['requests'] = [];
    const server = http.createServer((req, res) => {
      // Counted on arrival: the function may give up on a hanging collector before we read it all.
      const request = { path: req.url, contentType: req.headers['content-type'], body: Buffer.alloc(0) };
      requests.push(request);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        request.body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') request.body = gunzipSync(request.body);
        if (answer === 'hang') return; // accepted, read, never answered
        res.writeHead(answer === 'ok' ? 200 : 500, { 'content-type': 'application/json' });
        res.end(answer === 'ok' ? '{}' : '{"code":13,"message":"collector broken"}');
      });
    });
    return { port: await listen(server), requests, server };
  }

  /** A port nothing listens on: opened, noted, closed. */
  async function refusingPort(): Promise<number> {
    const server = http.createServer();
    const port = await listen(server);
    await closeServer(server);
    return port;
  }

  function runOtlp(port: number): Fixture {
    return startFixture('otlp.ts', [], {
      FAULTLINE_TRACES: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      HOSTILE_COUNT: String(COUNT),
    });
  }

  function assertOwnResults(f: Fixture): void {
    const got = results(f);
    assert.equal(got.length, COUNT, `every invocation returned; stderr:\n${f.stderr()}`);
    for (const [n, m] of got.entries()) {
      assert.deepEqual(m.result, { n, requestId: `otlp-${n}` });
      assert.equal(m.same, true, 'the wrapped handler returned the handler’s own object');
    }
    // Logs and EMF still reach stdout, one per invocation.
    const emf = jsonLines(f.stdout()).filter((l) => l._aws !== undefined);
    assert.deepEqual(emf.map((d) => [d.requestId, d.Error]), got.map((m) => [m.requestId, 0]));
  }

  test('a port that refuses connections: every invocation returns its own result, the process exits by itself', async () => {
    const f = runOtlp(await refusingPort());
    await assertCleanExit(f);
    assertOwnResults(f);
  });

  test('a collector that accepts and never answers: it did receive the export, invocations return, the process exits by itself', async () => {
    const c = await collector('hang');
    try {
      const f = runOtlp(c.port);
      await assertCleanExit(f);
      assertOwnResults(f);
      assert.ok(c.requests.length >= 1, 'the hanging collector received at least one export');
      assert.equal(c.requests[0]!.path, '/v1/traces');
    } finally {
      await closeServer(c.server);
    }
  });

  test('a collector that answers 500: invocations return their own results, the process exits by itself', async () => {
    const c = await collector('500');
    try {
      const f = runOtlp(c.port);
      await assertCleanExit(f);
      assertOwnResults(f);
      assert.ok(c.requests.length >= 1, 'the failing collector was asked');
    } finally {
      await closeServer(c.server);
    }
  });

  test('a working collector receives every invocation span on POST /v1/traces, as OTLP/JSON', async () => {
    const c = await collector('ok');
    try {
      const f = runOtlp(c.port);
      await assertCleanExit(f);
      assertOwnResults(f);
      assert.ok(c.requests.length >= 1);
      const spans: { traceId: string; name: string; attrs: Map<string, unknown>; service: unknown }[] = [];
      for (const r of c.requests) {
        assert.equal(r.path, '/v1/traces');
        // exporter-trace-otlp-http sends OTLP/JSON; the protobuf flavour is exporter-trace-otlp-proto.
        assert.equal(r.contentType, 'application/json');
        const doc = JSON.parse(r.body.toString('utf8')) as Message;
        for (const rs of doc.resourceSpans as Message[]) {
          const resource = new Map((rs.resource.attributes as Message[]).map((a) => [a.key, Object.values(a.value)[0]]));
          for (const ss of rs.scopeSpans as Message[]) {
            for (const s of ss.spans as Message[]) {
              spans.push({
                traceId: s.traceId,
                name: s.name,
                attrs: new Map((s.attributes as Message[]).map((a) => [a.key, Object.values(a.value)[0]])),
                service: resource.get('service.name'),
              });
            }
          }
        }
      }
      const invocationIds = spans.map((s) => s.attrs.get('faas.invocation_id')).sort();
      assert.deepEqual(invocationIds, Array.from({ length: COUNT }, (_, n) => `otlp-${n}`).sort());
      // The trace ids the collector got are the ones the function's log lines carry.
      const logTraceIds = new Map(
        jsonLines(f.stdout())
          .filter((l) => l.message === 'working')
          .map((l) => [l.requestId, l.traceId]),
      );
      for (const s of spans) {
        assert.equal(s.service, 'hostile');
        assert.equal(s.attrs.get('faas.name'), 'hostile');
        assert.equal(s.traceId, logTraceIds.get(s.attrs.get('faas.invocation_id')));
      }
    } finally {
      await closeServer(c.server);
    }
  });
});

// ---------------------------------------------------------------------------
test('stdout closed (EPIPE on every write): 200 invocations return their own results and errors, no crash', async () => {
  const f = startFixture('stdoutClosed.ts', [], { HOSTILE_COUNT: '200' }, { keepStdout: false });
  // Destroy our reading end before the function writes anything.
  f.child.stdout!.destroy();
  f.child.send({ type: 'go' });
  await assertCleanExit(f);
  const got = results(f);
  assert.equal(got.length, 200);
  for (const m of got) {
    if (m.n % 10 === 3) assert.equal(m.error, `bad n ${m.n}`, 'the handler’s own error came back');
    else assert.deepEqual(m.result, { n: m.n });
  }
  const done = f.messages.find((m) => m.type === 'done')!;
  assert.equal(done.stdoutError, 'EPIPE', 'the writes really failed (else this test proves nothing)');
});

// ---------------------------------------------------------------------------
describe('hostile values in logs, hostile sinks: the invocation result is unaffected', () => {
  const cases: { variant: string; group: 'console' | 'fields' | 'calls' }[] = [
    { variant: 'stdout', group: 'console' },
    { variant: 'stdout', group: 'fields' },
    { variant: 'write-throws', group: 'console' },
    { variant: 'write-throws', group: 'fields' },
    { variant: 'sink-throws', group: 'console' },
    { variant: 'sink-throws', group: 'fields' },
    { variant: 'processor-throws', group: 'console' },
    { variant: 'processor-throws', group: 'fields' },
    { variant: 'stdout', group: 'calls' },
    { variant: 'sink-throws', group: 'calls' },
    { variant: 'processor-throws', group: 'calls' },
  ];

  for (const { variant, group } of cases) {
    const what = { console: 'hostile console.* arguments', fields: 'hostile logger fields', calls: 'outgoing calls (client spans)' }[group];
    test(`${variant}: ${what}`, async () => {
      const f = startFixture('hostileLogging.ts', [variant, group], {});
      await assertCleanExit(f);
      const done = f.messages.find((m) => m.type === 'done')!;
      assert.ok(done.invocations > 0);
      assert.deepEqual(done.failures, [], `stderr:\n${f.stderr()}`);
      if (variant === 'stdout') {
        // What did get written is still one JSON object per line.
        const lines = f.stdout().split('\n').filter(Boolean);
        assert.ok(lines.length >= done.invocations, 'the agent wrote its lines');
        for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l.slice(0, 300)}`);
      }
    });
  }
});

// ---------------------------------------------------------------------------
describe('50 concurrent invocations in one process keep their own ids and keys', () => {
  for (const seed of [1, 2]) {
    test(`seed ${seed}: every log line, span and EMF document carries only its own request id, trace id and keys`, async () => {
      const COUNT = 50;
      const echo = http.createServer((req, res) => res.end(String(req.headers.traceparent)));
      const port = await listen(echo);
      try {
        const f = startFixture('concurrent.ts', [], {
          HOSTILE_SEED: String(seed),
          HOSTILE_COUNT: String(COUNT),
          HOSTILE_ECHO_URL: `http://127.0.0.1:${port}`,
        });
        await assertCleanExit(f);
        const got = results(f);
        assert.equal(got.length, COUNT + 1);
        const lines = jsonLines(f.stdout());
        const spans = lines.filter((l) => l.type === 'span');
        const emf = lines.filter((l) => l._aws !== undefined);
        const logs = lines.filter((l) => l.type === undefined && l._aws === undefined);

        // Each invocation's trace: the caller's for the HTTP ones, else what its own span says.
        const traceOf = new Map<string, string>();
        for (const s of spans.filter((s) => s.kind !== 'CLIENT')) traceOf.set(s.attributes['faas.invocation_id'], s.traceId);
        assert.equal(traceOf.size, COUNT + 1, 'one invocation span per invocation');
        assert.equal(new Set(traceOf.values()).size, COUNT + 1, 'no two invocations share a trace');
        const requestOfTrace = new Map([...traceOf].map(([r, t]) => [t, r]));

        for (let i = 0; i < COUNT; i++) {
          const requestId = `conc-${i}`;
          const traceId = traceOf.get(requestId)!;
          if (i % 2 === 0) assert.equal(traceId, (0xabc000 + i).toString(16).padStart(32, '0'), 'the caller trace id is kept');
          const m = got.find((r) => r.requestId === requestId)!;
          assert.equal(m.result.requestId, requestId, 'its own result');
          assert.equal(m.result.seenTraceparent.split('-')[1], traceId, 'its outgoing call carried its own trace');

          const own = logs.filter((l) => l.requestId === requestId);
          assert.deepEqual(own.map((l) => l.message).sort(), [`step one of ${requestId}`, 'step two'].sort());
          for (const l of own) {
            assert.equal(l.traceId, traceId, `${requestId}: log line with another trace: ${JSON.stringify(l)}`);
            assert.equal(l.own, requestId, `${requestId}: appended key from another invocation: ${JSON.stringify(l)}`);
            const keys = Object.keys(l).filter((k) => k.startsWith('key_'));
            assert.deepEqual(keys, [`key_${i}`], `${requestId}: keys of others: ${JSON.stringify(l)}`);
          }
          const docs = emf.filter((d) => d.requestId === requestId);
          assert.equal(docs.length, 1, `${requestId}: one EMF document`);
          assert.equal(docs[0]!.traceId, traceId);
          const client = spans.filter((s) => s.kind === 'CLIENT' && s.requestId === requestId);
          assert.equal(client.length, 1, `${requestId}: one client span`);
          assert.equal(client[0]!.traceId, traceId);
          assert.equal(client[0]!.attributes['url.full'], `http://127.0.0.1:${port}/${requestId}`);
        }
        // Nothing anywhere pairs one invocation's request id with another's trace id.
        for (const l of [...spans, ...emf, ...logs]) {
          assert.equal(requestOfTrace.get(l.traceId), l.requestId, `mixed ids: ${JSON.stringify(l).slice(0, 400)}`);
        }
        // The invocation after all of them starts clean.
        const later = logs.filter((l) => l.requestId === 'later-0');
        assert.equal(later.length, 2);
        for (const l of later) {
          assert.equal(l.own, undefined, `a key appended earlier leaked: ${JSON.stringify(l)}`);
          assert.deepEqual(Object.keys(l).filter((k) => k.startsWith('key_')), []);
          assert.equal(l.coldStart, undefined);
        }
      } finally {
        await closeServer(echo);
      }
    });
  }
});

// ---------------------------------------------------------------------------
test('deadline passes mid-handler: open spans ended and marked, EMF with Error 1 written while it runs, late result unchanged', async () => {
  const held: (() => void)[] = [];
  let releasedBy: 'telemetry' | 'safety' | undefined;
  const release = (why: 'telemetry' | 'safety') => {
    if (releasedBy) return;
    releasedBy = why;
    for (const answer of held.splice(0)) answer();
  };
  const hold = http.createServer((req, res) => {
    const answer = () => res.end(`answered ${req.url}`);
    if (req.url === '/warm' || releasedBy) answer();
    else held.push(answer);
  });
  const port = await listen(hold);
  try {
    const f = startFixture('deadline.ts', [], { HOSTILE_HOLD_URL: `http://127.0.0.1:${port}`, HOSTILE_REMAINING_MS: '2000' });
    // The held calls are answered only once the slow invocation's EMF document is out — or,
    // if the agent never writes it, by this safety timer, which then fails the test below.
    const safety = setTimeout(() => release('safety'), SAFETY_KILL_MS / 2);
    let seenAtRelease = '';
    f.child.stdout!.on('data', () => {
      if (releasedBy) return;
      const emfOut = jsonLines(f.stdout().slice(0, f.stdout().lastIndexOf('\n') + 1)).some(
        (l) => l._aws !== undefined && l.requestId === 'late-0',
      );
      if (emfOut) {
        seenAtRelease = f.stdout();
        release('telemetry');
      }
    });
    await assertCleanExit(f);
    clearTimeout(safety);
    assert.equal(releasedBy, 'telemetry', 'the EMF document was written while the handler was still waiting');

    const got = results(f);
    const late = got.find((m) => m.requestId === 'late-0')!;
    assert.deepEqual(late.result, { late: true, bodies: ['answered /http', 'answered /fetch'] });
    assert.equal(late.same, true, 'the late result is the handler’s own object');
    assert.equal(got.find((m) => m.requestId === 'next-0')?.result, 'next');

    // Everything below was on stdout before the held calls were answered.
    const early = jsonLines(seenAtRelease).filter((l) => l.requestId === 'late-0');
    const emf = early.filter((l) => l._aws !== undefined);
    assert.equal(emf.length, 1);
    assert.equal(emf[0]!.Error, 1);
    assert.equal(emf[0]!.timedOut, true);
    const spans = early.filter((l) => l.type === 'span');
    const client = spans.filter((s) => s.kind === 'CLIENT');
    assert.deepEqual(client.map((s) => s.attributes['url.full']).sort(), [`http://127.0.0.1:${port}/fetch`, `http://127.0.0.1:${port}/http`]);
    for (const s of client) {
      assert.equal(s.attributes['faultline.timeout'], true);
      assert.equal(s.status.code, 'ERROR');
    }
    const server = spans.find((s) => s.kind !== 'CLIENT')!;
    assert.equal(server.attributes['faultline.timeout'], true);
    assert.equal(server.status.code, 'ERROR');
    assert.ok(early.some((l) => l.level === 'WARN' && /about to time out/.test(l.message)));

    // Nothing written twice once the late result came back, and the next invocation starts clean.
    const all = jsonLines(f.stdout());
    assert.equal(all.filter((l) => l._aws !== undefined && l.requestId === 'late-0').length, 1, 'one EMF document only');
    assert.equal(all.filter((l) => l.type === 'span' && l.requestId === 'late-0').length, 3, 'each span written once');
    const next = all.filter((l) => l.requestId === 'next-0');
    assert.ok(next.length > 0);
    for (const l of next) {
      assert.equal(l.slowKey, undefined);
      if (l._aws !== undefined) assert.equal(l.Error, 0);
    }
  } finally {
    await closeServer(hold);
  }
});
