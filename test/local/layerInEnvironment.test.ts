// The built layers, unzipped as Lambda unzips them into /opt (file modes
// restored from the zip, so the wrapper stays executable), attached to an
// ESM and a CJS function through AWS_LAMBDA_EXEC_WRAPPER in an emulated
// execution environment: what the function's log stream then holds for a cold
// invocation, a warm one and a failing one. Needs `node layer/build.mjs`
// first (`npm test` runs it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

import { createFunctionPool, type FunctionPool, type InvocationReport } from '../../cli/local/functionPool.js';
import { logStreamFileName } from '../../cli/local/logStream.js';
import { readLogFile } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOAD_FIXTURES = join(ROOT, 'test', 'fixtures', 'load');
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';

/**
 * Unix mode of each entry, from the central directory: the high 16 bits of the
 * external attributes, when the entry was made on Unix (version-made-by host 3).
 * fflate's unzipSync returns only names and bytes.
 */
function zipEntryModes(zip: Uint8Array): Map<string, number> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let p = zip.length - 22; p >= Math.max(0, zip.length - 22 - 0xffff); p--) {
    if (view.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: no end of central directory record');
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const modes = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new Error(`bad central directory entry at byte ${p}`);
    const madeOnUnix = view.getUint8(p + 5) === 3;
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const external = view.getUint32(p + 38, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    if (madeOnUnix) modes.set(name, external >>> 16);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return modes;
}

/** Extracts a layer zip into `into` as Lambda does, file modes included. */
function unzipLayer(zipPath: string, into: string): void {
  const zip = new Uint8Array(readFileSync(zipPath));
  const modes = zipEntryModes(zip);
  for (const [name, bytes] of Object.entries(unzipSync(zip))) {
    const target = join(into, name);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
    const mode = modes.get(name);
    if (mode !== undefined && (mode & 0o777) !== 0) chmodSync(target, mode & 0o777);
  }
}

interface Parsed {
  readonly message: string;
  readonly json: Record<string, any> | undefined;
}

function parse(message: string): Parsed {
  try {
    const json: unknown = JSON.parse(message);
    return { message, json: typeof json === 'object' && json !== null ? (json as Record<string, any>) : undefined };
  } catch {
    return { message, json: undefined };
  }
}

/** The lines of one invocation: strictly between its START and END, and its REPORT line. */
function invocationLines(messages: readonly string[], requestId: string): { inside: Parsed[]; report: string } {
  const start = messages.indexOf(`START RequestId: ${requestId} Version: $LATEST`);
  const end = messages.indexOf(`END RequestId: ${requestId}`);
  assert.ok(start >= 0, `START of ${requestId} in the log stream`);
  assert.ok(end > start, `END of ${requestId} after its START`);
  const report = messages[end + 1];
  assert.ok(report !== undefined && report.startsWith(`REPORT RequestId: ${requestId}\t`), `REPORT of ${requestId} right after its END, got ${report}`);
  return { inside: messages.slice(start + 1, end).map(parse), report };
}

/** Root=1-5759e988-bd862e3fe1be46a994272793 → the OpenTelemetry trace id 5759e988bd862e3fe1be46a994272793. */
function traceIdOf(header: string | undefined): string {
  const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(header ?? '');
  assert.ok(root, `an X-Ray header with a Root, got ${header}`);
  return `${root[1]}${root[2]}`;
}

const FLAVOURS = ['faultline', 'faultline-observe'] as const;
const FORMATS = [
  { format: 'esm', dir: 'esm' },
  { format: 'cjs', dir: 'cjs' },
] as const;

for (const flavour of FLAVOURS) {
  describe(`the ${flavour}.zip layer attached through its exec wrapper`, () => {
    const zipPath = join(ROOT, 'dist', 'layer', `${flavour}.zip`);
    const work = mkdtempSync(join(tmpdir(), `faultline-${flavour}-env-`));
    const layer = join(work, 'opt');
    const wrapper = join(layer, 'faultline-wrapper');
    after(() => rmSync(work, { recursive: true, force: true }));

    before(() => {
      assert.ok(existsSync(zipPath), `${zipPath} is missing: run node layer/build.mjs (npm run build:layer) first`);
      unzipLayer(zipPath, layer);
    });

    test('the wrapper keeps the executable mode the zip records for it', () => {
      const recorded = zipEntryModes(new Uint8Array(readFileSync(zipPath))).get('faultline-wrapper');
      assert.ok(recorded !== undefined, 'the zip records a Unix mode for faultline-wrapper');
      assert.equal(recorded & 0o111, 0o111, 'the zip marks faultline-wrapper executable');
      assert.equal(statSync(wrapper).mode & 0o777, recorded & 0o777);
    });

    for (const { format, dir } of FORMATS) {
      describe(`${format === 'esm' ? 'an ES module' : 'a CommonJS'} function`, () => {
        const name = `${format}-${flavour}`;
        const logDir = join(work, `logs-${format}`);
        const marker = `${format}${flavour.length}`;
        let pool: FunctionPool | undefined;
        let cold: InvocationReport;
        let warm: InvocationReport;
        let failed: InvocationReport;
        let messages: string[];

        before(async () => {
          pool = createFunctionPool({
            logDir,
            functions: [
              {
                name,
                codeDir: join(LOAD_FIXTURES, dir),
                handler: 'index.handler',
                // Generous: a loaded CI machine may start the runtime slowly; nothing here waits for it to pass.
                timeoutSeconds: 60,
                layers: [layer],
                environment: { AWS_LAMBDA_EXEC_WRAPPER: wrapper },
              },
            ],
            initTimeoutMs: 60_000,
          });
          cold = await pool.invoke(name, { marker, lines: 2, maxDelayMs: 0 }, { traceHeader: TRACE });
          warm = await pool.invoke(name, { marker, lines: 2, maxDelayMs: 0 });
          failed = await pool.invoke(name, { marker, lines: 1, maxDelayMs: 0, fail: true });
          // Closing flushes the log stream files.
          await pool.close();
          pool = undefined;
          messages = readLogFile(join(logDir, name, logStreamFileName(cold.logStreamName))).map((e) => e.message);
        });
        after(() => pool?.close());

        test('the invocations answer through the layer, cold then warm in one environment', () => {
          assert.equal(cold.kind, 'response', JSON.stringify(cold));
          assert.equal(warm.kind, 'response', JSON.stringify(warm));
          assert.ok(cold.kind === 'response' && warm.kind === 'response');
          assert.deepEqual(cold.payload, { marker, linesWritten: 6, requestId: cold.requestId, format });
          assert.deepEqual(warm.payload, { marker, linesWritten: 6, requestId: warm.requestId, format });
          assert.notEqual(cold.requestId, warm.requestId);
          assert.equal(warm.environmentId, cold.environmentId);
          assert.equal(failed.environmentId, cold.environmentId);
          assert.equal(cold.coldStart, true);
          assert.equal(warm.coldStart, false);
        });

        test('the handler’s console and logger lines are the agent’s JSON lines with their own requestId', () => {
          for (const r of [cold, warm]) {
            const logs = invocationLines(messages, r.requestId).inside.filter((l) => l.json?.message?.startsWith(`${marker} `));
            assert.deepEqual(
              logs.map((l) => [l.json!.level, l.json!.message]),
              [
                ['INFO', `${marker} console 0`],
                ['WARN', `${marker} warn 0`],
                ['INFO', `${marker} structured 0`],
                ['INFO', `${marker} console 1`],
                ['WARN', `${marker} warn 1`],
                ['INFO', `${marker} structured 1`],
              ],
            );
            for (const l of logs) {
              assert.equal(l.json!.requestId, r.requestId);
              assert.equal(l.json!.traceId, traceIdOf(r.traceHeader));
              assert.equal(l.json!.function, name);
              assert.match(l.json!.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
            }
            // coldStart is a field of the first invocation's lines only.
            assert.ok(logs.every((l) => l.json!.coldStart === (r === cold ? true : undefined)));
          }
          const structured = invocationLines(messages, cold.requestId).inside.find((l) => l.json?.message === `${marker} structured 1`);
          assert.equal(structured?.json?.seq, 1);
          assert.equal(structured?.json?.marker, marker);
        });

        test('one invocation span each: faas.invocation_id, faas.coldstart true then false, the X-Ray header’s trace id', () => {
          const spanOf = (r: InvocationReport) => {
            const spans = invocationLines(messages, r.requestId).inside.filter((l) => l.json?.type === 'span');
            assert.equal(spans.length, 1, `one span line for ${r.requestId}`);
            return spans[0]!.json!;
          };
          const coldSpan = spanOf(cold);
          const warmSpan = spanOf(warm);
          assert.equal(coldSpan.attributes['faas.invocation_id'], cold.requestId);
          assert.equal(warmSpan.attributes['faas.invocation_id'], warm.requestId);
          assert.equal(coldSpan.attributes['faas.coldstart'], true);
          assert.equal(warmSpan.attributes['faas.coldstart'], false);
          assert.equal(coldSpan.attributes['faas.name'], name);
          assert.equal(coldSpan.attributes['cloud.provider'], 'aws');
          assert.equal(coldSpan.traceId, TRACE_ID);
          assert.equal(coldSpan.parentSpanId, '53995c3f42cd8ad8');
          assert.equal(warmSpan.traceId, traceIdOf(warm.traceHeader));
          assert.notEqual(warmSpan.traceId, TRACE_ID);
          assert.equal(coldSpan.status.code, 'UNSET');
          assert.equal(warmSpan.status.code, 'UNSET');
        });

        test('one EMF document each: ColdStart 1 with InitDuration, then 0 without', () => {
          const emfOf = (r: InvocationReport) => {
            const docs = invocationLines(messages, r.requestId).inside.filter((l) => l.json?._aws !== undefined);
            assert.equal(docs.length, 1, `one EMF document for ${r.requestId}`);
            return docs[0]!.json!;
          };
          const c = emfOf(cold);
          const w = emfOf(warm);
          assert.equal(c.ColdStart, 1);
          assert.equal(w.ColdStart, 0);
          assert.equal(typeof c.InitDuration, 'number');
          assert.equal(w.InitDuration, undefined);
          assert.equal(c.FunctionName, name);
          assert.equal(c.Error, 0);
          assert.equal(w.Error, 0);
          assert.equal(c.requestId, cold.requestId);
          assert.equal(w.requestId, warm.requestId);
        });

        test('START/END/REPORT around each invocation, Init Duration only on the cold start', () => {
          assert.match(messages[0] ?? '', /^INIT_START Runtime Version: nodejs:\d+\.v\d+\t/);
          const coldReport = invocationLines(messages, cold.requestId).report;
          const warmReport = invocationLines(messages, warm.requestId).report;
          const failedReport = invocationLines(messages, failed.requestId).report;
          assert.match(coldReport, /\tInit Duration: \d+\.\d\d ms\t/);
          assert.doesNotMatch(warmReport, /Init Duration/);
          assert.doesNotMatch(failedReport, /Init Duration/);
          for (const report of [coldReport, warmReport, failedReport]) {
            assert.match(report, /\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t/);
            // A handler's error is a completed run for Lambda: REPORT has no Status.
            assert.doesNotMatch(report, /Status:/);
          }
          const order = [cold, warm, failed].map((r) => messages.indexOf(`START RequestId: ${r.requestId} Version: $LATEST`));
          assert.ok(order.every((i) => i >= 0), `every START in the stream: ${order}`);
          assert.deepEqual([...order].sort((a, b) => a - b), order, 'the invocations in the order they ran');
        });

        test('a function error is reported as the function’s error, and its span has status ERROR', () => {
          assert.equal(failed.kind, 'error', JSON.stringify(failed));
          assert.ok(failed.kind === 'error');
          assert.equal(failed.errorType, 'LoadCheckError');
          assert.equal(failed.errorMessage, `${marker} failed on purpose`);
          assert.equal(failed.status, 'success');
          const inside = invocationLines(messages, failed.requestId).inside;
          const spans = inside.filter((l) => l.json?.type === 'span');
          assert.equal(spans.length, 1);
          const span = spans[0]!.json!;
          assert.equal(span.attributes['faas.invocation_id'], failed.requestId);
          assert.equal(span.attributes['faas.coldstart'], false);
          assert.equal(span.status.code, 'ERROR');
          const exception = (span.events as Array<{ name: string; attributes: Record<string, unknown> }>).find((e) => e.name === 'exception');
          assert.equal(exception?.attributes['exception.type'], 'LoadCheckError');
          assert.equal(exception?.attributes['exception.message'], `${marker} failed on purpose`);
          const emf = inside.find((l) => l.json?._aws !== undefined);
          assert.equal(emf?.json?.Error, 1);
          assert.equal(emf?.json?.ColdStart, 0);
        });
      });
    }
  });
}
