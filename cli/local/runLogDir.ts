// Each local run writes its logs to a directory of its own, so one run's
// cold starts and timelines are never mixed with another's:
// `<parent>/<UTC timestamp>-<short id>/<function>/<stream>.log`, with
// `<parent>/latest` pointing at the newest run.
import { randomBytes } from 'node:crypto';
import { lstatSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { makeDirsSync } from '../makeDirs.js';
import { join, resolve } from 'node:path';

/** Pure: `20261203T191919Z-3f9a2c`: sorts by time, no spaces or colons, safe unquoted in a shell. */
export function runDirName(nowMs: number, shortId: string): string {
  const iso = new Date(nowMs).toISOString(); // 2026-12-03T19:19:19.123Z
  return `${iso.slice(0, 19).replaceAll('-', '').replaceAll(':', '')}Z-${shortId}`;
}

export const LATEST = 'latest';

export interface RunLogDir {
  /** This run's directory (absolute). */
  readonly dir: string;
  /** `<parent>/latest` when it now points at this run; undefined where it could not be made. */
  readonly latest: string | undefined;
}

/**
 * Creates this run's directory and points `<parent>/latest` at it: a relative
 * symlink, else (Windows without the symlink privilege) a directory junction;
 * where neither works, `latest` is left alone and `latest.txt` names the run.
 */
export function createRunLogDir(parent: string, nowMs = Date.now(), shortId = randomBytes(3).toString('hex')): RunLogDir {
  const root = resolve(parent);
  const name = runDirName(nowMs, shortId);
  const dir = join(root, name);
  makeDirsSync(dir);
  writeFileSync(join(root, `${LATEST}.txt`), `${dir}\n`);
  return { dir, latest: pointLatest(root, name) ? join(root, LATEST) : undefined };
}

function pointLatest(root: string, name: string): boolean {
  const link = join(root, LATEST);
  // Only ever replace a link: a real `latest` directory is the user's, not ours.
  try {
    if (!lstatSync(link).isSymbolicLink()) return false;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
  }
  const tmp = join(root, `.${LATEST}-${process.pid}-${name}`);
  for (const [target, type] of [[name, 'dir'], [join(root, name), 'junction']] as const) {
    try {
      symlinkSync(target, tmp, type);
      // rename over the old link: readers never see `latest` missing.
      renameSync(tmp, link);
      return true;
    } catch {
      rmSync(tmp, { force: true });
    }
  }
  return false;
}
