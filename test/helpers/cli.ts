// Runs the faultline CLI in this process with in-memory streams: what it
// printed on stdout and stderr, and the exit code runCli returned. Nothing of
// the process (its streams, exit code) is touched, so the test runner's own
// output is left alone.
import { runCli } from '../../cli/program.js';
import type { CliIo, OutStream } from '../../cli/common.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The environment the CLI sees (default: this process's). */
  env?: CliIo['env'];
  /** Whether stdout claims to be a terminal (colour, status lines). */
  isTTY?: boolean;
}

function memoryStream(isTTY = false): OutStream & { text(): string } {
  const chunks: string[] = [];
  return { isTTY, write: (chunk: string) => chunks.push(chunk), text: () => chunks.join('') };
}

export async function runCliCaptured(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const stdout = memoryStream(options.isTTY);
  const stderr = memoryStream();
  const code = await runCli(args, { stdout, stderr, env: options.env ?? process.env });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `cli('chaos', 'list', …)`: the spread form most CLI tests use. */
export const cli = (...args: string[]): Promise<CliResult> => runCliCaptured(args);
