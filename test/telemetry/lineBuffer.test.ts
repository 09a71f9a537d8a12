// LineBuffer writes the same bytes as JSON.stringify / Buffer.from would (src/telemetry/tracing/lineBuffer.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineBuffer } from '../../src/telemetry/tracing/lineBuffer.js';
import { seededRandom } from '../helpers/seededRandom.js';

/** Strings that reach every branch: ASCII, escapes, control characters, 2/3/4-byte UTF-8, lone surrogates. */
function randomString(random: () => number): string {
  const pools = [
    () => 0x20 + Math.floor(random() * 0x5f), // printable ASCII
    () => [0x22, 0x5c, 0x7f, 0x2f][Math.floor(random() * 4)]!, // quote, backslash, DEL, slash
    () => Math.floor(random() * 0x20), // control characters
    () => 0x80 + Math.floor(random() * 0x780), // 2-byte
    () => 0x800 + Math.floor(random() * 0xd000), // 3-byte, below the surrogates (U+2028 included)
    () => 0xd800 + Math.floor(random() * 0x800), // a surrogate, usually lone
    () => 0xe000 + Math.floor(random() * 0x2000), // 3-byte, above the surrogates
  ];
  const len = Math.floor(random() * 40);
  let s = '';
  for (let i = 0; i < len; i++) {
    if (random() < 0.1) {
      const cp = 0x10000 + Math.floor(random() * 0xfffff); // a well-formed pair
      s += String.fromCodePoint(cp);
    } else {
      s += String.fromCharCode(pools[Math.floor(random() * pools.length)]!());
    }
  }
  return s;
}

test('jsonString writes the UTF-8 bytes of JSON.stringify, for 20,000 random strings', () => {
  const random = seededRandom(7);
  const out = new LineBuffer(8);
  for (let i = 0; i < 20_000; i++) {
    const s = randomString(random);
    out.reset();
    out.jsonString(s);
    assert.deepEqual(out.bytes(), Buffer.from(JSON.stringify(s), 'utf8'), `string ${JSON.stringify(s)}`);
  }
});

test('utf8 writes the bytes Buffer.from writes, lone surrogates as U+FFFD', () => {
  const random = seededRandom(11);
  const out = new LineBuffer(4);
  for (let i = 0; i < 5_000; i++) {
    const s = randomString(random);
    out.reset();
    out.utf8(s);
    assert.deepEqual(out.bytes(), Buffer.from(s, 'utf8'));
  }
});

test('grows as needed, keeps what was written, and hands the bytes over on take()', () => {
  const out = new LineBuffer(4);
  out.ascii('{"a":');
  out.jsonString('x'.repeat(100));
  out.ascii('}');
  const expected = `{"a":${JSON.stringify('x'.repeat(100))}}`;
  assert.equal(out.toString(), expected);
  const taken = out.take();
  assert.equal(taken.toString(), expected);
  assert.equal(out.length, 0);
  out.ascii('next');
  assert.equal(taken.toString(), expected, 'the taken bytes are not overwritten by later writes');
  assert.equal(out.toString(), 'next');
});
