// What a `--source DIR` holds, and which directory of it to read. Two shapes,
// told apart by what is in them, not by file names:
// - a run directory: functions directly inside, each `<function>.log` or
//   `<function>/<stream>.log` (both may appear);
// - a directory of runs (the local mode's `.faultline/logs`): the run named by
//   its `latest` entry (a symlink, or a file naming the run), else, when its
//   subdirectories hold directories rather than log files, the newest of them.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Dirent } from 'node:fs';

export const STREAM_EXT = '.log';
/** The entry a directory of runs points at its newest run with. */
export const LATEST = 'latest';

export interface ResolvedLogDir {
  /** The run directory to read. */
  readonly dir: string;
  /** Set when DIR was a directory of runs: how the run was chosen, for stderr. */
  readonly note?: string;
}

const isLogFile = (e: Dirent) => e.isFile() && e.name.endsWith(STREAM_EXT);

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A subdirectory that holds directories and no log file: a run of `<function>/<stream>.log`. */
async function looksLikeRun(path: string): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return false;
  }
  return !entries.some(isLogFile) && entries.some((e) => e.isDirectory());
}

/** The run `DIR/latest` names: a symlink (or directory) to it, or a file holding its name. */
async function latestRun(dir: string): Promise<string | undefined> {
  const path = join(dir, LATEST);
  let st;
  try {
    st = await stat(path);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return path;
  if (!st.isFile() || st.size > 4096) return undefined;
  const name = (await readFile(path, 'utf8')).trim();
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..') return undefined;
  return (await isDir(join(dir, name))) ? join(dir, name) : undefined;
}

/**
 * The directory to read for `--source dir`. Throws ENOENT (from readdir) when
 * dir does not exist; everything else about its contents is decided here.
 */
export async function resolveLogDir(dir: string): Promise<ResolvedLogDir> {
  const entries = await readdir(dir, { withFileTypes: true });
  const latest = await latestRun(dir);
  if (latest) return { dir: latest, note: `reading the latest run, ${latest}` };
  if (entries.some(isLogFile)) return { dir };
  const subdirs = entries.filter((e) => e.isDirectory());
  if (subdirs.length === 0) return { dir };
  const runs: { path: string; mtimeMs: number }[] = [];
  for (const e of subdirs) {
    const path = join(dir, e.name);
    if (!(await looksLikeRun(path))) return { dir }; // a function directory: dir is a run
    runs.push({ path, mtimeMs: (await stat(path)).mtimeMs });
  }
  // Newest by mtime; the name breaks ties so the choice is stable.
  runs.sort((a, b) => b.mtimeMs - a.mtimeMs || (basename(a.path) < basename(b.path) ? 1 : -1));
  return { dir: runs[0]!.path, note: `reading the newest run, ${runs[0]!.path}` };
}

/** One stream file of a function, and the stream name events carry. */
export interface StreamFile {
  readonly path: string;
  readonly stream: string;
}

/** Whether path is a directory holding at least one stream file: a function's, not a report's pages or anything else kept beside the logs. */
async function holdsLogs(path: string): Promise<boolean> {
  try {
    return (await readdir(path, { withFileTypes: true })).some(isLogFile);
  } catch {
    return false;
  }
}

/**
 * The functions of a run directory, sorted: `<function>.log` files and
 * subdirectories holding `.log` files (a run also keeps its report and the
 * report's request pages, which are no function); `latest` excluded.
 */
export async function listFunctions(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set<string>();
  for (const e of entries) {
    if (e.name === LATEST) continue;
    if (e.isDirectory()) {
      if (await holdsLogs(join(dir, e.name))) names.add(e.name);
    } else if (isLogFile(e) && e.name.length > STREAM_EXT.length) names.add(e.name.slice(0, -STREAM_EXT.length));
  }
  return [...names].sort();
}

/** Whether the run directory has logs for fn (either shape). */
export async function hasFunction(dir: string, fn: string): Promise<boolean> {
  if (await isDir(join(dir, fn))) return true;
  try {
    return (await stat(join(dir, fn + STREAM_EXT))).isFile();
  } catch {
    return false;
  }
}

/** The stream files of fn: `<fn>.log` (its stream is named fn) and `<fn>/<stream>.log`, in a stable order. */
export async function listStreams(dir: string, fn: string): Promise<StreamFile[]> {
  const out: StreamFile[] = [];
  try {
    if ((await stat(join(dir, fn + STREAM_EXT))).isFile()) out.push({ path: join(dir, fn + STREAM_EXT), stream: fn });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    const entries = await readdir(join(dir, fn), { withFileTypes: true });
    for (const e of entries.filter(isLogFile).map((e) => e.name).sort()) {
      out.push({ path: join(dir, fn, e), stream: e.slice(0, -STREAM_EXT.length) });
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  return out;
}
