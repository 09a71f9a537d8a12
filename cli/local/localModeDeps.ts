// The local mode's own dependencies: AWS's runtime client (native code, built
// with cmake on install) and the embedded DynamoDB server. They are not in
// faultline's `dependencies`, so `npm install faultline` stays pure JavaScript;
// `faultline local` finds them beside faultline (a source checkout, or a project
// that installed them) or installs them once, pinned, into a per-version cache.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { makeDirsSync } from '../makeDirs.js';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { spawn } from 'node:child_process';

import { packageRoot } from './packageRoot.js';

/** What the local mode can need; `id` is the name code imports (the 3.x client under its alias). */
export interface LocalModeDep {
  readonly id: 'aws-lambda-ric' | 'aws-lambda-ric-3' | 'dynalite';
  /** The exact `npm install` spec; the same versions as faultline's devDependencies (a test holds them together). */
  readonly spec: string;
  readonly why: string;
  /** Roughly what it takes on disk once built, its dependencies included. */
  readonly approxMb: number;
  /** Build tools its install scripts run: [command, Debian package, Homebrew formula]. */
  readonly tools: readonly (readonly [string, string, string])[];
}

const CLIENT_TOOLS = [
  ['cmake', 'cmake', 'cmake'],
  ['make', 'make', 'make'],
  ['g++', 'g++', 'gcc'],
] as const;

export const LOCAL_MODE_DEPS = {
  'aws-lambda-ric': {
    id: 'aws-lambda-ric',
    spec: 'aws-lambda-ric@4.0.2',
    why: "AWS's runtime client 4.x, as nodejs24.x runs it",
    approxMb: 25,
    tools: CLIENT_TOOLS,
  },
  'aws-lambda-ric-3': {
    id: 'aws-lambda-ric-3',
    spec: 'aws-lambda-ric-3@npm:aws-lambda-ric@3.3.0',
    why: "AWS's runtime client 3.x, as nodejs22.x runs it",
    approxMb: 155,
    tools: [...CLIENT_TOOLS, ['autoconf', 'autoconf', 'autoconf'], ['automake', 'automake', 'automake'], ['libtoolize', 'libtool', 'libtool']],
  },
  dynalite: { id: 'dynalite', spec: 'dynalite@4.0.0', why: 'the embedded DynamoDB server', approxMb: 4, tools: [] },
} as const satisfies Record<string, LocalModeDep>;

export type LocalModeDepId = keyof typeof LOCAL_MODE_DEPS;

/** The dependencies the local mode needs for a runtime: its client and the embedded DynamoDB. */
export function localModeDepsFor(runtime: 'nodejs24.x' | 'nodejs22.x'): LocalModeDep[] {
  return [LOCAL_MODE_DEPS[runtime === 'nodejs22.x' ? 'aws-lambda-ric-3' : 'aws-lambda-ric'], LOCAL_MODE_DEPS.dynalite];
}

function faultlineVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** `~/.cache/faultline/local-mode/<faultline version>/` (XDG_CACHE_HOME honoured), one per version so pins never mix. */
export function localModeCacheDir(env: NodeJS.ProcessEnv = process.env, version = faultlineVersion()): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'faultline', 'local-mode', version);
}

/** Where resolution looks, in order: beside faultline's package.json (its node_modules and every one above), then the cache. */
export function localModeSearchRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  return [packageRoot(), localModeCacheDir(env)];
}

/**
 * Pure Node lookup (node_modules from the root upwards, the package's `main`), read
 * from disk every time: Node's own resolver remembers a package that was missing,
 * so it would not see one this process has just installed.
 */
function findIn(root: string, id: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', id, 'package.json');
    if (existsSync(manifest)) {
      try {
        const { main } = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string };
        const entry = join(dirname(manifest), main ?? 'index.js');
        if (existsSync(entry)) return realpathSync(entry);
      } catch {
        // an unreadable manifest: keep looking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The entry file of a dependency, or undefined when none of the roots has it. */
export function resolveLocalModeDep(id: LocalModeDepId, roots: readonly string[] = localModeSearchRoots()): string | undefined {
  for (const root of roots) {
    const found = findIn(root, id);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Like resolveLocalModeDep, but throws saying how to get it. */
export function requireLocalModeDep(id: LocalModeDepId, roots: readonly string[] = localModeSearchRoots()): string {
  const found = resolveLocalModeDep(id, roots);
  if (found !== undefined) return found;
  const dep = LOCAL_MODE_DEPS[id];
  throw new Error(
    `${dep.spec} (${dep.why}) is not installed: faultline local installs it on first run into ${roots[roots.length - 1]}; ` +
      `or install it beside faultline (npm install --save-dev ${dep.spec})`,
  );
}

/** Pure: the build tools missing from PATH among those the dependencies need. */
export function missingTools(deps: readonly LocalModeDep[], onPath: (command: string) => boolean): (readonly [string, string, string])[] {
  const seen = new Set<string>();
  const missing: (readonly [string, string, string])[] = [];
  for (const dep of deps) {
    for (const tool of dep.tools) {
      if (seen.has(tool[0])) continue;
      seen.add(tool[0]);
      if (!onPath(tool[0])) missing.push(tool);
    }
  }
  return missing;
}

export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/** Pure: what to tell the user before the install, and the line that gets the missing tools. */
export function installNotice(deps: readonly LocalModeDep[], cacheDir: string): string {
  const native = deps.some((d) => d.tools.length > 0);
  const tools = [...new Set(deps.flatMap((d) => d.tools.map((t) => t[0])))];
  const mb = deps.reduce((n, d) => n + d.approxMb, 0);
  return (
    `faultline local needs ${deps.map((d) => `${d.spec} (${d.why})`).join(' and ')}, ` +
    `which \`npm install faultline\` leaves out to stay small and free of native code.\n` +
    `Installing them once into ${cacheDir}` +
    (native
      ? ` (about ${mb} MB; a few minutes, longer on a busy machine: the runtime client compiles native code with ${tools.join(', ')})`
      : ` (about ${mb} MB, seconds)`) +
    '…\n'
  );
}

export function toolsHint(missing: readonly (readonly [string, string, string])[]): string {
  const names = missing.map((t) => t[0]).join(', ');
  return (
    `missing build tools: ${names}. Install them, then run faultline local again:\n` +
    `  Debian/Ubuntu: sudo apt-get install -y ${[...new Set(missing.map((t) => t[1]))].join(' ')}\n` +
    `  macOS:         xcode-select --install; brew install ${[...new Set(missing.map((t) => t[2]).filter((f) => f !== 'gcc' && f !== 'make'))].join(' ') || 'cmake'}`
  );
}

export interface EnsureOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the notice and errors go; npm's own output goes to the terminal. */
  readonly write?: (text: string) => void;
  /** The search roots; default localModeSearchRoots(env). The last one is where a missing dependency is installed. */
  readonly roots?: readonly string[];
  /** The npm command; default `npm` from PATH. */
  readonly npm?: string;
}

/**
 * Makes the runtime's local-mode dependencies resolvable, installing the missing
 * ones into the cache (the last root). Rejects with what is missing and the line
 * that installs it when the build tools are absent or npm fails.
 */
export async function ensureLocalModeDeps(runtime: 'nodejs24.x' | 'nodejs22.x', opts: EnsureOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const roots = opts.roots ?? localModeSearchRoots(env);
  const write = opts.write ?? ((text: string) => process.stderr.write(text));
  const missing = localModeDepsFor(runtime).filter((d) => resolveLocalModeDep(d.id, roots) === undefined);
  if (missing.length === 0) return;
  const cacheDir = roots[roots.length - 1]!;
  const noTools = missingTools(missing, (c) => onPath(c, env));
  if (noTools.length > 0) {
    throw new Error(
      `faultline local needs ${missing.map((d) => d.spec).join(' and ')} (not installed), whose native build needs ${toolsHint(noTools)}`,
    );
  }
  write(installNotice(missing, cacheDir));
  makeDirsSync(cacheDir);
  const manifest = join(cacheDir, 'package.json');
  if (!existsSync(manifest)) {
    // allowScripts: npm 11 runs these packages' builds without asking (the same list as faultline's own package.json).
    const allowScripts = { 'aws-lambda-ric': true, 'aws-lambda-ric-3': true, 'classic-level': true };
    writeFileSync(manifest, JSON.stringify({ name: 'faultline-local-mode', private: true, description: 'installed by faultline local', allowScripts }, null, 2) + '\n');
  }
  // Saved (exactly) into the cache's package.json, so a later install for the other runtime keeps these.
  const args = ['install', '--save-exact', '--no-audit', '--no-fund', '--foreground-scripts', ...missing.map((d) => d.spec)];
  const code = await new Promise<number | string>((resolve) => {
    // npm's output (and the native build's) goes to stderr, so a --json reader of stdout is not disturbed.
    const child = spawn(opts.npm ?? 'npm', args, { cwd: cacheDir, env, stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', (err) => resolve(err.message));
    child.on('close', (c, signal) => resolve(signal ?? c ?? 1));
  });
  const still = missing.filter((d) => resolveLocalModeDep(d.id, roots) === undefined);
  if (code !== 0 || still.length > 0) {
    throw new Error(
      `installing ${missing.map((d) => d.spec).join(' and ')} into ${cacheDir} failed (npm: ${code}); npm's output above says why. ` +
        `The runtime client's build needs ${[...new Set(missing.flatMap((d) => d.tools.map((t) => t[0])))].join(', ') || 'no tools'} ` +
        `and network access to the npm registry; run faultline local again to retry`,
    );
  }
}
