// The published types against the usual TypeScript Lambda project: strict tsc
// over test/fixtures/types/, which imports `faultline` through the package's
// "exports", i.e. the BUILT dist/src/*.d.ts (npm test builds before it tests).
// handlers.ts must compile; every line of mistakes.ts marked @ts-expect-error
// must be an error (an unused one is reported by tsc, so the test fails).
// tsconfig.libcheck.json repeats it with skipLibCheck off, so the .d.ts files
// themselves (every one the two entry points reach) are checked as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

function tscOver(config: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '--noEmit', '-p', config], { cwd: root }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

test('wrap() types: aws-lambda handler patterns compile under strict tsc, mistakes do not', async () => {
  assert.ok(existsSync(`${root}dist/src/index.d.ts`), 'dist/src/index.d.ts is missing: run `npm run build` first');
  const { code, output } = await tscOver('test/fixtures/types/tsconfig.json');
  assert.equal(code, 0, `tsc reported:\n${output}`);
});

test('the published .d.ts files type-check on their own (skipLibCheck false, exactOptionalPropertyTypes)', async () => {
  assert.ok(existsSync(`${root}dist/src/index.d.ts`), 'dist/src/index.d.ts is missing: run `npm run build` first');
  const { code, output } = await tscOver('test/fixtures/types/tsconfig.libcheck.json');
  assert.equal(code, 0, `tsc reported:\n${output}`);
});

test('the published .d.ts files do not import aws-lambda (structural types only)', () => {
  const dir = `${root}dist/src`;
  assert.ok(existsSync(dir), 'dist/src is missing: run `npm run build` first');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
  assert.ok(files.length > 0);
  for (const f of files) {
    const text = readFileSync(`${dir}/${f}`, 'utf8');
    assert.doesNotMatch(text, /from ['"]aws-lambda['"]|import\(['"]aws-lambda['"]\)|reference types=['"]aws-lambda['"]/, f);
  }
});
