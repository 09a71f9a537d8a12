#!/usr/bin/env node
// The one place the CLI meets the process: its argv, streams, environment and exit code.
// Only node builtins load before the compile cache is on and the fast paths had their say.
import { accessSync, constants, readFileSync } from 'node:fs';
import module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fastAnswer, helpWidth } from './fastPath.js';
import { makeDirsSync } from './makeDirs.js';
import { packageRoot } from './local/packageRoot.js';

/**
 * V8's compiled code for faultline and its dependencies, kept between runs
 * (Node >= 22.1); NODE_COMPILE_CACHE, when set, is Node's own to honour.
 * A cache that cannot be written only costs the speed-up.
 */
function enableCompileCache(): void {
  const enable = (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (!enable || process.env.NODE_COMPILE_CACHE !== undefined) return;
  try {
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'faultline', 'compile-cache');
    // Not Node's recursive mkdir, which spins forever under a root such as /proc (cli/makeDirs.ts).
    makeDirsSync(dir);
    accessSync(dir, constants.W_OK);
    enable(dir);
  } catch {
    /* no cache: slower, never broken */
  }
}

function packageVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version as string;
  } catch {
    return undefined;
  }
}

function fastPath(argv: readonly string[]): string | undefined {
  const version = packageVersion();
  if (typeof version !== 'string') return undefined;
  return fastAnswer(argv, version, helpWidth(process.stdout), () => {
    try {
      return JSON.parse(readFileSync(new URL('./help.json', import.meta.url), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  });
}

enableCompileCache();

// The AWS SDK's notice about future Node.js support is noise in a CLI's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `faultline … | head`: a reader that went away is the end of the output, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const argv = process.argv.slice(2);
const answer = fastPath(argv);
if (answer !== undefined) {
  process.stdout.write(answer);
} else {
  const { runCli } = await import('./program.js');
  runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`faultline: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
