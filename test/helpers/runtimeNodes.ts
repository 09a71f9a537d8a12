// The Node.js binary of a Lambda runtime for tests that start execution
// environments on it: found as `faultline local` finds it, fetched into the
// cache by scripts/node-runtimes.mjs (npm pack node-<platform>-<arch>@<major>)
// when this machine has none yet. `npm test` has fetched both before any test runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { findRuntimeNode, runtimeMajor, type LambdaNodeRuntime, type RuntimeNode } from '../../cli/local/runtimeNode.js';

const FETCH = fileURLToPath(new URL('../../scripts/node-runtimes.mjs', import.meta.url));

export function runtimeNode(runtime: LambdaNodeRuntime): RuntimeNode {
  let node = findRuntimeNode(runtime);
  if (!node.matches) {
    const r = spawnSync(process.execPath, [FETCH, String(runtimeMajor(runtime))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, `fetching the Node of ${runtime} failed:\n${r.stderr}`);
    node = findRuntimeNode(runtime);
  }
  assert.ok(node.matches, `no Node ${node.major} for ${runtime}`);
  return node;
}
