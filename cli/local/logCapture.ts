// An environment's output as its log stream: every line the runtime writes
// goes to the stream's file, and the lines written during an invocation are
// also kept for its report.
import { createLineSplitter, openLogStreamFile, type LogStreamFile } from './logStream.js';

export interface LogCapture {
  readonly log: LogStreamFile;
  push(chunk: Buffer): void;
  end(): void;
}

/** `invocationLines()` is where the current invocation collects its lines; undefined between invocations. */
export function captureLogStream(logDir: string, functionName: string, logStreamName: string, invocationLines: () => string[] | undefined): LogCapture {
  const log = openLogStreamFile(logDir, functionName, logStreamName);
  const splitter = createLineSplitter((line) => {
    log.write(Date.now(), line);
    invocationLines()?.push(line);
  });
  return { log, push: (chunk) => splitter.push(chunk), end: () => splitter.end() };
}

/**
 * Lets output the runtime wrote before its last HTTP request reach the log
 * first. The runtime writes stdout synchronously (a pipe, on Linux) before it
 * posts, so its bytes are already readable when the post arrives: two turns of
 * the event loop, each with an I/O poll, deliver them.
 */
export function drainOutput(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
