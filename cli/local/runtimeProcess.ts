// The process side of an execution environment: Lambda's runtime command
// line started behind the exec wrapper, in a process group of its own, with a
// guard that kills the group if faultline dies without doing so; killing it,
// how its exit is worded, and its peak memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RuntimeNode } from './runtimeNode.js';

/** Peak resident memory (VmHWM) in MB, or undefined without /proc. */
export function readMaxMemoryMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Math.ceil(Number(m[1]) / 1024);
  } catch {
    return undefined;
  }
}

/** How Lambda words a runtime's exit: `exit status 1`, `signal: killed`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === null) return `exit status ${code ?? 0}`;
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGSEGV: 'segmentation fault',
    SIGABRT: 'aborted',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
  };
  return `signal: ${names[signal] ?? signal.toLowerCase()}`;
}

/**
 * Kills the environment's process group (its pid: it is spawned detached) if
 * this process dies without doing so — SIGKILL, where no exit handler runs: a
 * shell blocked reading a pipe that only this process holds, whose end is its
 * cue. An idle runtime would notice the dead Runtime API by itself; one busy
 * in a handler would not. Detached and deaf to INT/TERM/HUP, so a signal to our
 * group does not take the guard with it. Killed with the environment.
 */
function startOrphanGuard(pgid: number): ChildProcess | undefined {
  try {
    const guard = spawn('/bin/sh', ['-c', `trap '' INT TERM HUP; read -r _; kill -KILL -${pgid} 2>/dev/null`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    guard.on('error', () => {});
    guard.stdin?.on('error', () => {});
    // Neither the guard nor its pipe keeps faultline running.
    guard.unref();
    (guard.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
    return guard;
  } catch {
    return undefined;
  }
}

export interface RuntimeProcessEvents {
  /** Bytes the runtime wrote (stdout and stderr, one ordered stream). */
  onOutput(chunk: Buffer): void;
  onOutputEnd(): void;
  /** The process could not be started at all; `exited` settles when this does. */
  onSpawnError(err: Error): Promise<void>;
  /** The process ended; `killedByUs` when kill() was called first. `exited` settles after this. */
  onExit(how: string, killedByUs: boolean): void;
}

export interface RuntimeProcess {
  readonly pid: number | undefined;
  /** Settles when the process has exited (or never started). */
  readonly exited: Promise<void>;
  /** Kills the process group at once (synchronous, for exit handlers). */
  kill(): void;
}

/**
 * Starts Lambda's runtime command line, behind the exec wrapper when one is
 * set. `sh -c 'exec "$@" 2>&1'` gives stdout and stderr one pipe (one ordered
 * stream, as Lambda's log stream is) and exec keeps a single pid.
 */
export function spawnRuntime(
  opts: { readonly runtime: RuntimeNode; readonly env: NodeJS.ProcessEnv; readonly codeDir: string },
  events: RuntimeProcessEvents,
): RuntimeProcess {
  const wrapper = opts.env.AWS_LAMBDA_EXEC_WRAPPER;
  const runtimeCommand = [opts.runtime.path, '--expose-gc', '--max-http-header-size', '81920', opts.runtime.client.entry];
  const argv = ['-c', 'exec "$@" 2>&1', 'sh', ...(wrapper ? [wrapper] : []), ...runtimeCommand];
  let killedByUs = false;
  let resolveExited!: () => void;
  const exited = new Promise<void>((resolve) => (resolveExited = resolve));
  const proc = spawn('/bin/sh', argv, { cwd: opts.codeDir, env: opts.env, stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const orphanGuard = proc.pid !== undefined ? startOrphanGuard(proc.pid) : undefined;
  proc.stdout!.on('data', (chunk: Buffer) => events.onOutput(chunk));
  proc.stdout!.on('end', () => events.onOutputEnd());
  proc.on('error', (err) => {
    // spawn itself failed (no /bin/sh): nothing will ever exit, so settle here.
    void events.onSpawnError(err).then(resolveExited);
  });
  proc.on('exit', (code, signal) => {
    orphanGuard?.kill('SIGKILL');
    events.onExit(describeExit(code, signal), killedByUs);
    resolveExited();
  });
  return {
    get pid() {
      return proc.pid;
    },
    exited,
    kill() {
      killedByUs = true;
      const pid = proc.pid;
      if (pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        // The whole process group: an exec wrapper that forks instead of exec'ing leaves no orphan.
        process.kill(-pid, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
      orphanGuard?.kill('SIGKILL');
    },
  };
}
