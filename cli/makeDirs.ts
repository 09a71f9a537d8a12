// `mkdir -p` that always ends. Node's recursive mkdir spins forever at full
// CPU where the kernel answers ENOENT for a directory whose parent exists
// (any path under /proc, some FUSE and network mounts): an output path given
// by a user must cost an error, not a hung command. So each missing level is
// made on its own, and a level that cannot be made fails with its code.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** The levels of `path` from the root down: `/a/b/c` → `/a`, `/a/b`, `/a/b/c`. */
function levels(path: string): string[] {
  const out: string[] = [];
  for (let p = resolve(path); dirname(p) !== p; p = dirname(p)) out.unshift(p);
  return out;
}

function refuse(level: string, err: unknown): never {
  throw Object.assign(new Error(`cannot create directory ${level} (${code(err) ?? String(err)})`, { cause: err }), { code: code(err) });
}

/** Creates `path` and its missing parents; throws (with the failing level and the errno `code`) when one cannot be made. */
export function makeDirsSync(path: string): void {
  for (const level of levels(path)) {
    try {
      mkdirSync(level);
    } catch (err) {
      if (code(err) !== 'EEXIST') refuse(level, err);
      try {
        if (!statSync(level).isDirectory()) refuse(level, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
      } catch (e) {
        refuse(level, e);
      }
    }
  }
}

/** The same as makeDirsSync, without blocking. */
export async function makeDirs(path: string): Promise<void> {
  for (const level of levels(path)) {
    try {
      await mkdir(level);
    } catch (err) {
      if (code(err) !== 'EEXIST') refuse(level, err);
      const isDir = await stat(level).then((s) => s.isDirectory(), (e: unknown) => refuse(level, e));
      if (!isDir) refuse(level, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
    }
  }
}
