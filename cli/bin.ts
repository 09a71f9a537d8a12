#!/usr/bin/env node
import { runCli } from './program.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faultline: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
