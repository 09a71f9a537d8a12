// The AWS event stream decoder under Live Tail: framing across any chunking,
// every header type, checksums, bounded lengths, and the mapping of messages
// to Live Tail items (events, session exceptions, errors).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { decodeHeaders, EventStreamDecoder, EventStreamError, MAX_MESSAGE_BYTES, type EventStreamMessage } from '../../cli/logs/eventStream.js';
import { liveTailItem } from '../../cli/logs/liveTailStream.js';
import { eventStreamMessage, liveTailEvent, liveTailException } from '../helpers/fakeAws.js';

function decodeAll(bytes: Buffer, cuts: number[] = []): EventStreamMessage[] {
  const d = new EventStreamDecoder();
  const out: EventStreamMessage[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    out.push(...d.push(bytes.subarray(from, cut)));
    from = cut;
  }
  d.end();
  return out;
}

/** A prelude whose checksum is right, announcing `total` bytes. */
function prelude(total: number, headersLength: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(total, 0);
  b.writeUInt32BE(headersLength, 4);
  b.writeUInt32BE(crc32(b.subarray(0, 8)), 8);
  return b;
}

describe('EventStreamDecoder', () => {
  test('messages split at every byte boundary decode the same', () => {
    const a = eventStreamMessage({ ':message-type': 'event', ':event-type': 'sessionUpdate' }, '{"x":1}');
    const b = eventStreamMessage({}, '');
    const c = eventStreamMessage({ 'é': 'ü' }, Buffer.alloc(300, 7));
    const all = Buffer.concat([a, b, c]);
    for (let cut = 0; cut <= all.length; cut++) {
      const got = decodeAll(all, [cut]);
      assert.deepEqual(got.map((m) => [m.headers, m.payload.length]), [
        [{ ':message-type': 'event', ':event-type': 'sessionUpdate' }, 7],
        [{}, 0],
        [{ 'é': 'ü' }, 300],
      ]);
    }
    // One byte at a time.
    assert.equal(decodeAll(all, Array.from({ length: all.length }, (_, i) => i)).length, 3);
  });

  test('random messages under random chunking round-trip (fast-check)', () => {
    const header = fc.tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) < 256), fc.string({ maxLength: 50 }));
    const message = fc.tuple(fc.dictionary(header.map(([k]) => k), fc.string({ maxLength: 50 }), { maxKeys: 4 }), fc.uint8Array({ maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), fc.array(fc.nat(2000), { maxLength: 6 }), (messages, cuts) => {
        const bytes = Buffer.concat(messages.map(([h, p]) => eventStreamMessage(h, Buffer.from(p))));
        const got = decodeAll(bytes, cuts);
        assert.deepEqual(got.map((m) => [m.headers, [...m.payload]]), messages.map(([h, p]) => [Object.fromEntries(Object.entries(h)), [...p]]));
      }),
    );
  });

  test('a header named __proto__ is a header, not a prototype', () => {
    const [m] = decodeAll(eventStreamMessage(Object.fromEntries([['__proto__', 'x'], [':message-type', 'event']]), ''));
    assert.equal(Object.getPrototypeOf(m!.headers), Object.prototype);
    assert.deepEqual(Object.keys(m!.headers), ['__proto__', ':message-type']);
  });

  test('every header value type', () => {
    const parts: Buffer[] = [];
    const h = (name: string, type: number, value: Buffer) => parts.push(Buffer.concat([Buffer.from([name.length]), Buffer.from(name), Buffer.from([type]), value]));
    const n = (size: number, write: (b: Buffer) => void) => {
      const b = Buffer.alloc(size);
      write(b);
      return b;
    };
    h('t', 0, Buffer.alloc(0));
    h('f', 1, Buffer.alloc(0));
    h('b', 2, n(1, (b) => b.writeInt8(-3)));
    h('s', 3, n(2, (b) => b.writeInt16BE(-300)));
    h('i', 4, n(4, (b) => b.writeInt32BE(70000)));
    h('l', 5, n(8, (b) => b.writeBigInt64BE(-5n)));
    h('y', 6, Buffer.concat([n(2, (b) => b.writeUInt16BE(2)), Buffer.from([1, 2])]));
    h('str', 7, Buffer.concat([n(2, (b) => b.writeUInt16BE(2)), Buffer.from('ok')]));
    h('ts', 8, n(8, (b) => b.writeBigInt64BE(1_700_000_000_000n)));
    h('u', 9, Buffer.alloc(16, 0xab));
    assert.deepEqual(decodeHeaders(Buffer.concat(parts)), {
      t: true, f: false, b: -3, s: -300, i: 70000, l: -5n, y: new Uint8Array([1, 2]), str: 'ok', ts: 1_700_000_000_000, u: 'ab'.repeat(16),
    });
  });

  const bad: Array<[string, () => Buffer, RegExp]> = [
    ['prelude checksum', () => { const m = eventStreamMessage({}, 'x'); m[9]! ^= 1; return m; }, /prelude checksum mismatch/],
    ['message checksum', () => { const m = eventStreamMessage({}, 'x'); m[m.length - 1]! ^= 1; return m; }, /message checksum mismatch/],
    ['payload corrupted', () => { const m = eventStreamMessage({}, 'xyz'); m[13]! ^= 1; return m; }, /message checksum mismatch/],
    ['length below the minimum', () => prelude(8, 0), /message length 8: expected 16 to/],
    ['length above the maximum (refused before waiting for it)', () => prelude(MAX_MESSAGE_BYTES + 1, 0), /message length \d+: expected 16 to \d+ bytes/],
    ['headers longer than the message', () => Buffer.concat([prelude(20, 10), Buffer.alloc(8)]), /headers length 10 does not fit/],
    ['unknown header type', () => {
      const headers = Buffer.concat([Buffer.from([1]), Buffer.from('h'), Buffer.from([42])]);
      const total = 12 + headers.length + 4;
      const m = Buffer.concat([prelude(total, headers.length), headers, Buffer.alloc(4)]);
      m.writeUInt32BE(crc32(m.subarray(0, total - 4)), total - 4);
      return m;
    }, /header h: unknown value type 42/],
    ['header cut off', () => {
      const headers = Buffer.concat([Buffer.from([1]), Buffer.from('h'), Buffer.from([7, 0, 9]), Buffer.from('abc')]);
      const total = 12 + headers.length + 4;
      const m = Buffer.concat([prelude(total, headers.length), headers, Buffer.alloc(4)]);
      m.writeUInt32BE(crc32(m.subarray(0, total - 4)), total - 4);
      return m;
    }, /header block cut off in h/],
    ['stream ends inside a message', () => eventStreamMessage({}, 'hello').subarray(0, 20), /the stream ended inside a message \(20 bytes of it received\)/],
  ];
  for (const [name, bytes, message] of bad) {
    test(`refused: ${name}`, () => assert.throws(() => decodeAll(bytes()), (err: unknown) => err instanceof EventStreamError && message.test(err.message)));
  }

  test('a bad message after good ones in the same chunk: the good ones first, then the error', () => {
    const broken = eventStreamMessage({}, 'b');
    broken[broken.length - 1]! ^= 1;
    const d = new EventStreamDecoder();
    assert.deepEqual(d.push(Buffer.concat([eventStreamMessage({}, 'a'), broken])).map((m) => m.payload.toString()), ['a']);
    assert.throws(() => d.push(Buffer.alloc(0)), /message checksum mismatch/);
    assert.throws(() => d.end(), /message checksum mismatch/);
  });

  test('any bytes: messages or an EventStreamError, nothing else (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
        try {
          decodeAll(Buffer.from(bytes), [cut]);
        } catch (err) {
          if (!(err instanceof EventStreamError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Live Tail messages', () => {
  const one = (bytes: Buffer) => liveTailItem(decodeAll(bytes)[0]!);
  test('events become items keyed by their event type; the initial response is skipped', () => {
    assert.deepEqual(one(liveTailEvent('sessionStart', { sessionId: 's1' })), { sessionStart: { sessionId: 's1' } });
    assert.deepEqual(one(liveTailEvent('sessionUpdate', { sessionResults: [{ message: 'm', timestamp: 1 }] })), { sessionUpdate: { sessionResults: [{ message: 'm', timestamp: 1 }] } });
    assert.equal(one(liveTailEvent('initial-response', {})), undefined);
  });
  test('the session exceptions become items; any other exception or error is thrown with its code', () => {
    assert.deepEqual(one(liveTailException('SessionTimeoutException', '3h')), { SessionTimeoutException: { message: '3h' } });
    assert.deepEqual(one(liveTailException('SessionStreamingException', 'x')), { SessionStreamingException: { message: 'x' } });
    assert.throws(() => one(liveTailException('AccessDeniedException', 'no')), { name: 'AccessDeniedException', message: 'no' });
    assert.throws(() => one(eventStreamMessage({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, '')), { name: 'InternalFailure', message: 'boom' });
  });
  test('a payload that is not a JSON object is an EventStreamError', () => {
    assert.throws(() => one(eventStreamMessage({ ':message-type': 'event', ':event-type': 'sessionUpdate' }, 'nope')), { name: 'EventStreamError', message: 'Live Tail event sessionUpdate: the payload is not JSON' });
    assert.throws(() => one(eventStreamMessage({ ':message-type': 'event', ':event-type': 'sessionUpdate' }, '[1]')), { name: 'EventStreamError' });
  });
});
