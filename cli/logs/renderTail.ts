// One followed event → one output line (human or JSON) for `logs tail`.
import type { Painter } from '../common.js';
import { platformText } from './correlate.js';
import { parseLogLine } from './parseLogLine.js';
import type { SourceEvent } from './records.js';

export function tailJson(event: SourceEvent): Record<string, unknown> {
  const r = parseLogLine(event, event.function);
  const base = {
    timestamp: event.timestamp,
    function: event.function,
    stream: event.stream,
    requestId: r.requestId ?? null,
    traceId: r.traceId ?? null,
  };
  switch (r.kind) {
    case 'log':
      return { ...base, level: r.level, message: r.message, type: 'log' };
    case 'span':
      return { ...base, level: r.status.code === 'ERROR' ? 'ERROR' : 'INFO', message: r.name, type: 'span', durationMs: r.durationMs };
    case 'platform':
      return { ...base, level: 'INFO', message: platformText(r), type: 'platform', event: r.event };
    case 'metric':
      return { ...base, level: 'INFO', message: r.raw.trimEnd(), type: 'metric' };
  }
}

export function tailText(event: SourceEvent, fnWidth: number, p: Painter): string {
  const j = tailJson(event);
  const time = new Date(event.timestamp).toISOString().slice(11, 23);
  const level = String(j.level);
  const lvl = level === 'ERROR' || level === 'FATAL' ? p.red(level.padEnd(5)) : level === 'WARN' ? p.yellow(level.padEnd(5)) : level.padEnd(5);
  const msg = String(j.message).replace(/\r?\n/g, '\\n');
  const body = j.type === 'log' ? msg : p.dim(j.type === 'span' ? `span ${msg} ${String(j.durationMs)}ms` : msg);
  return `${time}  ${p.byKey(event.function, event.function.padEnd(fnWidth))}  ${lvl}  ${body}`;
}
