import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_LINE_BYTES, scanFile } from '../../cli/logs/lineScanner.js';
import { parseEventLine, rawTerms } from '../../cli/logs/logDirSource.js';

let dir: string;
const lines = [
  'alpha one',
  'beta needle two',
  'x'.repeat(5000) + ' needle inside a long line',
  'gamma',
  'needle at the start',
  'ends with the needle',
  'héllo wörld needle ünïcode',
  'needle needle twice on one line',
  'delta',
];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-scan-'));
  await writeFile(join(dir, 'a.log'), lines.join('\n') + '\n');
  await writeFile(join(dir, 'partial.log'), 'complete needle\nunfinished needle');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(file: string, terms: string[] | undefined, chunkBytes: number, includePartialTail = true) {
  const out: Array<[string, number]> = [];
  const res = await scanFile(join(dir, file), { terms: terms?.map((t) => Buffer.from(t)), chunkBytes }, (l, o) => out.push([l, o]), includePartialTail);
  return { out, res };
}

describe('scanFile', () => {
  // Chunk sizes that split lines, terms and multi-byte characters at every kind of place.
  for (const chunkBytes of [3, 7, 64, 1000, 1 << 20]) {
    test(`finds exactly the lines holding a term, once each, chunk ${chunkBytes}`, async () => {
      const { out } = await collect('a.log', ['needle'], chunkBytes);
      assert.deepEqual(out.map(([l]) => l), lines.filter((l) => l.includes('needle')));
      // Offsets point at the line in the file.
      const text = Buffer.from(lines.join('\n') + '\n');
      for (const [l, o] of out) assert.equal(text.toString('utf8', o, o + Buffer.byteLength(l)), l);
    });
    test(`every line without terms, chunk ${chunkBytes}`, async () => {
      const { out, res } = await collect('a.log', undefined, chunkBytes);
      assert.deepEqual(out.map(([l]) => l), lines);
      assert.equal(res.nextOffset, Buffer.byteLength(lines.join('\n') + '\n'));
    });
  }
  test('several terms: a line with two of them comes once, in file order', async () => {
    const { out } = await collect('a.log', ['gamma', 'needle', 'alpha'], 16);
    assert.deepEqual(out.map(([l]) => l), lines.filter((l) => /gamma|needle|alpha/.test(l)));
  });
  test('a final line without newline: included, or left for the next read', async () => {
    assert.deepEqual((await collect('partial.log', ['needle'], 4)).out.map(([l]) => l), ['complete needle', 'unfinished needle']);
    const { out, res } = await collect('partial.log', undefined, 4, false);
    assert.deepEqual(out.map(([l]) => l), ['complete needle']);
    assert.equal(res.nextOffset, 'complete needle\n'.length);
  });
});

describe('scanFile: lines above the cap are counted and skipped, never held', () => {
  const MAX = 16;
  // Lines of every length around the cap, ASCII and multi-byte, with and without a final newline.
  const lineArb = fc.oneof(
    fc.string({ maxLength: 40 }).map((t) => t.replace(/\n/g, ' ')),
    fc.constantFrom('needle', 'x'.repeat(MAX), 'x'.repeat(MAX - 1) + 'é', 'needle' + 'y'.repeat(MAX), 'é'.repeat(9)),
  );
  const fileArb = fc.record({
    lines: fc.array(lineArb, { maxLength: 12 }),
    endsWithNewline: fc.boolean(),
    chunkBytes: fc.integer({ min: 1, max: 50 }),
    terms: fc.constantFrom(undefined, ['needle'], ['x', 'é']),
  });
  /**
   * What a scan must hand back: lines within the cap (holding a term), in order, and the count of those above
   * it — a final line still being written included, since it is already known to be too long.
   */
  function reference(lines: readonly string[], endsWithNewline: boolean, terms: readonly string[] | undefined, includePartialTail: boolean) {
    const readable = endsWithNewline || includePartialTail ? lines : lines.slice(0, -1);
    const kept = readable.filter((l) => l !== '' && Buffer.byteLength(l) <= MAX && (terms === undefined || terms.some((t) => l.includes(t))));
    const skipped = lines.filter((l) => Buffer.byteLength(l) > MAX).length;
    return { kept, skipped };
  }
  let n = 0;
  const write = async (text: string) => {
    const path = join(dir, `gen-${n++}.log`);
    await writeFile(path, text);
    return path;
  };

  test('against a reference, for any lines and chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.boolean(), async ({ lines, endsWithNewline, chunkBytes, terms }, includePartialTail) => {
        const text = lines.join('\n') + (endsWithNewline && lines.length > 0 ? '\n' : '');
        const path = await write(text);
        const out: string[] = [];
        const offsets: number[] = [];
        const skippedAt: number[] = [];
        const res = await scanFile(
          path,
          { terms: terms?.map((t) => Buffer.from(t)), chunkBytes, maxLineBytes: MAX, onSkippedLine: (o) => skippedAt.push(o) },
          (l, o) => (out.push(l), offsets.push(o)),
          includePartialTail,
        );
        const want = reference(lines.length === 0 ? [] : lines, endsWithNewline && lines.length > 0, terms, includePartialTail);
        assert.deepEqual(out, want.kept);
        assert.equal(res.skippedLines, want.skipped);
        assert.equal(skippedAt.length, want.skipped);
        assert.ok(res.peakCarriedBytes <= MAX, `carried ${res.peakCarriedBytes} bytes`);
        const bytes = Buffer.from(text);
        for (const [i, o] of offsets.entries()) assert.equal(bytes.toString('utf8', o, o + Buffer.byteLength(out[i]!)), out[i]);
        for (const o of skippedAt) assert.ok(o === 0 || bytes[o - 1] === 10, `a skipped line starts at ${o}`);
      }),
      { numRuns: 300 },
    );
  });

  test('a file read in two goes (a tail) gives what one read gives, a skipped line counted once', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, fc.nat(), async ({ lines, chunkBytes }, cut) => {
        const text = Buffer.from(lines.join('\n') + '\n');
        const k = lines.length === 0 ? 0 : cut % (text.length + 1);
        const path = join(dir, `gen-${n++}.log`);
        await writeFile(path, text.subarray(0, k));
        const got: string[] = [];
        const opts = { terms: undefined, chunkBytes, maxLineBytes: MAX };
        const first = await scanFile(path, opts, (l) => got.push(l), false);
        await appendFile(path, text.subarray(k));
        const second = await scanFile(path, { ...opts, fromOffset: first.nextOffset, insideSkippedLine: first.endsInSkippedLine }, (l) => got.push(l), false);
        const want = reference(lines, true, undefined, false);
        assert.deepEqual(got, want.kept);
        assert.equal(first.skippedLines + second.skippedLines, want.skipped);
        assert.equal(second.nextOffset, text.length);
      }),
      { numRuns: 300 },
    );
  });

  test('several MiB without a newline: skipped once, the lines after it read, the carry never above 1 MiB', async () => {
    const path = join(dir, 'huge.log');
    const huge = Buffer.alloc(5 * MAX_LINE_BYTES + 12_345, 'x');
    huge.write('needle', 3 * MAX_LINE_BYTES);
    await writeFile(path, 'first needle\n');
    await appendFile(path, huge);
    await appendFile(path, '\nafter needle\n');
    for (const terms of [undefined, [Buffer.from('needle')]]) {
      const out: string[] = [];
      const res = await scanFile(path, { terms }, (l) => out.push(l));
      assert.deepEqual(out, ['first needle', 'after needle']);
      assert.equal(res.skippedLines, 1);
      assert.ok(res.peakCarriedBytes <= MAX_LINE_BYTES, `carried ${res.peakCarriedBytes} bytes`);
    }
    // With no newline at all the scan ends inside the skipped line, and says so.
    const bare = join(dir, 'bare.log');
    await writeFile(bare, huge);
    const out: string[] = [];
    const res = await scanFile(bare, { terms: undefined }, (l) => out.push(l), false);
    assert.deepEqual(out, []);
    assert.deepEqual([res.skippedLines, res.endsInSkippedLine, res.nextOffset], [1, true, huge.length]);
    assert.ok(res.peakCarriedBytes <= MAX_LINE_BYTES);
  });

  test('a line of exactly the cap is read; one byte more is skipped', async () => {
    const path = await write(`${'a'.repeat(MAX)}\n${'b'.repeat(MAX + 1)}\nc\n`);
    const out: string[] = [];
    const res = await scanFile(path, { terms: undefined, maxLineBytes: MAX, chunkBytes: 5 }, (l) => out.push(l));
    assert.deepEqual(out, ['a'.repeat(MAX), 'c']);
    assert.equal(res.skippedLines, 1);
  });
});

describe('log directory lines', () => {
  test('parseEventLine accepts CloudWatch events only', () => {
    assert.deepEqual(parseEventLine('{"timestamp": 5, "message": "m"}'), { timestamp: 5, message: 'm' });
    for (const bad of ['', 'text', '{"timestamp":"5","message":"m"}', '{"timestamp":5}', '{"timestamp":5,"message":1}', '{broken', '[1]']) {
      assert.equal(parseEventLine(bad), undefined, bad);
    }
  });
  test('rawTerms finds a term inside a JSON line inside a JSON event line', () => {
    const id = 'say "hi"\\now';
    const inner = JSON.stringify({ message: 'm', correlationId: id });
    const fileLine = Buffer.from(JSON.stringify({ timestamp: 1, message: inner }));
    assert.ok(rawTerms(id).some((t) => fileLine.includes(t)));
  });
});
