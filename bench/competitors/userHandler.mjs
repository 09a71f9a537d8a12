// The function's own handler, loaded the way Lambda's runtime loads a
// CommonJS handler: require() of LAMBDA_TASK_ROOT/index.cjs (bench/lib/lambdaEnv.ts writes it).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const loadCjs = createRequire(import.meta.url);

export function loadUserHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  if (!root) throw new Error('LAMBDA_TASK_ROOT is not set: expected the directory holding index.cjs');
  return loadCjs(join(root, 'index.cjs')).handler;
}
