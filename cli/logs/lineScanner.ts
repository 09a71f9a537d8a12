// Streams a file in fixed-size chunks and hands back only the lines that
// contain one of the search terms. The search runs on raw bytes
// (Buffer#indexOf), so lines without a hit are never decoded or split: this
// is what keeps `logs correlate` over a log directory fast. Memory is bounded
// by the line cap whatever the file holds: a line longer than maxLineBytes
// (CloudWatch's largest event is 1 MB) is counted and discarded up to its
// newline, never collected.
import { open } from 'node:fs/promises';

export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Lines longer than this are skipped: 1 MiB, above CloudWatch's largest event (1 MB). */
export const MAX_LINE_BYTES = 1 << 20;

export interface ScanOptions {
  /** Raw byte terms; `undefined` hands back every line. */
  readonly terms: readonly Buffer[] | undefined;
  /** Byte offset to start at (tail follows a growing file). */
  readonly fromOffset?: number;
  readonly chunkBytes?: number;
  /** Lines longer than this many bytes are skipped (default MAX_LINE_BYTES). */
  readonly maxLineBytes?: number;
  /** `fromOffset` is inside a line already skipped (ScanResult.endsInSkippedLine): discard up to its newline. */
  readonly insideSkippedLine?: boolean;
  /** Called once per skipped line, with the byte offset where it starts. */
  readonly onSkippedLine?: (offset: number) => void;
}

export interface ScanResult {
  /** Where the next read should start: after the last complete line (or the skipped bytes). */
  readonly nextOffset: number;
  readonly bytesRead: number;
  /** Lines longer than maxLineBytes, skipped. */
  readonly skippedLines: number;
  /** The file ended inside a skipped line: scan on from nextOffset with insideSkippedLine. */
  readonly endsInSkippedLine: boolean;
  /** The longest partial line held between reads; never above maxLineBytes. */
  readonly peakCarriedBytes: number;
}

/**
 * Starts (in `data`) of the lines longer than `max`, in order; empty when
 * none. Looks at one newline per `max` bytes, not at every line.
 */
function overlongLineStarts(data: Buffer, end: number, max: number): number[] | undefined {
  let out: number[] | undefined;
  let p = 0;
  while (p + max < end) {
    const nl = data.lastIndexOf(10, p + max);
    if (nl >= p) {
      p = nl + 1;
      continue;
    }
    (out ??= []).push(p);
    const e = data.indexOf(10, p + max);
    if (e < 0 || e >= end) break;
    p = e + 1;
  }
  return out;
}

function emitMatches(
  data: Buffer,
  base: number,
  terms: readonly Buffer[] | undefined,
  max: number,
  onLine: (line: string, offset: number) => void,
  onSkip: (offset: number) => void,
): void {
  const overlong = overlongLineStarts(data, data.length, max);
  if (overlong !== undefined) for (const s of overlong) onSkip(base + s);
  const skip = overlong === undefined ? undefined : new Set(overlong);
  if (terms === undefined) {
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(10, start);
      if (end < 0) end = data.length;
      if (end > start && !skip?.has(start)) onLine(data.toString('utf8', start, end), base + start);
      start = end + 1;
    }
    return;
  }
  let starts: number[] | undefined;
  for (const term of terms) {
    let i = data.indexOf(term);
    while (i >= 0) {
      const lineStart = i === 0 ? 0 : data.lastIndexOf(10, i - 1) + 1;
      let lineEnd = data.indexOf(10, i + term.length);
      if (lineEnd < 0) lineEnd = data.length;
      if (!skip?.has(lineStart)) (starts ??= []).push(lineStart);
      i = lineEnd + 1 < data.length ? data.indexOf(term, lineEnd + 1) : -1;
    }
  }
  if (starts === undefined) return;
  if (terms.length > 1) starts = [...new Set(starts)].sort((a, b) => a - b);
  for (const s of starts) {
    let e = data.indexOf(10, s);
    if (e < 0) e = data.length;
    onLine(data.toString('utf8', s, e), base + s);
  }
}

/**
 * Calls `onLine(line, byteOffset)` for each line of `path` containing one of
 * `terms`, in file order. A final line without a newline is included only
 * when `includePartialTail` (a file still being written may end mid-line).
 */
export async function scanFile(
  path: string,
  opts: ScanOptions,
  onLine: (line: string, offset: number) => void,
  includePartialTail = true,
): Promise<ScanResult> {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  let skippedLines = 0;
  const onSkip = (offset: number) => {
    skippedLines++;
    opts.onSkippedLine?.(offset);
  };
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let pos = opts.fromOffset ?? 0;
    let skipping = Boolean(opts.insideSkippedLine);
    let carry: Buffer | undefined;
    let carryOffset = pos;
    let peakCarriedBytes = 0;
    let bytesRead = 0;
    /** Keeps `rest` (at `offset`) for the next read, or starts skipping it when it is already too long. */
    const keep = (rest: Buffer, offset: number) => {
      if (rest.length > max) {
        onSkip(offset);
        skipping = true;
        carry = undefined;
        return;
      }
      // A copy: `buf` is reused by the next read.
      carry = rest.length > 0 ? Buffer.from(rest) : undefined;
      carryOffset = offset;
      if (rest.length > peakCarriedBytes) peakCarriedBytes = rest.length;
    };
    for (;;) {
      const { bytesRead: n } = await fh.read(buf, 0, chunkBytes, pos);
      if (n === 0) break;
      bytesRead += n;
      let fresh = buf.subarray(0, n);
      let freshOffset = pos;
      pos += n;
      if (skipping) {
        // Inside a line too long to keep: discard up to its newline.
        const nl = fresh.indexOf(10);
        if (nl < 0) continue;
        skipping = false;
        fresh = fresh.subarray(nl + 1);
        freshOffset += nl + 1;
        carryOffset = freshOffset;
      }
      const data = carry ? Buffer.concat([carry, fresh]) : fresh;
      const dataOffset = carry ? carryOffset : freshOffset;
      const lastNl = data.lastIndexOf(10);
      if (lastNl < 0) {
        keep(data, dataOffset);
        continue;
      }
      emitMatches(data.subarray(0, lastNl), dataOffset, opts.terms, max, onLine, onSkip);
      keep(data.subarray(lastNl + 1), dataOffset + lastNl + 1);
    }
    if (skipping) return { nextOffset: pos, bytesRead, skippedLines, endsInSkippedLine: true, peakCarriedBytes };
    if (carry && includePartialTail) {
      emitMatches(carry, carryOffset, opts.terms, max, onLine, onSkip);
      return { nextOffset: carryOffset + carry.length, bytesRead, skippedLines, endsInSkippedLine: false, peakCarriedBytes };
    }
    return { nextOffset: carry ? carryOffset : pos, bytesRead, skippedLines, endsInSkippedLine: false, peakCarriedBytes };
  } finally {
    await fh.close();
  }
}
