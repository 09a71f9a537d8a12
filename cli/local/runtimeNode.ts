// Which Lambda Node.js runtime the local mode emulates, and the Node.js binary
// that runs its environments: this process's node when it is of the runtime's
// major, else the one `npm run runtimes` keeps in ~/.cache/faultline/node-<major>/
// (the same place the test and bench scripts fetch to), else this node, said so.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { spawnSync } from 'node:child_process';

import { packageRoot } from './packageRoot.js';
import { requireLocalModeDep, resolveLocalModeDep } from './localModeDeps.js';

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
  /** AWS's runtime client the environments run. */
  readonly client: RuntimeClient;
}

/**
 * AWS's runtime client (aws-lambda-ric) of a runtime, as Lambda runs it:
 * nodejs24.x has 4.x, which refuses callback handlers; nodejs22.x has 3.x,
 * which takes them (callbackWaitsForEmptyEventLoop and all). Lambda Managed
 * Instances run nodejs22.x on 4.x.
 */
export interface RuntimeClient {
  /** `aws-lambda-ric 3.3.0`. */
  readonly name: string;
  /** The script node runs: Lambda's /var/runtime/index.mjs. */
  readonly entry: string;
  /** LAMBDA_RUNTIME_DIR: where the client lives. */
  readonly dir: string;
  /** Why the runtime runs another client than Lambda's, when it does. */
  readonly fallback?: string;
}

function versionOf(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    } catch {
      // not the package's root yet
    }
  }
  return '?';
}

/**
 * aws-lambda-ric 4.x: nodejs24.x's client, and nodejs22.x's on Lambda Managed Instances (its entry starts the runtime loop on import).
 * Found beside faultline or in the local mode's cache (localModeDeps.ts); throws saying how to get it.
 */
export function awsLambdaRic4(roots?: readonly string[]): RuntimeClient {
  const entry = requireLocalModeDep('aws-lambda-ric', roots);
  return { name: `aws-lambda-ric ${versionOf(entry)}`, entry, dir: dirname(entry) };
}

/** The script that starts 3.x as nodejs22.x does, importing aws-lambda-ric-3 from the tree that has it. */
const NODEJS22_ENTRY = "import { run } from 'aws-lambda-ric-3';\n\nawait run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);\n";

function nodejs22EntryBeside(client: string): string {
  // A source checkout has it in cli/local; anywhere else (the cache, a project) it is written beside the package's node_modules.
  const source = join(packageRoot(), 'cli', 'local', 'nodejs22Runtime.mjs');
  if (existsSync(source) && resolveLocalModeDep('aws-lambda-ric-3', [packageRoot()]) === client) return source;
  const modules = client.slice(0, client.lastIndexOf(`${sep}node_modules${sep}`));
  const entry = join(modules, 'faultline-nodejs22-runtime.mjs');
  if (!existsSync(entry) || readFileSync(entry, 'utf8') !== NODEJS22_ENTRY) writeFileSync(entry, NODEJS22_ENTRY);
  return entry;
}

/** nodejs22.x's client 3.x (aws-lambda-ric-3: a devDependency of faultline's repository, or the local mode's cache), else 4.x, said so. */
export function nodejs22Client(resolve: (id: 'aws-lambda-ric-3') => string | undefined = (id) => resolveLocalModeDep(id)): RuntimeClient {
  let client: string | undefined;
  try {
    client = resolve('aws-lambda-ric-3');
  } catch {
    // not installed
  }
  if (client !== undefined) return { name: `aws-lambda-ric ${versionOf(client)}`, entry: nodejs22EntryBeside(client), dir: dirname(client) };
  return {
    ...awsLambdaRic4(),
    fallback:
      'AWS\'s runtime client 3.x of nodejs22.x is not installed (aws-lambda-ric-3; faultline local installs it when it can), ' +
      'so callback handlers are refused, as on Lambda Managed Instances',
  };
}

const clients = new Map<LambdaNodeRuntime, RuntimeClient>();

/** The runtime client of a runtime; looked up once. */
export function runtimeClientOf(runtime: LambdaNodeRuntime): RuntimeClient {
  let client = clients.get(runtime);
  if (client === undefined) clients.set(runtime, (client = runtime === 'nodejs22.x' ? nodejs22Client() : awsLambdaRic4()));
  return client;
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
  const client = runtimeClientOf(runtime);
  if (majorOf(process.version) === major) return { runtime, major, path: process.execPath, version: process.version, matches: true, client };
  const cached = cachedNodePath(major, env);
  if (existsSync(cached)) {
    const r = spawnSync(cached, ['-p', 'process.version'], { encoding: 'utf8', timeout: 30_000 });
    const version = r.status === 0 ? r.stdout.trim() : '';
    if (majorOf(version) === major) return { runtime, major, path: cached, version, matches: true, client };
  }
  return { runtime, major, path: process.execPath, version: process.version, matches: false, client };
}

/** One line for the user: which runtime, on which node and client, and how to get the right ones when they are missing. */
export function describeRuntimeNode(node: RuntimeNode): string {
  const head = `runtime ${node.runtime} on Node ${node.version} (${node.path}) with ${node.client.name}`;
  const missing = [
    ...(node.matches
      ? []
      : [
          `no Node ${node.major} found at ${cachedNodePath(node.major)}; ` +
            `get it with \`npm pack node-${process.platform}-${process.arch}@${node.major}\` and unpack its package/ there (in faultline's repository: npm run runtimes)`,
        ]),
    ...(node.client.fallback === undefined ? [] : [node.client.fallback]),
  ];
  return missing.length === 0 ? head : `${head}: ${missing.join('; ')}`;
}

/** The line is a warning: the environments do not run as the runtime's would. */
export function runtimeNodeDiffers(node: RuntimeNode): boolean {
  return !node.matches || node.client.fallback !== undefined;
}
