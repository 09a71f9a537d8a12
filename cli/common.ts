// What every faultline command shares: the common options, output (human or
// --json, colour or not), and the one place errors become exit codes.
import { Command, Option } from 'commander';

/** Exit status contract (README "The CLI"). */
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

/** Adds --region, --profile, --json and --no-color; --table too when `withTable`. */
export function addCommonOptions(cmd: Command, { withTable = false } = {}): Command {
  if (withTable) {
    cmd.addOption(new Option('--table <name>', 'rule table name').env('FAULTLINE_CHAOS_TABLE'));
  }
  return cmd
    .option('--region <region>', 'AWS region (default: AWS_REGION)')
    .option('--profile <name>', 'AWS shared-config profile')
    .option('--json', 'machine-readable output (JSON)')
    .option('--no-color', 'plain output without ANSI colours (also NO_COLOR)');
}

/** Colour only on a terminal, never with --no-color or NO_COLOR. */
export function useColor(opts: Pick<CommonOptions, 'color'>, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (opts.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
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
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/**
 * Turns any error into one line on stderr and an exit code. Usage errors are
 * 2, everything else 1; commander's own usage errors are handled by it (exit 2
 * via exitOverride in program.ts).
 */
export function reportError(err: unknown, json: boolean): number {
  const code = err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  const message = err instanceof Error ? err.message : String(err);
  if (json) process.stderr.write(JSON.stringify({ error: message, exitCode: code }) + '\n');
  else process.stderr.write(`faultline: ${message}\n`);
  return code;
}

/** Wraps a command action so thrown errors become the exit-code contract. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const cmd = args[args.length - 1] as Command | undefined;
      const opts = (cmd && typeof cmd.optsWithGlobals === 'function' ? cmd.optsWithGlobals() : {}) as CommonOptions;
      process.exitCode = reportError(err, Boolean(opts.json));
    }
  };
}
