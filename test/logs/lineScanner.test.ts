import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from '../../cli/logs/lineScanner.js';
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
