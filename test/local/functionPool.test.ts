// Scaling like Lambda: warm reuse, new environments when concurrency rises,
// replacement after a timeout, reserved concurrency, idle reaping, and no
// process left behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createFunctionPool, newTraceHeader, UnknownFunctionError, type EnvironmentEvent, type InvocationReport } from '../../cli/local/functionPool.js';
import { fixture, isAlive, readFunctionLogs, tempLogDir } from './support.js';

const logs = tempLogDir();
after(() => logs.remove());

/** An HTTP server that holds requests until the test opens the gate. */
async function startGate() {
  const held: ServerResponse[] = [];
  let arrived: Array<() => void> = [];
  const server: Server = createServer((_req, res) => {
    held.push(res);
    for (const f of arrived) f();
    arrived = [];
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    /** Resolves once `n` requests are being held. */
    async waitFor(n: number) {
      while (held.length < n) await new Promise<void>((r) => arrived.push(r));
    },
    open(body = 'open') {
      for (const res of held.splice(0)) res.end(body);
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function payload(r: InvocationReport): Record<string, unknown> {
  assert.equal(r.kind, 'response', JSON.stringify(r));
  return (r as { payload: Record<string, unknown> }).payload;
}

describe('function pool', () => {
  test('cold start, then warm reuse of the same environment', async () => {
    const pool = createFunctionPool({ functions: [{ name: 'api', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 30 }], logDir: logs.dir });
    try {
      const first = await pool.invoke('api', { n: 1 });
      const second = await pool.invoke('api', { n: 2 });
      assert.equal(first.coldStart, true);
      assert.equal(second.coldStart, false);
      assert.equal(second.environmentId, first.environmentId);
      assert.equal(payload(second).pid, payload(first).pid);
      assert.equal(pool.environments('api').length, 1);
    } finally {
      await pool.close();
    }
  });

  test('a second concurrent invocation gets a second environment (its own cold start and log stream)', async () => {
    const gate = await startGate();
    const pool = createFunctionPool({ functions: [{ name: 'gated', handler: 'index.handler', codeDir: fixture('gate'), timeoutSeconds: 60 }], logDir: logs.dir });
    try {
      const a = pool.invoke('gated', { url: gate.url });
      const b = pool.invoke('gated', { url: gate.url });
      // Both handlers are waiting at the gate at the same time: two environments are running.
      await gate.waitFor(2);
      assert.equal(pool.environments('gated').length, 2);
      assert.deepEqual(pool.environments('gated').map((e) => e.state), ['busy', 'busy']);
      gate.open();
      const [ra, rb] = await Promise.all([a, b]);
      assert.notEqual(ra.environmentId, rb.environmentId);
      assert.notEqual(payload(ra).pid, payload(rb).pid);
      assert.equal(ra.coldStart && rb.coldStart, true);
      await pool.close();
      const files = readFunctionLogs(logs.dir, 'gated');
      assert.equal(files.size, 2);
      for (const events of files.values()) {
        const messages = events.map((e) => e.message);
        assert.equal(messages.filter((m) => m.startsWith('START ')).length, 1);
        assert.match(messages.find((m) => m.startsWith('REPORT ')) ?? '', /\tInit Duration: /);
      }
    } finally {
      await pool.close();
      await gate.close();
    }
  });

  test('reserved concurrency: the next invocation waits for the busy environment, or is throttled', async () => {
    const gate = await startGate();
    const spec = { name: 'limited', handler: 'index.handler', codeDir: fixture('gate'), timeoutSeconds: 60, reservedConcurrency: 1 };
    const waiting = createFunctionPool({ functions: [spec], logDir: logs.dir });
    const throttling = createFunctionPool({ functions: [spec], logDir: logs.dir, whenAtLimit: 'throttle' });
    try {
      const a = waiting.invoke('limited', { url: gate.url });
      const b = waiting.invoke('limited', { url: gate.url });
      await gate.waitFor(1);
      assert.equal(waiting.environments('limited').length, 1);
      gate.open('first');
      await gate.waitFor(1);
      gate.open('second');
      const [ra, rb] = await Promise.all([a, b]);
      assert.equal(rb.environmentId, ra.environmentId);
      assert.equal(rb.coldStart, false);
      assert.deepEqual([payload(ra).gate, payload(rb).gate], ['first', 'second']);

      const c = throttling.invoke('limited', { url: gate.url });
      await gate.waitFor(1);
      const d = await throttling.invoke('limited', { url: gate.url });
      assert.equal(d.kind, 'error');
      assert.equal(d.kind === 'error' && d.errorType, 'TooManyRequestsException');
      gate.open();
      assert.equal((await c).kind, 'response');
    } finally {
      await Promise.all([waiting.close(), throttling.close()]);
      await gate.close();
    }
  });

  test('after a timeout the environment is gone and the next invocation cold-starts a new one', async () => {
    const pool = createFunctionPool({ functions: [{ name: 'slow', handler: 'index.handler', codeDir: fixture('timeout'), timeoutSeconds: 1 }], logDir: logs.dir });
    try {
      const timedOut = await pool.invoke('slow', { waitMs: 600_000 });
      assert.equal(timedOut.kind === 'error' && timedOut.errorType, 'Sandbox.Timedout');
      assert.match(timedOut.kind === 'error' ? timedOut.errorMessage : '', /Task timed out after 1\.00 seconds$/);
      assert.equal(pool.environments('slow').length, 0);
      const next = await pool.invoke('slow', { waitMs: 1 });
      assert.equal(next.kind, 'response');
      assert.equal(next.coldStart, true);
      assert.notEqual(next.environmentId, timedOut.environmentId);
    } finally {
      await pool.close();
    }
  });

  test('an environment that died while idle is not reused: the next invocation cold-starts', async () => {
    const pool = createFunctionPool({
      functions: [{ name: 'fragile', handler: 'index.handler', codeDir: fixture('dies-idle'), timeoutSeconds: 30 }],
      logDir: logs.dir,
    });
    try {
      const first = await pool.invoke('fragile', { killLater: true });
      const pid = payload(first).pid as number;
      while (isAlive(pid)) await new Promise((r) => setTimeout(r, 10));
      const second = await pool.invoke('fragile', {});
      assert.equal(second.kind, 'response');
      assert.equal(second.coldStart, true);
      assert.notEqual(second.environmentId, first.environmentId);
    } finally {
      await pool.close();
    }
  });

  test('X-Ray header: generated per invocation in X-Ray form, or the caller’s kept so a chain shares one trace', async () => {
    const pool = createFunctionPool({ functions: [{ name: 'traced', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 30 }], logDir: logs.dir });
    try {
      const a = await pool.invoke('traced', {});
      const b = await pool.invoke('traced', {});
      const pattern = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/;
      assert.match(String(payload(a).traceEnv), pattern);
      assert.match(String(payload(b).traceEnv), pattern);
      assert.notEqual(payload(a).traceEnv, payload(b).traceEnv);
      const mine = newTraceHeader();
      const c = await pool.invoke('traced', {}, { traceHeader: mine });
      assert.equal(payload(c).traceEnv, mine);
      assert.equal(c.traceHeader, mine);
    } finally {
      await pool.close();
    }
  });

  test('idle environments are reaped', async () => {
    const stopped: EnvironmentEvent[] = [];
    let onStop: (() => void) | undefined;
    const pool = createFunctionPool({
      functions: [{ name: 'reaped', handler: 'index.handler', codeDir: fixture('esm'), timeoutSeconds: 30 }],
      logDir: logs.dir,
      idleTimeoutMs: 50,
      onEnvironment: (e) => {
        if (e.type === 'stopped') {
          stopped.push(e);
          onStop?.();
        }
      },
    });
    try {
      const stoppedOnce = new Promise<void>((r) => (onStop = r));
      const r = await pool.invoke('reaped', {});
      await stoppedOnce;
      assert.deepEqual(stopped.map((e) => [e.environmentId, e.reason]), [[r.environmentId, 'idle']]);
      assert.equal(pool.environments('reaped').length, 0);
      assert.equal((await pool.invoke('reaped', {})).coldStart, true);
    } finally {
      await pool.close();
    }
  });

  test('under concurrency every line a handler writes lands in its own invocation, in its own environment’s stream', { timeout: 120_000 }, async () => {
    const pool = createFunctionPool({ functions: [{ name: 'chatty', handler: 'index.handler', codeDir: fixture('logs'), timeoutSeconds: 60 }], logDir: logs.dir });
    let reports: InvocationReport[] = [];
    try {
      for (let round = 0; round < 2; round++) {
        reports = reports.concat(await Promise.all(Array.from({ length: 6 }, (_, i) => pool.invoke('chatty', { n: round * 10 + i }))));
      }
    } finally {
      await pool.close();
    }
    const files = readFunctionLogs(logs.dir, 'chatty');
    for (const r of reports) {
      assert.equal(r.kind, 'response');
      assert.equal(r.logLines.length, 5, `${r.requestId}: ${JSON.stringify(r.logLines)}`);
      assert.ok(r.logLines.every((l) => l.split('\t')[1] === r.requestId));
      // The same lines, in the same order, sit between this invocation's START and END in its own stream.
      const file = [...files.entries()].find(([, events]) => events.some((e) => e.message === `START RequestId: ${r.requestId} Version: $LATEST`));
      assert.ok(file, `a stream holds ${r.requestId}`);
      const messages = file[1].map((e) => e.message);
      const start = messages.indexOf(`START RequestId: ${r.requestId} Version: $LATEST`);
      const end = messages.indexOf(`END RequestId: ${r.requestId}`);
      assert.deepEqual(messages.slice(start + 1, end), r.logLines);
      assert.ok(file[0].endsWith(`${r.environmentId}.log`), 'the stream of the environment that ran it');
    }
  });

  test('unknown function names are refused naming the known ones', async () => {
    const pool = createFunctionPool({ functions: [{ name: 'a', handler: 'index.handler', codeDir: fixture('cjs') }], logDir: logs.dir });
    try {
      await assert.rejects(pool.invoke('b', {}), (err: unknown) => err instanceof UnknownFunctionError && /"b" not found: expected one of a/.test(err.message));
    } finally {
      await pool.close();
    }
  });

  test('close() leaves no process behind, busy ones included; killAll() is synchronous', { timeout: 120_000 }, async () => {
    const gate = await startGate();
    const pool = createFunctionPool({
      functions: [
        { name: 'one', handler: 'index.handler', codeDir: fixture('gate'), timeoutSeconds: 60 },
        { name: 'two', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 60 },
      ],
      logDir: logs.dir,
    });
    const busy = pool.invoke('one', { url: gate.url });
    await pool.invoke('two', {});
    await gate.waitFor(1);
    const pids = pool.environments().map((e) => e.pid!);
    assert.equal(pids.length, 2);
    assert.ok(pids.every(isAlive));
    await pool.close();
    assert.ok(pids.every((p) => !isAlive(p)), `still running: ${pids.filter(isAlive)}`);
    const r = await busy;
    assert.equal(r.kind, 'error', 'the invocation in flight ends with an error, not a hang');
    await assert.rejects(pool.invoke('two', {}), /closed/);

    const second = createFunctionPool({ functions: [{ name: 'three', handler: 'index.handler', codeDir: fixture('cjs'), timeoutSeconds: 60 }], logDir: logs.dir });
    await second.invoke('three', {});
    const [env] = second.environments();
    second.killAll();
    // killAll sends SIGKILL and returns; the process is gone once Node has reaped it.
    while (isAlive(env!.pid!)) await new Promise((r) => setTimeout(r, 10));
    assert.equal(second.environments()[0]?.state, 'dead');
    await second.close();
    await gate.close();
  });
});
