// A scratch directory for one benchmark run, removed when the run ends
// (also on failure: callers use it in try/finally).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `faultline-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
