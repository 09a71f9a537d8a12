// The game day's live status: one line rewritten in place on a terminal,
// plain periodic lines elsewhere. renderStatus is pure (state, columns) →
// text; the writer owns the terminal line so nothing else is printed in the
// middle of it.
import type { Painter } from '../common.js';

export interface StatusState {
  readonly elapsedMs: number;
  readonly phase: string;
  readonly requestsPerSecond: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly inflight: number;
  readonly environments: readonly { readonly name: string; readonly count: number }[];
}

interface Segment {
  readonly text: string;
  readonly paint?: (s: string) => string;
}

const ELLIPSIS = '…';

/** The segments in the order they are given up when the line is too narrow: the last one goes first. */
function segments(s: StatusState, p: Painter): Segment[] {
  const errPaint = s.errorRate > 0.05 ? p.red : s.errorRate > 0 ? p.yellow : p.green;
  return [
    { text: `[${String(Math.round(s.elapsedMs / 1000)).padStart(3)}s] ${s.phase.padEnd(8)}` },
    { text: ` errors ` },
    { text: `${(s.errorRate * 100).toFixed(1).padStart(5)}%`, paint: errPaint },
    { text: `  p50 ${Math.round(s.p50Ms).toString().padStart(5)}ms  p99 ${Math.round(s.p99Ms).toString().padStart(5)}ms` },
    { text: `  ${s.requestsPerSecond.toFixed(1).padStart(5)} req/s  in flight ${String(s.inflight).padStart(3)}` },
    { text: `  envs ${s.environments.map((e) => `${e.name}×${e.count}`).join(' ')}` },
  ];
}

/**
 * The status line, at most `columns - 1` characters wide (the last column is
 * left free: a terminal that wraps on it would leave a stale line behind).
 * What does not fit is cut, marked with `…`; colours never count as width.
 */
export function renderStatus(state: StatusState, columns: number, paint: Painter): string {
  const width = Math.max(1, Math.floor(columns) - 1);
  let used = 0;
  let out = '';
  for (const seg of segments(state, paint)) {
    const room = width - used;
    if (seg.text.length <= room) {
      out += seg.paint ? seg.paint(seg.text) : seg.text;
      used += seg.text.length;
      continue;
    }
    // Cut here: as much of this segment as fits beside the ellipsis.
    const cut = seg.text.slice(0, Math.max(0, room - 1)).trimEnd();
    out += (cut ? (seg.paint ? seg.paint(cut) : cut) : '') + (room >= 1 ? ELLIPSIS : '');
    break;
  }
  return out;
}

/** What the game day writes to: a stream, as a terminal or not. */
export interface StatusOut {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface StatusWriter {
  /** Replaces the status line (terminal) or prints it as a line of its own (elsewhere). */
  status(state: StatusState): void;
  /** Prints a whole line of output; on a terminal the status line is cleared first. */
  line(text: string): void;
  /** Clears the status line, leaving the cursor at the start of an empty line. */
  finish(): void;
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * On a terminal (`interactive`), the status line is written without a
 * newline and cleared before any other output, so output never starts in the
 * middle of it; elsewhere each status is a plain line, never truncated.
 */
export function createStatusWriter(out: StatusOut, paint: Painter, interactive: boolean): StatusWriter {
  let open = false;
  const close = () => {
    if (open) out.write(CLEAR_LINE);
    open = false;
  };
  return {
    status(state) {
      if (!interactive) {
        out.write(renderStatus(state, Number.POSITIVE_INFINITY, paint) + '\n');
        return;
      }
      out.write(CLEAR_LINE + renderStatus(state, out.columns && out.columns > 0 ? out.columns : 80, paint));
      open = true;
    },
    line(text) {
      close();
      out.write(text + '\n');
    },
    finish: close,
  };
}
