// LogSource over a log directory (docs/local-mode.md):
// DIR/<function>.log or DIR/<function>/<stream>.log (logDirLayout.ts), one `{"timestamp": <ms>, "message": "<line>"}`
// per line, the shape of CloudWatch's log events. Everything streams through
// lineScanner.ts: memory stays flat in the size of the directory and of each
// line (a line above 1 MiB is skipped and reported through onSkippedLine).
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogEvent, SourceEvent } from './records.js';
import { MAX_LINE_BYTES, scanFile } from './lineScanner.js';
import { listStreams, type StreamFile } from './logDirLayout.js';
import type { FollowOptions, InvocationRef, LogSource, SearchQuery, TimeRange } from './source.js';

/**
 * How far before --since a stream's mtime may be and its lines still be read
 * (and filtered by their own timestamps). The kernel stamps files from a
 * coarse clock that lags Date.now() by up to a tick (4–10 ms): a line
 * appended just after the tail started could otherwise carry an mtime
 * "before" --since and be skipped unread.
 */
export const MTIME_SLACK_MS = 1000;

/** Pure: one line of a log-directory file → its event; undefined for a line that is not one. */
export function parseEventLine(line: string): LogEvent | undefined {
  if (line.charCodeAt(0) !== 123) return undefined;
  try {
    const v = JSON.parse(line) as { timestamp?: unknown; message?: unknown };
    if (typeof v.timestamp !== 'number' || !Number.isFinite(v.timestamp) || typeof v.message !== 'string') return undefined;
    return { timestamp: v.timestamp, message: v.message };
  } catch {
    return undefined;
  }
}

/**
 * The raw-file spellings of a term: the message is a JSON string inside the
 * line, so `"` and `\` appear escaped, twice over inside an agent JSON line.
 */
export function rawTerms(term: string): Buffer[] {
  const once = JSON.stringify(term).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([term, once, twice])].map((t) => Buffer.from(t, 'utf8'));
}

/** A line left unread for its length (above MAX_LINE_BYTES), where it starts. */
export interface SkippedLine {
  readonly function: string;
  readonly stream: string;
  readonly offset: number;
  /** The file, relative to the directory read (default `<function>/<stream>.log`). */
  readonly file?: string;
}

export interface LogDirSourceOptions {
  /** How often `follow` looks for new lines and new streams. */
  readonly pollMs?: number;
  /** Files scanned at once: overlaps reads with searching. */
  readonly concurrency?: number;
  /** Lines longer than this are skipped (default MAX_LINE_BYTES, 1 MiB). */
  readonly maxLineBytes?: number;
  /** Told of each line skipped for its length, once per line. */
  readonly onSkippedLine?: (line: SkippedLine) => void;
  /** Told when `follow` has finished each look over the streams (1, 2, …): lets a caller wait for a poll, not a time. */
  readonly onPoll?: (count: number) => void;
}

export function logDirSource(dir: string, opts: LogDirSourceOptions = {}): LogSource {
  const pollMs = opts.pollMs ?? 250;
  const concurrency = opts.concurrency ?? 4;
  const maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const skipped = (fn: string, stream: string, file: string) => (offset: number) => opts.onSkippedLine?.({ function: fn, stream, offset, file });

  async function scanStreams(
    files: ReadonlyArray<{ fn: string; file: StreamFile; terms: Buffer[] }>,
    range: TimeRange,
    onEvent: (event: SourceEvent) => void,
  ): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const { fn, file, terms } = files[next++]!;
        const { stream } = file;
        const at = relative(dir, file.path);
        await scanFile(file.path, { terms, maxLineBytes, onSkippedLine: skipped(fn, stream, at) }, (line, offset) => {
          const ev = parseEventLine(line);
          if (!ev || ev.timestamp < range.startMs || ev.timestamp > range.endMs) return;
          onEvent({ ...ev, function: fn, stream, key: `${at}:${offset}` });
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  }

  return {
    description: `log directory ${dir}`,

    async search(query: SearchQuery, onEvent) {
      const terms = query.terms.flatMap(rawTerms);
      const files: { fn: string; file: StreamFile; terms: Buffer[] }[] = [];
      for (const fn of query.functions) for (const file of await listStreams(dir, fn)) files.push({ fn, file, terms });
      await scanStreams(files, query.range, onEvent);
    },

    async fetchInvocations(refs: readonly InvocationRef[], range, onEvent) {
      // Each invocation's lines live in one stream (one execution
      // environment): only those files are read again.
      const files: { fn: string; file: StreamFile; terms: Buffer[] }[] = [];
      const byFunction = new Map<string, StreamFile[]>();
      for (const r of refs) {
        let streams = byFunction.get(r.function);
        if (!streams) byFunction.set(r.function, (streams = await listStreams(dir, r.function)));
        const terms = r.requestIds.flatMap(rawTerms);
        for (const file of streams) if (file.stream === r.stream) files.push({ fn: r.function, file, terms });
      }
      await scanStreams(files, range, onEvent);
    },

    follow(follow: FollowOptions) {
      return followDir(dir, follow, pollMs, maxLineBytes, skipped, opts.onPoll);
    },
  };
}

/** tail -f over every stream of the functions, including streams created while following. */
async function* followDir(
  dir: string,
  opts: FollowOptions,
  pollMs: number,
  maxLineBytes: number,
  skipped: (fn: string, stream: string, file: string) => (offset: number) => void,
  onPoll?: (count: number) => void,
): AsyncGenerator<SourceEvent> {
  let polls = 0;
  const offsets = new Map<string, number>();
  // Streams whose last read ended inside a line too long to keep.
  const insideSkipped = new Set<string>();
  let first = true;
  while (!opts.signal.aborted) {
    const batch: SourceEvent[] = [];
    for (const fn of opts.functions) {
      for (const file of await listStreams(dir, fn)) {
        const path = file.path;
        let from = offsets.get(path);
        if (from === undefined) {
          // Streams that exist at start are read from the top and filtered
          // by --since; streams that appear later are new: read in full.
          from = 0;
        }
        const st = await stat(path);
        const size = st.size;
        if (first && st.mtimeMs < opts.sinceMs - MTIME_SLACK_MS) {
          // Nothing written since --since: skip to the end unread.
          offsets.set(path, size);
          continue;
        }
        if (size === from) continue;
        if (size < from) {
          from = 0; // truncated or replaced: start over
          insideSkipped.delete(path);
        }
        const { stream } = file;
        const at = relative(dir, path);
        const { nextOffset, endsInSkippedLine } = await scanFile(
          path,
          { terms: undefined, fromOffset: from, maxLineBytes, insideSkippedLine: insideSkipped.has(path), onSkippedLine: skipped(fn, stream, at) },
          (line, offset) => {
            const ev = parseEventLine(line);
            if (!ev || (first && ev.timestamp < opts.sinceMs)) return;
            batch.push({ ...ev, function: fn, stream, key: `${at}:${offset}` });
          },
          false,
        );
        offsets.set(path, nextOffset);
        if (endsInSkippedLine) insideSkipped.add(path);
        else insideSkipped.delete(path);
      }
    }
    first = false;
    onPoll?.(++polls);
    batch.sort((a, b) => a.timestamp - b.timestamp);
    for (const ev of batch) {
      if (opts.signal.aborted) return;
      yield ev;
    }
    try {
      await sleep(pollMs, undefined, { signal: opts.signal });
    } catch {
      return;
    }
  }
}
