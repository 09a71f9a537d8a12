// What `faultline` answers without building the commander program: exactly
// `-v`/`--version`, and exactly a help request for a command whose help text
// the build precomputed into dist/cli/help.json (scripts/post-build.mjs).
// Anything else, or a help file that is missing, malformed or from another
// version, goes to commander.

/** dist/cli/help.json: the live help of every command, keyed by its path ("" for the program). */
export interface HelpFile {
  readonly version: string;
  readonly width: number;
  readonly texts: Readonly<Record<string, string>>;
}

/** The help width commander uses: the terminal's, at most 80; 80 off a terminal. */
export const HELP_WIDTH = 80;

export function helpWidth(out: { isTTY?: boolean; columns?: number }): number {
  return Math.min((out.isTTY && out.columns) || HELP_WIDTH, HELP_WIDTH);
}

/** The command path (words joined by a space) `argv` asks help for, or undefined. */
export function helpRequest(argv: readonly string[]): string | undefined {
  if (argv[0] === 'help' && argv.length <= 2) return argv.slice(1).join(' ');
  const last = argv[argv.length - 1];
  if (last !== '--help' && last !== '-h') return undefined;
  const path = argv.slice(0, -1);
  return path.every((w) => /^[a-z][a-z0-9-]*$/.test(w)) ? path.join(' ') : undefined;
}

function isHelpFile(x: unknown): x is HelpFile {
  const f = x as Partial<HelpFile> | null;
  return (
    typeof f === 'object' && f !== null && typeof f.version === 'string' && typeof f.width === 'number' &&
    typeof f.texts === 'object' && f.texts !== null
  );
}

/** What to print for `argv` without commander, or undefined to let commander answer. */
export function fastAnswer(
  argv: readonly string[],
  version: string,
  width: number,
  helpFile: () => unknown,
): string | undefined {
  if (argv.length === 1 && (argv[0] === '-v' || argv[0] === '--version')) return `${version}\n`;
  const path = helpRequest(argv);
  if (path === undefined) return undefined;
  const file = helpFile();
  if (!isHelpFile(file) || file.version !== version || file.width !== width) return undefined;
  const text = Object.hasOwn(file.texts, path) ? file.texts[path] : undefined;
  return typeof text === 'string' ? text : undefined;
}
