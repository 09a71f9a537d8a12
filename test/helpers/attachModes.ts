// The faultline layer unpacked as Lambda extracts it to /opt, and a function
// spec for each way the layer reaches its handler: bare (no faultline), the
// exec wrapper (AWS_LAMBDA_EXEC_WRAPPER), the handler redirect (FAULTLINE_HANDLER).
// Needs `npm run build:layer` (dist/layer/faultline.zip).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';

import type { FunctionSpec } from '../../cli/local/functionPool.js';

const root = new URL('../..', import.meta.url).pathname;
export const LAYER_ZIP = join(root, 'dist', 'layer', 'faultline.zip');

export type Attach = 'bare' | 'wrapper' | 'redirect';
export const ATTACH: readonly Attach[] = ['bare', 'wrapper', 'redirect'];

/** Unzips the built layer into `dir` (what /opt is on Lambda). */
export function unpackLayer(dir: string): void {
  assert.ok(existsSync(LAYER_ZIP), `${LAYER_ZIP} is missing: run npm run build:layer first`);
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(LAYER_ZIP)))) {
    if (name.endsWith('/')) continue;
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  chmodSync(join(dir, 'faultline-wrapper'), 0o755);
}

/** The function `handler` in `codeDir`, with the layer at `layer`, reached as `attach` says. */
export function attachSpec(attach: Attach, layer: string, name: string, codeDir: string, handler = 'index.handler'): FunctionSpec {
  const base = { name, codeDir, timeoutSeconds: 30, layers: [layer] };
  if (attach === 'bare') return { ...base, handler };
  if (attach === 'wrapper') return { ...base, handler, environment: { AWS_LAMBDA_EXEC_WRAPPER: join(layer, 'faultline-wrapper') } };
  return { ...base, handler: join(layer, 'nodejs', 'node_modules', 'faultline', 'handler.handler'), environment: { FAULTLINE_HANDLER: handler } };
}
