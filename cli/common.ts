// What every faultline command shares: the streams and environment it runs
// with (never process globals: cli/bin.ts binds those), the common options,
// output (human or --json, colour or not), and the one place errors become exit codes.
import { Option, type Command } from 'commander';

/** Where a command writes: process.stdout in cli/bin.ts, an in-memory stream in tests. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  on?(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  removeListener?(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
}

/** What runCli is given: the only way a command reaches its output and environment. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Readonly<Record<string, string | undefined>>;
}

/** One run of the CLI: its io, and the exit code its action settles on. */
export interface CliRun extends CliIo {
  exitCode: number;
}

/** Exit status contract (docs/cli.md). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A bad flag or argument: exit 2. The message names the bad value and the expected form. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An operation that failed (missing table, no credentials, id found nowhere): exit 1. */
export class OperationError extends Error {
  override name = 'OperationError';
}

export interface CommonOptions {
  table?: string;
  region?: string;
  profile?: string;
  json?: boolean;
  color?: boolean;
}

/**
 * Adds --json and --no-color; --region and --profile for commands that call
 * AWS (`aws: false` leaves them out); --table too when `withTable`.
 */
export function addCommonOptions(cmd: Command, { withTable = false, aws = true } = {}): Command {
  if (withTable) cmd.addOption(envOption('--table <name>', 'rule table name', 'FAULTLINE_CHAOS_TABLE'));
  if (aws) cmd.option('--region <region>', 'AWS region (default: AWS_REGION)').option('--profile <name>', 'AWS shared-config profile');
  return cmd
    .option('--json', 'machine-readable output (JSON)')
    .option('--no-color', 'plain output without ANSI colours (also NO_COLOR)');
}

const ENV_VAR = new WeakMap<Option, string>();

/**
 * An option that falls back to an environment variable of the run's io.env
 * (commander's own .env() reads process.env); applyEnvOptions fills it in.
 */
export function envOption(flags: string, description: string, envVar: string): Option {
  const option = new Option(flags, `${description} (env: ${envVar})`);
  ENV_VAR.set(option, envVar);
  return option;
}

/** Gives `cmd`'s env-backed options their io.env value, before the command line (which wins) is parsed. */
export function applyEnvOptions(cmd: Command, env: CliIo['env']): void {
  for (const option of cmd.options) {
    const envVar = ENV_VAR.get(option);
    const value = envVar === undefined ? undefined : env[envVar];
    if (value !== undefined) cmd.setOptionValueWithSource(option.attributeName(), value, 'env');
  }
}

/** Colour only on a terminal, never with --no-color or NO_COLOR. */
export function useColor(opts: Pick<CommonOptions, 'color'>, io: CliIo): boolean {
  if (opts.color === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return Boolean(io.stdout.isTTY);
}

export interface Painter {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  /** Stable colour per key (function names in `logs tail`). */
  byKey(key: string, s: string): string;
}

const PALETTE = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];

export function painter(enabled: boolean): Painter {
  const wrap = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    bold: wrap(1),
    dim: wrap(2),
    red: wrap(31),
    green: wrap(32),
    yellow: wrap(33),
    cyan: wrap(36),
    byKey(key, s) {
      if (!enabled) return s;
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
      return `\x1b[${PALETTE[h % PALETTE.length]}m${s}\x1b[0m`;
    },
  };
}

/** Prints one JSON document (or NDJSON line) to stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value) + '\n');
}

/** One line of human output on stdout. */
export function say(io: CliIo, line = ''): void {
  io.stdout.write(line + '\n');
}

/** One `faultline: …` line on stderr. */
export function warn(io: CliIo, line: string): void {
  io.stderr.write(`faultline: ${line}\n`);
}

/**
 * Turns any error into one line on stderr and an exit code. Usage errors are
 * 2, everything else 1; commander's own usage errors are handled by it (exit 2
 * via exitOverride in program.ts).
 */
export function reportError(io: CliIo, err: unknown, json: boolean): number {
  const code = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.stderr.write(JSON.stringify({ type: 'error', error: message, exitCode: code }) + '\n');
  else io.stderr.write(`faultline: ${message}\n`);
  return code;
}

/**
 * Wraps a command action so thrown errors become the exit-code contract of
 * this run; `fn` returns an exit code when it ends in one other than 0 without an error.
 */
export function action<A extends unknown[]>(run: CliRun, fn: (...args: A) => Promise<number | void> | number | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      if (typeof code === 'number') run.exitCode = code;
    } catch (err) {
      const cmd = args[args.length - 1] as Command | undefined;
      const opts = (cmd && typeof cmd.optsWithGlobals === 'function' ? cmd.optsWithGlobals() : {}) as CommonOptions;
      run.exitCode = reportError(run, err, Boolean(opts.json));
    }
  };
}

/** How every command's help shows its examples: one `Examples:` section, each line a runnable `faultline …`. */
export function examples(cmd: Command, lines: readonly string[], notes: readonly string[] = []): Command {
  const text = ['', 'Examples:', ...lines.map((l) => `  ${l}`), ...(notes.length ? ['', ...notes] : [])].join('\n');
  return cmd.addHelpText('after', text + '\n');
}
