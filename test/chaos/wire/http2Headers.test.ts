// Pure: response headers between node:http2's object form and the alternating
// name/value buffers of the undici call shape, which HTTP/2 faults go through
// (src/chaos/wire/http2Stream.ts). Whatever a server sends comes out as
// node:http2 gives it, both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { http2ResponseHeaders, rawFromHttp2Headers } from '../../../src/chaos/wire/http2Stream.js';

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const value = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);

test('object headers → raw → object gives them back, :status included, set-cookie a list', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 100, max: 599 }),
      fc.dictionary(token.filter((n) => n !== 'set-cookie'), value),
      fc.array(value, { maxLength: 3 }),
      (status, single, cookies) => {
        const headers: Record<string, string | string[] | number> = { ':status': status, ...single };
        if (cookies.length > 0) headers['set-cookie'] = cookies;
        assert.deepEqual(http2ResponseHeaders(status, rawFromHttp2Headers(headers)), headers);
      },
    ),
  );
});

test('raw headers: names lower-cased, repeated names joined as node:http2 joins them', () => {
  const raw = ['Content-Type', 'application/json', 'X-A', '1', 'x-a', '2', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2'].map((s) => Buffer.from(s));
  assert.deepEqual(http2ResponseHeaders(400, raw), { ':status': 400, 'content-type': 'application/json', 'x-a': '1, 2', 'set-cookie': ['a=1', 'b=2'] });
});

test('pseudo-headers never become raw headers', () => {
  assert.deepEqual(rawFromHttp2Headers({ ':status': 200, 'x-b': 'v' }).map(String), ['x-b', 'v']);
});
