#!/usr/bin/env node
// The one place the CLI meets the process: its argv, streams, environment and exit code.
import { runCli } from './program.js';

// The AWS SDK's notice about future Node.js support is noise in a CLI's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `faultline … | head`: a reader that went away is the end of the output, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faultline: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
