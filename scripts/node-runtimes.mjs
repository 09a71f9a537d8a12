// The Node.js versions of Lambda's Node.js runtimes, for the test and bench
// matrix: this machine's node when it is of that major, else a binary from the
// npm package node-<platform>-<arch>@<major> (`npm pack`, untar, bin/node),
// kept in ~/.cache/faultline/node-<major>/ so it is fetched once per machine.
// `faultline local --runtime` looks in the same place (cli/local/runtimeNode.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Lambda's Node.js runtimes, newest first: the first is the headline of every report. */
export const LAMBDA_NODE_MAJORS = Object.freeze([24, 22]);

export function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

export function cacheRoot() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'faultline');
}

export function cachedNodePath(major) {
  return join(cacheRoot(), `node-${major}`, 'bin', 'node');
}

/** `v24.11.0`, or undefined when the binary does not run. */
export function versionOf(nodePath) {
  if (nodePath === process.execPath) return process.version;
  const r = spawnSync(nodePath, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A node of that major already on this machine (this one, or the cached one), or undefined. */
export function findNode(major) {
  if (majorOf(process.version) === major) return { path: process.execPath, version: process.version };
  const cached = cachedNodePath(major);
  if (!existsSync(cached)) return undefined;
  const version = versionOf(cached);
  return version !== undefined && majorOf(version) === major ? { path: cached, version } : undefined;
}

/**
 * The node of that major, fetching it into the cache when the machine has none.
 * Throws naming the package and the command that failed.
 */
export function ensureNode(major, log = (line) => process.stderr.write(`${line}\n`)) {
  const found = findNode(major);
  if (found) return found;
  const pkg = `node-${process.platform}-${process.arch}@${major}`;
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  // Unpacked beside its final place, then renamed: a concurrent or interrupted fetch never leaves half a binary there.
  const work = mkdtempSync(join(root, `.fetch-node-${major}-`));
  try {
    log(`# fetching Node ${major}: npm pack ${pkg} (once; kept in ${join(root, `node-${major}`)})`);
    const packed = execFileSync('npm', ['pack', pkg, '--pack-destination', work, '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 10 * 60_000,
    });
    const tarball = packed.trim().split('\n').pop() || readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${pkg} produced no tarball`);
    execFileSync('tar', ['xzf', join(work, tarball), '-C', work], { stdio: ['ignore', 'ignore', 'inherit'] });
    const unpacked = join(work, 'package');
    if (!existsSync(join(unpacked, 'bin', 'node'))) throw new Error(`${pkg} has no bin/node`);
    const dest = join(root, `node-${major}`);
    rmSync(dest, { recursive: true, force: true });
    try {
      renameSync(unpacked, dest);
    } catch (err) {
      if (!existsSync(cachedNodePath(major))) throw err;
    }
  } catch (err) {
    throw new Error(`could not get Node ${major} from the npm package ${pkg}: ${err.message}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const got = findNode(major);
  if (!got) throw new Error(`the npm package ${pkg} gave no working Node ${major} at ${cachedNodePath(major)}`);
  return got;
}

/** The lowest major package.json's `engines.node` (`>=22`) admits. */
export function minimumSupportedMajor(pkgJson) {
  const m = /^\s*>=\s*v?(\d+)/.exec(pkgJson?.engines?.node ?? '');
  return m ? Number(m[1]) : 0;
}

/**
 * The majors to run on: Lambda's runtimes, newest first, then this machine's
 * own node when it is another major that `engines` still supports.
 */
export function matrixMajors(pkgJson, ownVersion = process.version) {
  const own = majorOf(ownVersion);
  const majors = [...LAMBDA_NODE_MAJORS];
  if (!majors.includes(own) && own >= minimumSupportedMajor(pkgJson)) majors.push(own);
  return majors;
}

// `npm run runtimes [24 22]`: fetch (or find) the runtimes' nodes and say where they are.
if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const asked = process.argv.slice(2).map(Number);
  for (const major of asked.length ? asked : LAMBDA_NODE_MAJORS) {
    const got = ensureNode(major);
    process.stdout.write(`nodejs${major}.x: ${got.version} ${got.path}\n`);
  }
}
