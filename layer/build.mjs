#!/usr/bin/env node
// Builds the two Lambda layers:
//   dist/layer/faultline.zip          telemetry and chaos
//   dist/layer/faultline-observe.zip  telemetry only: no chaos code at all
// each laid out as Lambda expects (`faultline-wrapper` at the layer root,
// executable; `nodejs/node_modules/faultline/{index,handler}.js`), bundled and
// minified with esbuild from the packages' ES module entry points.
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'layer');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const FLAVORS = [
  { name: 'faultline', define: {} },
  { name: 'faultline-observe', define: { 'process.env.FAULTLINE_BUILD_FLAVOR': '"observe"' } },
];

function listFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...listFiles(p));
    else files.push(p);
  }
  return files.sort();
}

function zipTree(dir, zipPath) {
  const entries = {};
  for (const file of listFiles(dir)) {
    const mode = statSync(file).mode & 0o777;
    // Unix permissions in the external attributes, so faultline-wrapper stays executable.
    entries[relative(dir, file)] = [readFileSync(file), { os: 3, attrs: ((0o100000 | mode) << 16) >>> 0, mtime: new Date('2026-01-01T00:00:00Z') }];
  }
  writeFileSync(zipPath, zipSync(entries, { level: 9 }));
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

rmSync(out, { recursive: true, force: true });
for (const flavor of FLAVORS) {
  const tree = join(out, flavor.name);
  const pkgDir = join(tree, 'nodejs', 'node_modules', 'faultline');
  mkdirSync(pkgDir, { recursive: true });
  const result = await build({
    entryPoints: { index: join(root, 'src/index.ts'), handler: join(root, 'src/handler.ts') },
    outdir: pkgDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    define: flavor.define,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // Some dependencies call require() for Node built-ins.
    banner: { js: "import{createRequire as __flCR}from'node:module';const require=__flCR(import.meta.url);" },
  });
  writeFileSync(
    join(pkgDir, 'package.json'),
    JSON.stringify(
      {
        name: 'faultline',
        version,
        type: 'module',
        exports: { '.': './index.js', './handler': './handler.js', './package.json': './package.json' },
        faultline: { flavor: flavor.name },
      },
      null,
      2,
    ) + '\n',
  );
  copyFileSync(join(root, 'layer', 'faultline-wrapper'), join(tree, 'faultline-wrapper'));
  chmodSync(join(tree, 'faultline-wrapper'), 0o755);
  writeFileSync(join(out, `${flavor.name}.meta.json`), JSON.stringify(result.metafile));
  zipTree(tree, join(out, `${flavor.name}.zip`));

  const jsBytes = listFiles(pkgDir).filter((f) => f.endsWith('.js')).reduce((n, f) => n + statSync(f).size, 0);
  const startBytes = ['index.js', 'handler.js'].reduce((n, f) => n + statSync(join(pkgDir, f)).size, 0);
  console.log(
    `${flavor.name}.zip  ${kb(statSync(join(out, `${flavor.name}.zip`)).size)} zipped, ` +
      `${kb(jsBytes)} of JavaScript (${kb(startBytes)} in the entry files, the rest in lazily loaded chunks)`,
  );
}
