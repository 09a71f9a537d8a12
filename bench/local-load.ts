// The local-mode load check (issue 5): many functions, each invoked many times
// at once in emulated Lambda environments with the faultline layer attached
// through its exec wrapper; then, from the log stream files alone, every line a
// handler wrote must be in its own invocation's stream, between that
// invocation's START and END (platform.start and platform.report in Lambda's
// JSON log format), carrying its own request id: none lost, none
// duplicated, none in another invocation.
//
// A check, not a benchmark: it is not named *.bench.ts, so `npm run bench`
// leaves it alone. Run it after building the layer:
//
//   node layer/build.mjs            # or: npm run build:layer
//   node --import tsx bench/local-load.ts [options]
//
// Options (defaults in brackets):
//   --functions N                    functions, alternately ES module and CommonJS [10]
//   --concurrency N                  invocations sent at once to each function [50]
//   --rounds N                       times the whole burst is sent [1]
//   --environments-per-function N    most environments a function may start
//                                    (its reserved concurrency); the rest of a
//                                    burst queues for a free one [10]
//   --lines N                        rounds of 3 lines each invocation writes [4]
//   --max-delay-ms N                 longest random wait between lines [5]
//   --layer DIR                      unzipped layer [dist/layer/faultline]
//   --log-format Text|JSON           Lambda's log format for the functions [Text]
//   --keep-logs                      keep the log directory (kept anyway on failure)
//
// Exit status 0 when every line is where it belongs, 1 when not, 2 on a usage error.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createFunctionPool, type FunctionSpec, type InvocationReport } from '../cli/local/functionPool.js';
import { logStreamFileName } from '../cli/local/logStream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'load');
/** What the fixture handler writes for each round `seq`: console.log, console.warn, the faultline logger. */
const LINE_KINDS = ['console', 'warn', 'structured'] as const;
const LINE_PATTERN = /\b(lc-\d+-\d+-\d+-[0-9a-f]{8}) (console|warn|structured) (\d+)\b/g;

interface Settings {
  readonly functions: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly environmentsPerFunction: number;
  readonly lines: number;
  readonly maxDelayMs: number;
  readonly layer: string;
  readonly keepLogs: boolean;
  readonly logFormat: 'Text' | 'JSON';
}

class UsageError extends Error {}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}

function readSettings(argv: string[]): Settings {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        functions: { type: 'string' },
        concurrency: { type: 'string' },
        rounds: { type: 'string' },
        'environments-per-function': { type: 'string' },
        lines: { type: 'string' },
        'max-delay-ms': { type: 'string' },
        layer: { type: 'string' },
        'keep-logs': { type: 'boolean' },
        'log-format': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const layer = resolve(values.layer ?? join(ROOT, 'dist', 'layer', 'faultline'));
  if (!existsSync(join(layer, 'faultline-wrapper'))) {
    throw new UsageError(`--layer ${layer}: expected an unzipped faultline layer with faultline-wrapper at its root (run node layer/build.mjs first)`);
  }
  const logFormat = values['log-format'] ?? 'Text';
  if (logFormat !== 'Text' && logFormat !== 'JSON') throw new UsageError(`--log-format ${logFormat}: expected Text or JSON`);
  return {
    logFormat,
    functions: wholeNumber('functions', values.functions, 10, 1, 100),
    concurrency: wholeNumber('concurrency', values.concurrency, 50, 1, 1000),
    rounds: wholeNumber('rounds', values.rounds, 1, 1, 100),
    environmentsPerFunction: wholeNumber('environments-per-function', values['environments-per-function'], 10, 1, 1000),
    lines: wholeNumber('lines', values.lines, 4, 1, 1000),
    maxDelayMs: wholeNumber('max-delay-ms', values['max-delay-ms'], 5, 0, 10_000),
    layer,
    keepLogs: values['keep-logs'] ?? false,
  };
}

/** One invocation as sent and as answered: what its log stream must show. */
interface SentInvocation {
  readonly marker: string;
  readonly functionName: string;
  readonly report: InvocationReport;
  /** The stream file of the environment that ran it. */
  readonly logFile: string;
}

interface Misplaced {
  readonly line: string;
  readonly file: string;
  readonly why: string;
}

interface Attribution {
  readonly expected: number;
  readonly found: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly misattributed: number;
  /** Invocations whose START or END is missing or repeated in their stream. */
  readonly badFrames: number;
  readonly examples: readonly string[];
}

/**
 * Checks every handler line in the log stream files against the invocation
 * that wrote it. Pure over its inputs: `streams` maps each file to its
 * messages in order.
 */
function checkAttribution(
  sent: readonly SentInvocation[],
  linesPerInvocation: number,
  streams: ReadonlyMap<string, readonly string[]>,
): Attribution {
  const byMarker = new Map(sent.map((s) => [s.marker, s]));
  const seen = new Map<string, number>();
  const frames = new Map<string, { starts: number; ends: number }>();
  const misplaced: Misplaced[] = [];

  for (const [file, messages] of streams) {
    let open: string | undefined;
    for (const message of messages) {
      const frame = platformFrame(message);
      if (frame !== undefined) {
        const f = frames.get(frame.requestId) ?? { starts: 0, ends: 0 };
        if (frame.edge === 'start') {
          f.starts++;
          open = frame.requestId;
        } else {
          f.ends++;
          if (open === frame.requestId) open = undefined;
        }
        frames.set(frame.requestId, f);
        continue;
      }
      for (const m of message.matchAll(LINE_PATTERN)) {
        const [, marker, kind, seq] = m;
        const key = `${marker} ${kind} ${seq}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const inv = byMarker.get(marker!);
        const why: string[] = [];
        if (inv === undefined) why.push('no invocation sent this marker');
        else {
          const requestId = inv.report.requestId;
          if (file !== inv.logFile) why.push(`in stream ${streamLabel(file)}, expected ${streamLabel(inv.logFile)}`);
          if (open !== requestId) why.push(open === undefined ? 'outside every START…END' : `inside invocation ${open}, expected ${requestId}`);
          const fieldId = requestIdField(message);
          if (fieldId !== requestId) why.push(`requestId field ${JSON.stringify(fieldId)}, expected ${requestId}`);
        }
        if (why.length > 0) misplaced.push({ line: key, file, why: why.join('; ') });
      }
    }
  }

  let expected = 0;
  let lost = 0;
  const lostExamples: string[] = [];
  for (const s of sent) {
    for (let seq = 0; seq < linesPerInvocation; seq++) {
      for (const kind of LINE_KINDS) {
        expected++;
        const key = `${s.marker} ${kind} ${seq}`;
        if (!seen.has(key)) {
          lost++;
          if (lostExamples.length < 5) lostExamples.push(`lost: ${key} (request ${s.report.requestId})`);
        }
      }
    }
  }
  let found = 0;
  let duplicated = 0;
  const duplicateExamples: string[] = [];
  for (const [key, count] of seen) {
    found += count;
    if (count > 1) {
      duplicated += count - 1;
      if (duplicateExamples.length < 5) duplicateExamples.push(`duplicated ×${count}: ${key}`);
    }
  }
  let badFrames = 0;
  for (const s of sent) {
    const f = frames.get(s.report.requestId);
    if (f?.starts !== 1 || f.ends !== 1) badFrames++;
  }
  return {
    expected,
    found,
    lost,
    duplicated,
    misattributed: misplaced.length,
    badFrames,
    examples: [
      ...lostExamples,
      ...duplicateExamples,
      ...misplaced.slice(0, 5).map((m) => `misattributed: ${m.line} in ${streamLabel(m.file)}: ${m.why}`),
    ],
  };
}

/**
 * Lambda's lines that open and close an invocation: `START`/`END` in the Text
 * format; `platform.start`/`platform.report` records in the JSON format (which
 * has no END record).
 */
function platformFrame(message: string): { edge: 'start' | 'end'; requestId: string } | undefined {
  const text = /^(START|END) RequestId: ([^\s]+)/.exec(message);
  if (text) return { edge: text[1] === 'START' ? 'start' : 'end', requestId: text[2]! };
  if (!message.startsWith('{"time"')) return undefined;
  try {
    const rec = JSON.parse(message) as { type?: unknown; record?: { requestId?: unknown } };
    const requestId = rec.record?.requestId;
    if (typeof requestId !== 'string') return undefined;
    if (rec.type === 'platform.start') return { edge: 'start', requestId };
    if (rec.type === 'platform.report') return { edge: 'end', requestId };
  } catch {
    // not a platform record
  }
  return undefined;
}

/** `<function>/<stream file>`: enough to find a stream in the log directory. */
function streamLabel(file: string): string {
  return `${basename(dirname(file))}/${basename(file)}`;
}

/** The agent's `requestId` field of a JSON log line; undefined for anything else. */
function requestIdField(message: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(message);
    const id = (parsed as { requestId?: unknown } | null)?.requestId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function readStreams(logDir: string): Map<string, string[]> {
  const streams = new Map<string, string[]>();
  for (const fn of readdirSync(logDir)) {
    for (const name of readdirSync(join(logDir, fn))) {
      const file = join(logDir, fn, name);
      const messages = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { message: string }).message);
      streams.set(file, messages);
    }
  }
  return streams;
}

function functionSpecs(settings: Settings): FunctionSpec[] {
  const wrapper = join(settings.layer, 'faultline-wrapper');
  return Array.from({ length: settings.functions }, (_, i) => ({
    name: `load-${String(i).padStart(2, '0')}`,
    codeDir: join(FIXTURES, i % 2 === 0 ? 'esm' : 'cjs'),
    handler: 'index.handler',
    // Far above what a handler needs: a start-up storm on a small machine must not end invocations.
    timeoutSeconds: 120,
    reservedConcurrency: settings.environmentsPerFunction,
    logFormat: settings.logFormat,
    layers: [settings.layer],
    environment: { AWS_LAMBDA_EXEC_WRAPPER: wrapper },
  }));
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = readSettings(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`local-load: ${err.message}\n`);
    return 2;
  }
  const logDir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
  const functions = functionSpecs(settings);
  let environmentsStarted = 0;
  const pool = createFunctionPool({
    functions,
    logDir,
    initTimeoutMs: 120_000,
    onEnvironment: (e) => {
      if (e.type === 'started') environmentsStarted++;
    },
  });
  const stopOnSignal = () => {
    pool.killAll();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const sent: SentInvocation[] = [];
  const started = performance.now();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      const burst = functions.flatMap((fn, f) =>
        Array.from({ length: settings.concurrency }, async (_, i): Promise<SentInvocation> => {
          const marker = `lc-${f}-${round}-${i}-${randomBytes(4).toString('hex')}`;
          const report = await pool.invoke(fn.name, { marker, lines: settings.lines, maxDelayMs: settings.maxDelayMs });
          return { marker, functionName: fn.name, report, logFile: join(logDir, fn.name, logStreamFileName(report.logStreamName)) };
        }),
      );
      sent.push(...(await Promise.all(burst)));
    }
  } finally {
    // Closing flushes every stream file before they are read.
    await pool.close();
  }
  const wallMs = performance.now() - started;
  process.off('SIGINT', stopOnSignal);
  process.off('SIGTERM', stopOnSignal);

  const failed = sent.filter((s) => s.report.kind !== 'response' || (s.report.payload as { requestId?: unknown })?.requestId !== s.report.requestId);
  const coldStarts = sent.filter((s) => s.report.coldStart).length;
  const result = checkAttribution(sent, settings.lines, readStreams(logDir));
  const ok = failed.length === 0 && result.lost === 0 && result.duplicated === 0 && result.misattributed === 0 && result.badFrames === 0 && result.found === result.expected;

  const esm = functions.filter((f) => f.codeDir.endsWith('esm')).length;
  const rows: Array<[string, string]> = [
    ['layer', `${relative(ROOT, settings.layer) || settings.layer} (AWS_LAMBDA_EXEC_WRAPPER), ${settings.logFormat} log format`],
    ['functions', `${functions.length} (${esm} ES module, ${functions.length - esm} CommonJS)`],
    ['invocations', `${sent.length} (${settings.concurrency} at once per function × ${settings.rounds} round${settings.rounds === 1 ? '' : 's'}), ${sent.length - failed.length} succeeded, ${failed.length} failed`],
    ['environments', `${environmentsStarted} started (at most ${settings.environmentsPerFunction} per function), ${coldStarts} cold starts`],
    ['handler lines', `expected ${result.expected}, found ${result.found}, lost ${result.lost}, duplicated ${result.duplicated}, misattributed ${result.misattributed}`],
    ['START/END', `${sent.length - result.badFrames} of ${sent.length} invocations opened and closed once each`],
    ['wall time', `${(wallMs / 1000).toFixed(2)} s (first invoke to last answer, cold starts included)`],
    ['throughput', `${(sent.length / (wallMs / 1000)).toFixed(1)} invocations/s, ${((result.found / wallMs) * 1000).toFixed(0)} handler lines/s`],
    ['machine', `Node ${process.version}, ${availableParallelism()} CPUs`],
    ['result', ok ? 'PASS' : 'FAIL'],
  ];
  process.stdout.write('faultline local load check\n');
  for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(15)} ${v}\n`);
  for (const s of failed.slice(0, 5)) process.stdout.write(`  failed: ${s.functionName} ${s.report.requestId}: ${JSON.stringify(s.report).slice(0, 300)}\n`);
  for (const e of result.examples) process.stdout.write(`  ${e}\n`);

  if (ok && !settings.keepLogs) rmSync(logDir, { recursive: true, force: true });
  else process.stdout.write(`  logs kept in   ${logDir}\n`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
