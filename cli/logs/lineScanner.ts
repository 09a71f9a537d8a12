// Streams a file in fixed-size chunks and hands back only the lines that
// contain one of the search terms. The search runs on raw bytes
// (Buffer#indexOf), so lines without a hit are never decoded or split: this
// is what keeps `logs correlate` over a log directory fast, and memory flat
// whatever the file size (one chunk plus the current partial line).
import { open } from 'node:fs/promises';

export const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface ScanOptions {
  /** Raw byte terms; `undefined` hands back every line. */
  readonly terms: readonly Buffer[] | undefined;
  /** Byte offset to start at (tail follows a growing file). */
  readonly fromOffset?: number;
  readonly chunkBytes?: number;
}

export interface ScanResult {
  /** Where the next read should start: after the last complete line. */
  readonly nextOffset: number;
  readonly bytesRead: number;
}

function emitMatches(
  data: Buffer,
  base: number,
  terms: readonly Buffer[] | undefined,
  onLine: (line: string, offset: number) => void,
): void {
  if (terms === undefined) {
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(10, start);
      if (end < 0) end = data.length;
      if (end > start) onLine(data.toString('utf8', start, end), base + start);
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
      (starts ??= []).push(lineStart);
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
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let pos = opts.fromOffset ?? 0;
    let carry: Buffer | undefined;
    let carryOffset = pos;
    let bytesRead = 0;
    for (;;) {
      const { bytesRead: n } = await fh.read(buf, 0, chunkBytes, pos);
      if (n === 0) break;
      bytesRead += n;
      const fresh = buf.subarray(0, n);
      const data = carry ? Buffer.concat([carry, fresh]) : fresh;
      const dataOffset = carry ? carryOffset : pos;
      pos += n;
      const lastNl = data.lastIndexOf(10);
      if (lastNl < 0) {
        // A line longer than a chunk: keep collecting it (copy: `buf` is reused).
        carry = carry ? data : Buffer.from(data);
        carryOffset = dataOffset;
        continue;
      }
      emitMatches(data.subarray(0, lastNl), dataOffset, opts.terms, onLine);
      carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : undefined;
      carryOffset = dataOffset + lastNl + 1;
    }
    if (carry && includePartialTail) {
      emitMatches(carry, carryOffset, opts.terms, onLine);
      return { nextOffset: carryOffset + carry.length, bytesRead };
    }
    return { nextOffset: carry ? carryOffset : pos, bytesRead };
  } finally {
    await fh.close();
  }
}
