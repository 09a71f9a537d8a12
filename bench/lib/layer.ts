// The built layers under test (dist/layer, from `node layer/build.mjs`),
// copied into the run's scratch directory first: other work may rebuild
// dist/layer while a benchmark is running, and a half-written bundle must not
// end up in the figures.
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './paths.js';

export type LayerFlavor = 'faultline' | 'faultline-observe';

export interface LayerCopy {
  readonly flavor: LayerFlavor;
  /** nodejs/node_modules/faultline inside the copy. */
  readonly pkgDir: string;
  /** file: URL of the package's index.js (exports wrap). */
  readonly indexUrl: string;
  /** esbuild's metafile of the build, for the startup/lazy split. */
  readonly metafile: string;
}

interface Metafile {
  outputs: Record<string, { bytes: number; imports: { path: string; kind: string; external?: boolean }[] }>;
}

function pkgDirOf(layerRoot: string): string {
  return join(layerRoot, 'nodejs', 'node_modules', 'faultline');
}

/** Copies one built layer into `into`. Throws, naming the command to run, when it has not been built. */
export function copyLayer(flavor: LayerFlavor, into: string): LayerCopy {
  const built = join(repoRoot, 'dist', 'layer', flavor);
  const builtMeta = join(repoRoot, 'dist', 'layer', `${flavor}.meta.json`);
  if (!existsSync(join(pkgDirOf(built), 'index.js')) || !existsSync(builtMeta)) {
    throw new Error(`${built}: layer not built; run \`node layer/build.mjs\` (or \`npm run build:layer\`) first`);
  }
  const dest = join(into, flavor);
  cpSync(built, dest, { recursive: true });
  const metafile = join(into, `${flavor}.meta.json`);
  cpSync(builtMeta, metafile);
  const pkgDir = pkgDirOf(dest);
  const copy: LayerCopy = { flavor, pkgDir, indexUrl: pathToFileURL(join(pkgDir, 'index.js')).href, metafile };
  // A copy taken mid-rebuild misses chunks the entry files name.
  for (const f of startupFiles(copy, 'index.js')) {
    if (!existsSync(join(pkgDir, f))) throw new Error(`${flavor}: ${f} missing from the built layer (rebuilt while copying?); run the benchmark again`);
  }
  return copy;
}

/** The files a fresh process loads when it imports `entry`: the entry and its static imports, transitively (dynamic imports stay lazy). */
export function startupFiles(layer: LayerCopy, entry: string): string[] {
  const meta = JSON.parse(readFileSync(layer.metafile, 'utf8')) as Metafile;
  const byName = new Map(Object.entries(meta.outputs).map(([path, out]) => [basename(path), out]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const out = byName.get(name);
    if (out === undefined) throw new Error(`${layer.metafile}: no output named ${name}`);
    for (const imp of out.imports) {
      if (!imp.external && imp.kind === 'import-statement') visit(basename(imp.path));
    }
  };
  visit(entry);
  return [...seen].sort();
}

export interface BundleSize {
  /** Every .js file of the package. */
  readonly allJsBytes: number;
  /** What `import('faultline')` loads at startup. */
  readonly startupBytes: number;
  readonly startupFiles: readonly string[];
}

export function bundleSize(layer: LayerCopy): BundleSize {
  const js = readdirSync(layer.pkgDir).filter((f) => f.endsWith('.js'));
  const size = (f: string) => statSync(join(layer.pkgDir, f)).size;
  const start = startupFiles(layer, 'index.js');
  return {
    allJsBytes: js.reduce((n, f) => n + size(f), 0),
    startupBytes: start.reduce((n, f) => n + size(f), 0),
    startupFiles: start,
  };
}
