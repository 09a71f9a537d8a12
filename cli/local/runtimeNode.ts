// Which Lambda Node.js runtime the local mode emulates, and the Node.js binary
// that runs its environments: this process's node when it is of the runtime's
// major, else the one `npm run runtimes` keeps in ~/.cache/faultline/node-<major>/
// (the same place the test and bench scripts fetch to), else this node, said so.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Lambda's Node.js runtimes, newest first. */
export const LAMBDA_NODE_RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const;
export type LambdaNodeRuntime = (typeof LAMBDA_NODE_RUNTIMES)[number];
export const DEFAULT_RUNTIME: LambdaNodeRuntime = LAMBDA_NODE_RUNTIMES[0];

export interface RuntimeNode {
  readonly runtime: LambdaNodeRuntime;
  /** The runtime's Node.js major (24 for nodejs24.x). */
  readonly major: number;
  /** The node binary that runs the environments. */
  readonly path: string;
  /** Its `process.version`. */
  readonly version: string;
  /** False when no node of the runtime's major was found and `path` is this process's node instead. */
  readonly matches: boolean;
}

/** Pure: `nodejs24.x` → 24; throws naming the value and the runtimes there are. */
export function parseRuntime(text: string): LambdaNodeRuntime {
  const found = LAMBDA_NODE_RUNTIMES.find((r) => r === text.trim().toLowerCase());
  if (found === undefined) {
    throw new Error(`runtime ${JSON.stringify(text)}: expected one of ${LAMBDA_NODE_RUNTIMES.join(', ')}`);
  }
  return found;
}

export function runtimeMajor(runtime: LambdaNodeRuntime): number {
  return Number(/^nodejs(\d+)\.x$/.exec(runtime)![1]);
}

/** `AWS_Lambda_nodejs24.x`: the AWS_EXECUTION_ENV of that runtime. */
export function executionEnvOf(runtime: LambdaNodeRuntime): string {
  return `AWS_Lambda_${runtime}`;
}

/** Where `npm run runtimes` (scripts/node-runtimes.mjs) keeps the node of a major. */
export function cachedNodePath(major: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'faultline', `node-${major}`, 'bin', 'node');
}

const majorOf = (version: string): number => Number(version.replace(/^v/, '').split('.')[0]);

/** The node that runs the runtime's environments; never throws. */
export function findRuntimeNode(runtime: LambdaNodeRuntime, env: NodeJS.ProcessEnv = process.env): RuntimeNode {
  const major = runtimeMajor(runtime);
  if (majorOf(process.version) === major) return { runtime, major, path: process.execPath, version: process.version, matches: true };
  const cached = cachedNodePath(major, env);
  if (existsSync(cached)) {
    const r = spawnSync(cached, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30_000 });
    const version = r.status === 0 ? r.stdout.trim() : '';
    if (majorOf(version) === major) return { runtime, major, path: cached, version, matches: true };
  }
  return { runtime, major, path: process.execPath, version: process.version, matches: false };
}

/** One line for the user: which runtime, on which node, and how to get the right one when it is missing. */
export function describeRuntimeNode(node: RuntimeNode): string {
  if (node.matches) return `runtime ${node.runtime} on Node ${node.version} (${node.path})`;
  return (
    `runtime ${node.runtime} on Node ${node.version} (${node.path}): no Node ${node.major} found at ${cachedNodePath(node.major)}; ` +
    `get it with \`npm pack node-${process.platform}-${process.arch}@${node.major}\` and unpack its package/ there (in faultline's repository: npm run runtimes)`
  );
}
