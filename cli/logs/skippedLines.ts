// Lines of a log directory too long to read, as the commands report them.
import { MAX_LINE_BYTES } from './lineScanner.js';
import type { SkippedLine } from './logDirSource.js';

/**
 * Lines a log directory held that were too long to read (over 1 MiB; CloudWatch's
 * largest event is 1 MB): each is named on stderr as it is skipped (a JSON object
 * with --json) the first time it is met, and counted for the command's summary.
 */
export class SkippedLineReport {
  /** Lines, not sightings: a command may read a file several times (correlate follows ids in passes). */
  readonly #seen = new Set<string>();
  constructor(private readonly json: boolean) {}

  get count(): number {
    return this.#seen.size;
  }

  readonly onSkippedLine = (l: SkippedLine): void => {
    const key = `${l.function}\0${l.stream}\0${l.offset}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const where = l.file ?? `${l.function}/${l.stream}.log`;
    if (this.json) {
      process.stderr.write(JSON.stringify({ type: 'warning', warning: 'line skipped: longer than 1 MiB', function: l.function, stream: l.stream, offset: l.offset, maxLineBytes: MAX_LINE_BYTES }) + '\n');
    } else {
      process.stderr.write(`faultline: warning: skipped a line longer than 1 MiB at byte ${l.offset} of ${where} (CloudWatch's largest event is 1 MB)\n`);
    }
  };

  /** The closing line, when anything was skipped. */
  summarize(): void {
    if (this.count === 0) return;
    if (this.json) process.stderr.write(JSON.stringify({ type: 'warning', warning: 'lines skipped: longer than 1 MiB', skippedLines: this.count }) + '\n');
    else process.stderr.write(`faultline: warning: ${this.count} line${this.count === 1 ? '' : 's'} longer than 1 MiB skipped unread\n`);
  }
}
