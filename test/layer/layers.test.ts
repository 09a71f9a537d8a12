// The built layer zips (npm run build:layer): layout Lambda expects, the
// wrapper executable, and a faultline-observe build with no chaos code in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { unzipSync } from 'fflate';

const root = new URL('../..', import.meta.url).pathname;
const layerDir = join(root, 'dist', 'layer');

function readZip(name: string) {
  const zip = join(layerDir, `${name}.zip`);
  assert.ok(existsSync(zip), `${zip} exists (run npm run build:layer)`);
  return unzipSync(readFileSync(zip));
}

/** Unix mode bits of each entry, read from the zip's central directory. */
function zipModes(name: string): Map<string, number> {
  const buf = readFileSync(join(layerDir, `${name}.zip`));
  const modes = new Map<string, number>();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let p = buf.readUInt32LE(eocd + 16);
  const count = buf.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    modes.set(buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'), external >>> 16);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return modes;
}

for (const flavor of ['faultline', 'faultline-observe']) {
  test(`${flavor}.zip has the layout Lambda expects`, () => {
    const files = readZip(flavor);
    const names = Object.keys(files);
    for (const required of [
      'faultline-wrapper',
      'nodejs/node_modules/faultline/package.json',
      'nodejs/node_modules/faultline/index.js',
      'nodejs/node_modules/faultline/handler.js',
    ]) {
      assert.ok(names.includes(required), `${required} in ${flavor}.zip (has ${names.join(', ')})`);
    }
    const mode = zipModes(flavor).get('faultline-wrapper')!;
    assert.equal(mode & 0o111, 0o111, 'faultline-wrapper is executable');
    const pkg = JSON.parse(Buffer.from(files['nodejs/node_modules/faultline/package.json']!).toString());
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.exports['./handler'], './handler.js');
    assert.ok(names.every((n) => !n.includes('node_modules/faultline/node_modules')), 'everything is bundled');
  });
}

test('faultline-observe contains none of the chaos code', () => {
  const observe = readZip('faultline-observe');
  const full = readZip('faultline');
  const text = (files: Record<string, Uint8Array>) =>
    Object.entries(files)
      .filter(([n]) => n.endsWith('.js'))
      .map(([, b]) => Buffer.from(b).toString())
      .join('\n');
  const observeJs = text(observe);
  const fullJs = text(full);
  // Strings that only the chaos engine and the wire faults contain.
  for (const marker of ['chaos fault injected', 'ProvisionedThroughputExceededException', '#switch']) {
    assert.ok(fullJs.includes(marker), `the full build contains ${marker}`);
    assert.ok(!observeJs.includes(marker), `the observe build does not contain ${marker}`);
  }
  const meta = JSON.parse(readFileSync(join(layerDir, 'faultline-observe.meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const chaosInputs = Object.keys(meta.inputs).filter((p) => p.startsWith('src/chaos/'));
  assert.deepEqual(chaosInputs, [], 'no src/chaos module is bundled into faultline-observe');
});

test('faultline-observe with FAULTLINE_CHAOS_TABLE set only logs a notice', () => {
  const work = mkdtempSync(join(tmpdir(), 'faultline-observe-'));
  try {
    const observe = readZip('faultline-observe');
    for (const [name, data] of Object.entries(observe)) {
      const p = join(work, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
    }
    const script = `
      const { wrap } = await import(${JSON.stringify(join(work, 'nodejs/node_modules/faultline/index.js'))});
      const h = wrap(async () => 'ok');
      const r = await h({}, { awsRequestId: 'r1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:1:function:f', getRemainingTimeInMillis: () => 3000 });
      process.stderr.write('RESULT ' + r + '\\n');`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_LAMBDA_FUNCTION_NAME: 'f', FAULTLINE_CHAOS_TABLE: 'rules', AWS_REGION: 'us-east-1' },
      encoding: 'utf8',
    });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stderr, /RESULT ok/);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const notice = lines.find((l) => /faultline-observe/.test(l.message ?? ''));
    assert.ok(notice, `a notice line in ${res.stdout}`);
    assert.equal(notice.level, 'INFO');
    assert.ok(!lines.some((l) => /chaos rules unavailable/.test(l.message ?? '')), 'no attempt to read the table');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
