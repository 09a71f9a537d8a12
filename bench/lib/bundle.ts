// Bundles a competitor's entry the way layer/build.mjs bundles faultline, so
// import+init figures compare like with like.
import { build } from 'esbuild';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeModulesDir } from './paths.js';

/**
 * esbuild --bundle --platform=node --format=esm --minify --main-fields=module,main,
 * with the layer's require() banner (CommonJS dependencies require Node built-ins).
 * Returns the file: URL of the bundle.
 */
export async function bundleEntry(entry: string, outDir: string, name: string): Promise<string> {
  const outfile = join(outDir, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'error',
    nodePaths: [nodeModulesDir],
    banner: { js: "import{createRequire as __flCR}from'node:module';const require=__flCR(import.meta.url);" },
  });
  return pathToFileURL(outfile).href;
}
