// What every agent benchmark starts from: a scratch directory with copies of
// the built layers, the function's task root, and the tools under test as
// entries a child process imports (bench/competitors/*.mjs).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyLayer, type LayerCopy, type LayerFlavor } from './layer.js';
import { lambdaEnv, writeTaskRoot } from './lambdaEnv.js';
import { competitorsDir } from './paths.js';
import { makeTempDir, type TempDir } from './tempDir.js';

export interface Tool {
  readonly name: string;
  /** file: URL of a module exporting the ready `handler`. */
  readonly entryUrl: string;
  readonly env: Record<string, string>;
  /** Built-in modules loaded before timing starts (init probe only). */
  readonly preload?: string;
}

export interface BenchSetup {
  readonly dir: TempDir;
  readonly layers: Readonly<Record<LayerFlavor, LayerCopy>>;
  readonly env: Record<string, string>;
  /** An entry of bench/competitors, as a tool. */
  competitor(name: string, entry: string): Tool;
  /** faultline's wrap() from one of the layer copies. */
  faultline(flavor: LayerFlavor): Tool;
  /** A tool whose entry is elsewhere (a bundle in the scratch directory). */
  tool(name: string, entryUrl: string): Tool;
}

export function setUp(prefix: string): BenchSetup {
  const dir = makeTempDir(prefix);
  try {
    const layers = {
      'faultline-observe': copyLayer('faultline-observe', dir.path),
      faultline: copyLayer('faultline', dir.path),
    };
    const env = lambdaEnv(writeTaskRoot(join(dir.path, 'task')));
    const entryUrl = (entry: string) => pathToFileURL(join(competitorsDir, entry)).href;
    return {
      dir,
      layers,
      env,
      competitor: (name, entry) => ({ name, entryUrl: entryUrl(entry), env }),
      faultline: (flavor) => ({
        name: flavor === 'faultline' ? 'faultline (chaos off)' : 'faultline-observe',
        entryUrl: entryUrl('faultline.mjs'),
        env: { ...env, FAULTLINE_BENCH_LAYER: layers[flavor].indexUrl },
      }),
      tool: (name, url) => ({ name, entryUrl: url, env }),
    };
  } catch (err) {
    dir.remove();
    throw err;
  }
}

/** The order tools run in round `r`: rotated, so no tool always runs right after the same neighbour. */
export function rotation<T>(items: readonly T[], r: number): T[] {
  const k = r % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
