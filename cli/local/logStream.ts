// One CloudWatch log stream as a file (docs/local-mode.md):
// `DIR/<function>/<stream>.log`, one `{"timestamp": <epoch ms>, "message": "…"}`
// per line. Log stream names hold `/`, `[` and `$` (`2026/11/23/[$LATEST]<hex>`);
// the file name keeps only letters, digits, `.`, `_` and `-`
// (`2026-11-23-LATEST-<hex>.log`), so it is used in a shell unquoted.
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { makeDirsSync } from '../makeDirs.js';
import { join } from 'node:path';

/** `2026/11/23/[$LATEST]<32 hex>`, the shape of Lambda's log stream names. */
export function newLogStreamName(version: string, nowMs = Date.now()): string {
  const d = new Date(nowMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/[${version}]${randomBytes(16).toString('hex')}`;
}

/** Pure: the stream's file name, `[a-zA-Z0-9._-]` only; `[$LATEST]` becomes `LATEST-`. */
export function logStreamFileName(streamName: string): string {
  const safe = streamName
    .replace(/\[\$?([^\]]*)\]/g, '$1-')
    .replaceAll('/', '-')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[.-]/, '_');
  return `${safe || '_'}.log`;
}

export interface LogStreamFile {
  readonly path: string;
  write(timestampMs: number, message: string): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export function openLogStreamFile(logDir: string, functionName: string, streamName: string): LogStreamFile {
  const dir = join(logDir, functionName);
  makeDirsSync(dir);
  const path = join(dir, logStreamFileName(streamName));
  const out: WriteStream = createWriteStream(path, { flags: 'a' });
  let closing: Promise<void> | undefined;
  // A full disk must not crash the emulator; lines are lost, as CloudWatch drops them when throttled.
  out.on('error', () => {});
  return {
    path,
    write(timestampMs, message) {
      if (closing !== undefined) return;
      out.write(JSON.stringify({ timestamp: timestampMs, message }) + '\n');
    },
    close() {
      closing ??= new Promise<void>((resolve) => out.end(() => resolve()));
      return closing;
    },
  };
}

/**
 * Splits a byte stream into lines (without the `\n`). The runtime client writes
 * one line per console call (it turns inner newlines into `\r`), so a line is
 * one log event, as CloudWatch receives it.
 */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  return {
    push(chunk) {
      const text = rest + decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        onLine(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    },
    end() {
      const tail = rest + decoder.decode();
      rest = '';
      if (tail !== '') onLine(tail);
    },
  };
}
