// Shared by the test/local tests: fixture paths, temp log dirs, log file reading, process checks.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HANDLERS = fileURLToPath(new URL('../fixtures/handlers/', import.meta.url));

export function fixture(name: string): string {
  return join(HANDLERS, name);
}

export function tempLogDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-local-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface LogEvent {
  timestamp: number;
  message: string;
}

export function readLogFile(path: string): LogEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LogEvent);
}

/** Every log event of a function, file by file. */
export function readFunctionLogs(logDir: string, functionName: string): Map<string, LogEvent[]> {
  const dir = join(logDir, functionName);
  return new Map(readdirSync(dir).map((f) => [f, readLogFile(join(dir, f))]));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
