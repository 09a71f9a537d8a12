// `faultline local` killed with SIGKILL (no exit handler runs) leaves no
// process behind: every environment — idle, busy in a handler, or behind an
// exec wrapper that forks — is gone within a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isAlive, tempLogDir } from './support.js';

const CHILD = fileURLToPath(new URL('./orphans.child.ts', import.meta.url));
/** "Within a few seconds": the bound on the wait, not a speed target. */
const GONE_WITHIN_MS = 5000;

/**
 * Every process in these process groups (an environment is its own group,
 * wrapper and runtime alike), and every child of `parent` (whatever else it started).
 */
function processesOf(parent: number, groups: readonly number[]): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (groups.includes(Number(fields[2])) || Number(fields[1]) === parent) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Resolves with the processes still alive once all are gone or the bound has
 * passed. Polled: the death of a process that is not our child raises no event.
 */
async function survivorsAfter(pids: readonly number[], boundMs: number): Promise<number[]> {
  const end = Date.now() + boundMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

test('SIGKILL on the parent: every environment process is gone within a few seconds', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const logs = tempLogDir();
  // The handlers' gate: requests arrive when they run, and are never answered.
  const held: ServerResponse[] = [];
  let arrived = 0;
  let bothRunning!: () => void;
  const running = new Promise<void>((resolve) => (bothRunning = resolve));
  const gate = createServer((_req, res) => {
    held.push(res);
    if (++arrived === 2) bothRunning();
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, logs.dir, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let everything: number[] = [];
  try {
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting its environments`)));
    });
    await running;
    const { pids } = JSON.parse(first) as { pids: number[] };
    everything = processesOf(child.pid!, pids);
    // The forking wrapper's group holds the wrapper and the runtime it forked.
    assert.ok(everything.length >= 4, `processes: ${everything.join(', ')}`);
    assert.ok(pids.length >= 2, `the environments said who they are: ${pids.join(', ')}`);
    for (const pid of pids) assert.ok(everything.includes(pid));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.deepEqual(await survivorsAfter(everything, GONE_WITHIN_MS), [], 'environment processes outlived their parent');
  } finally {
    child.kill('SIGKILL');
    for (const pid of everything) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (const res of held) res.destroy();
    gate.closeAllConnections();
    await new Promise((resolve) => gate.close(resolve));
    logs.remove();
  }
});
