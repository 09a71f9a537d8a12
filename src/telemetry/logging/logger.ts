// Structured JSON logs, one object per line. The fixed part of every line
// (function, service) is serialised once per environment, pino-style; per line
// we only join strings. console.* is captured into the same format.
import { format } from 'node:util';
import type { FaultlineConfig, LogLevel } from '../../config.js';
import { currentInvocation, runtimeInvokeStore } from '../../invocationState.js';
import type { Redactor } from '../redaction/redact.js';
import { parseXRayHeader } from '../propagation/xray.js';

/**
 * The runtime client's own idea of the invocation in progress (aws-lambda-ric's
 * InvokeStore). Lines written outside our invocation context — the runtime's
 * "Invoke Error" line after a handler threw, a callback after the response —
 * still get the request and trace ids Lambda would give them.
 */
function runtimeInvocation(): { requestId: string; traceId: string | undefined } | undefined {
  const store = runtimeInvokeStore();
  if (store === undefined || typeof store.getRequestId !== 'function') return undefined;
  const requestId = store.getRequestId();
  if (!requestId || requestId === '-') return undefined;
  const xray = store.getXRayTraceId?.();
  return { requestId, traceId: xray ? parseXRayHeader(xray)?.traceId : undefined };
}

const LEVEL_VALUE: Record<LogLevel, number> = { TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50, FATAL: 60 };

/** Where finished lines go. The default writes to stdout and never throws. */
export interface LineSink {
  write(line: string): void;
  /** Whole lines already encoded as UTF-8; the sink may keep the buffer. Optional: `write` is used without it. */
  writeBytes?(bytes: Uint8Array): void;
}

let stdoutGuarded = false;

/** stdout may be closed or broken: losing a log line must never fail the invocation. */
export function stdoutSink(): LineSink {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', () => {});
  }
  return {
    write(line: string) {
      try {
        process.stdout.write(line);
      } catch {
        // closed stdout: nothing sensible to do from inside a function
      }
    },
    writeBytes(bytes: Uint8Array) {
      try {
        process.stdout.write(bytes);
      } catch {
        // as in write()
      }
    },
  };
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  /** What every line's message and fields pass through; console arguments too. */
  readonly redactor: Redactor;
  isEnabled(level: LogLevel): boolean;
  log(level: LogLevel, message: string, fields?: LogFields): void;
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Keys added to every line of the current invocation only. */
  appendKeys(fields: LogFields): void;
  /** Writes an already-serialised JSON line (spans, EMF documents). */
  writeRaw(line: string): void;
}

function errorFields(err: Error): Record<string, unknown> {
  return { name: err.name, message: err.message, stack: err.stack };
}

function safeStringify(value: unknown): string {
  try {
    const json = JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Error) return errorFields(v);
      return v;
    });
    // A symbol or function has no JSON form: JSON.stringify gives undefined, which is not a value.
    return json ?? 'null';
  } catch {
    try {
      return JSON.stringify(String(value));
    } catch {
      return '"[unserializable]"';
    }
  }
}

/** The fields the agent writes on every line; a user field of the same name is left out. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['timestamp', 'level', 'message', 'requestId', 'traceId', 'spanId', 'function', 'service', 'coldStart']);

/** The fields every line of a function carries, serialised once per set of names. */
export function fixedLogFields(functionName: string, service: string): string {
  return `,"function":${JSON.stringify(functionName)},"service":${JSON.stringify(service)}`;
}

export function createLogger(config: FaultlineConfig, redactor: Redactor, sink: LineSink = stdoutSink()): Logger {
  const threshold = LEVEL_VALUE[config.logLevel];
  const fixed = fixedLogFields(config.functionName, config.service);
  const levelPrefix = {} as Record<LogLevel, string>;
  for (const l of Object.keys(LEVEL_VALUE) as LogLevel[]) levelPrefix[l] = `","level":"${l}","message":`;

  // Each key appears once per line: the agent's own fields first, then the
  // invocation's appended keys unless the call names the same key, then the call's.
  function appendFields(out: string, fields: LogFields | undefined, overriddenBy?: LogFields): string {
    if (fields === undefined) return out;
    const clean = redactor.redact(fields);
    for (const key in clean) {
      if (!Object.prototype.hasOwnProperty.call(clean, key) || RESERVED_KEYS.has(key)) continue;
      if (overriddenBy !== undefined && Object.prototype.hasOwnProperty.call(overriddenBy, key)) continue;
      const v = clean[key];
      if (v === undefined) continue;
      out += `,${JSON.stringify(key)}:${safeStringify(v)}`;
    }
    return out;
  }

  function log(level: LogLevel, message: string, fields?: LogFields): void {
    try {
      writeLine(level, message, fields);
    } catch {
      // a broken sink or a field whose getter throws loses this line, never the invocation
    }
  }

  function writeLine(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVEL_VALUE[level] < threshold) return;
    let line = `{"timestamp":"${new Date().toISOString()}${levelPrefix[level]}${JSON.stringify(redactor.scrubText(message))}`;
    const inv = currentInvocation();
    if (inv !== undefined) {
      line += `,"requestId":"${inv.requestId}","traceId":"${inv.traceId}","spanId":"${inv.spanId}"${inv.logFields ?? fixed}`;
      if (inv.coldStart) line += ',"coldStart":true';
      line = appendFields(line, inv.logKeys, fields);
    } else {
      const rt = runtimeInvocation();
      if (rt !== undefined) {
        line += `,"requestId":${JSON.stringify(rt.requestId)}`;
        if (rt.traceId) line += `,"traceId":"${rt.traceId}"`;
      }
      line += fixed;
    }
    line = appendFields(line, fields);
    sink.write(line + '}\n');
  }

  return {
    level: config.logLevel,
    redactor,
    isEnabled: (level) => LEVEL_VALUE[level] >= threshold,
    log,
    trace: (m, f) => log('TRACE', m, f),
    debug: (m, f) => log('DEBUG', m, f),
    info: (m, f) => log('INFO', m, f),
    warn: (m, f) => log('WARN', m, f),
    error: (m, f) => log('ERROR', m, f),
    appendKeys(fields) {
      const inv = currentInvocation();
      if (inv === undefined) return;
      try {
        inv.logKeys = { ...inv.logKeys, ...fields };
      } catch {
        // a getter that throws: the keys are not added
      }
    },
    writeRaw(line) {
      try {
        sink.write(line.endsWith('\n') ? line : line + '\n');
      } catch {
        // as in log()
      }
    },
  };
}

const CONSOLE_LEVELS: ReadonlyArray<readonly [keyof Console, LogLevel]> = [
  ['log', 'INFO'],
  ['info', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['debug', 'DEBUG'],
  ['trace', 'TRACE'],
];

/**
 * Object arguments with sensitive keys redacted at any depth, before util.format
 * prints them (the formatted message is then scrubbed as free text like every line's).
 */
function redactArgs(redactor: Redactor, args: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === null || (typeof a !== 'object' && typeof a !== 'function')) continue;
    const r = redactor.redact(a);
    if (r !== a) (out ??= args.slice())[i] = r;
  }
  return out ?? args;
}

/**
 * Routes console.* through the logger while an invocation runs: from its
 * start until its handler's outcome comes, and the runtime's own lines about
 * the invocation in progress (its "Invoke Error" line). An Error argument adds
 * an `error` field; object arguments are redacted before they are formatted.
 * Outside an invocation (init, timers that fire after the handler returned,
 * between invocations) a call goes to the console method it replaced, untouched.
 */
export function captureConsole(logger: Logger, target: Console = console): () => void {
  const originals = new Map<keyof Console, unknown>();
  for (const [method, level] of CONSOLE_LEVELS) {
    const original = target[method] as (...args: unknown[]) => void;
    originals.set(method, original);
    (target as unknown as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      // Outside every frame of ours, the runtime's own record decides (its "Invoke Error" line belongs to the invocation).
      const inv = currentInvocation();
      if (inv === undefined ? runtimeInvocation() === undefined : inv.settled) return original.apply(this, args);
      if (!logger.isEnabled(level)) return;
      let fields: LogFields | undefined;
      for (const a of args) {
        if (a instanceof Error) {
          fields = { ...fields, error: errorFields(a) };
          break;
        }
      }
      logger.log(level, format(...redactArgs(logger.redactor, args)), fields);
    };
  }
  return () => {
    for (const [method, original] of originals) (target as unknown as Record<string, unknown>)[method] = original;
  };
}
