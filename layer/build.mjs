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

// FAULTLINE_LAYER_MINIFY=0 keeps names readable, for profiling a benchmark (never for a published layer).
const MINIFY = process.env.FAULTLINE_LAYER_MINIFY !== '0';

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

// Some dependencies call require() for Node built-ins.
const REQUIRE_BANNER = "import{createRequire as __flCR}from'node:module';const require=__flCR(import.meta.url);";

/**
 * The OTLP exporter, loaded only when FAULTLINE_TRACES=otlp, is bundled on its
 * own (otlp.js, with its own copy of the OpenTelemetry packages it uses) rather
 * than as a chunk of the main build. As a chunk it shares @opentelemetry/api and
 * core with the startup code, so esbuild splits those into chunks of their own
 * and every cold start loads four modules instead of two. Two copies of api and
 * core agree: their globals and context keys are keyed by Symbol.for.
 */
const OTLP_PROCESSOR = join(root, 'src/telemetry/tracing/otlpProcessor.ts');
const otlpApart = {
  name: 'faultline-otlp-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/otlpProcessor\.js$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: './otlp.js', external: true } : undefined,
    );
  },
};

/**
 * @opentelemetry/resources imports its machine-id readers dynamically from
 * hostDetector, which we never use: esbuild drops the detector but still emits
 * each reader as a chunk, and those chunks, sharing @opentelemetry/api with the
 * startup code, split api into a module of its own. Left unresolved instead;
 * the build fails if any output still refers to one (see below).
 */
const MACHINE_ID_READER = /^\.\/getMachineId-[a-z]+\.js$/;
const noMachineIdReaders = {
  name: 'faultline-no-machine-id-readers',
  setup(b) {
    b.onResolve({ filter: MACHINE_ID_READER }, (args) =>
      args.kind === 'dynamic-import' && args.importer.includes('@opentelemetry/resources')
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/** One metafile for the layer: the main build's, plus the separately bundled otlp.js. */
function mergeMetafiles(main, otlp) {
  return { inputs: { ...otlp.inputs, ...main.inputs }, outputs: { ...main.outputs, ...otlp.outputs } };
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
    target: 'node22',
    minify: MINIFY,
    mainFields: ['module', 'main'],
    define: flavor.define,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
    plugins: [otlpApart, noMachineIdReaders],
  });
  for (const file of listFiles(pkgDir)) {
    if (file.endsWith('.js') && readFileSync(file, 'utf8').includes('getMachineId-')) {
      throw new Error(`${relative(root, file)} imports a machine-id reader that the build left out`);
    }
  }
  const otlp = await build({
    entryPoints: { otlp: OTLP_PROCESSOR },
    outdir: pkgDir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: MINIFY,
    mainFields: ['module', 'main'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
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
  writeFileSync(join(out, `${flavor.name}.meta.json`), JSON.stringify(mergeMetafiles(result.metafile, otlp.metafile)));
  zipTree(tree, join(out, `${flavor.name}.zip`));

  const jsBytes = listFiles(pkgDir).filter((f) => f.endsWith('.js')).reduce((n, f) => n + statSync(f).size, 0);
  const startBytes = ['index.js', 'handler.js'].reduce((n, f) => n + statSync(join(pkgDir, f)).size, 0);
  console.log(
    `${flavor.name}.zip  ${kb(statSync(join(out, `${flavor.name}.zip`)).size)} zipped, ` +
      `${kb(jsBytes)} of JavaScript (${kb(startBytes)} in the entry files, the rest in lazily loaded chunks)`,
  );
}
