// Reading undici's request headers without copying them (src/instrument/undici/headers.ts, origin.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HAS_AUTHORIZATION, HAS_TRACE_HEADER, undiciHeaderFlags, undiciHeaders } from '../../src/instrument/undici/headers.js';
import { parseOrigin } from '../../src/instrument/undici/origin.js';

test('parseOrigin: protocol, host without IPv6 brackets, explicit or default port, whether AWS; URL objects too', () => {
  assert.deepEqual(parseOrigin('http://127.0.0.1:8080'), { protocol: 'http:', host: '127.0.0.1', port: 8080, awsHost: false });
  assert.deepEqual(parseOrigin('https://dynamodb.us-east-1.amazonaws.com'), {
    protocol: 'https:',
    host: 'dynamodb.us-east-1.amazonaws.com',
    port: 443,
    awsHost: true,
  });
  assert.deepEqual(parseOrigin('http://example.com'), { protocol: 'http:', host: 'example.com', port: 80, awsHost: false });
  assert.deepEqual(parseOrigin('http://[::1]:9000'), { protocol: 'http:', host: '::1', port: 9000, awsHost: false });
  assert.deepEqual(parseOrigin(new URL('https://[2001:db8::1]/')), { protocol: 'https:', host: '2001:db8::1', port: 443, awsHost: false });
  // the same string again comes from the cache, unchanged, and so does one asked for after another
  assert.deepEqual(parseOrigin('http://[::1]:9000'), { protocol: 'http:', host: '::1', port: 9000, awsHost: false });
  assert.deepEqual(parseOrigin('http://example.com'), { protocol: 'http:', host: 'example.com', port: 80, awsHost: false });
  assert.deepEqual(parseOrigin(`http://${'[::1]'}:9000`), { protocol: 'http:', host: '::1', port: 9000, awsHost: false });
  assert.equal(parseOrigin(undefined), undefined);
  assert.throws(() => parseOrigin('not a url'), TypeError);
  assert.throws(() => parseOrigin(''), TypeError);
});

test('undiciHeaderFlags names authorization and the trace headers in the object and flat-array forms, in any case', () => {
  assert.equal(undiciHeaderFlags({ Authorization: 'AWS4-HMAC-SHA256 x', accept: '*/*' }), HAS_AUTHORIZATION);
  assert.equal(undiciHeaderFlags(['Content-Type', 'a', 'AUTHORIZATION', 'b']), HAS_AUTHORIZATION);
  assert.equal(undiciHeaderFlags(['TraceParent', '00-x', 'accept', '*/*']), HAS_TRACE_HEADER);
  assert.equal(undiciHeaderFlags({ tracestate: 'a=b', authorization: 'x' }), HAS_AUTHORIZATION | HAS_TRACE_HEADER);
  assert.equal(undiciHeaderFlags({ authorization: undefined as unknown as string }), 0, 'an unset header is absent');
  assert.equal(undiciHeaderFlags(['authorization-x', 'a', 'x', 'authorization']), 0, 'a value is not a name');
  assert.equal(undiciHeaderFlags(['x-traceparent', 'a', 'b', 'traceparent']), 0, 'a value is not a name');
  assert.equal(undiciHeaderFlags({ 'x-authorization': 'a', traceparents: 'b' }), 0);
  assert.equal(undiciHeaderFlags(undefined), 0);
  assert.equal(undiciHeaderFlags(null), 0);
});

test('undiciHeaderFlags agrees with the copied header bag', () => {
  const forms: Parameters<typeof undiciHeaders>[0][] = [
    { Accept: 'x', 'X-Amz-Target': 'DynamoDB_20120810.GetItem' },
    { Accept: 'x', TRACESTATE: 'a=1' },
    ['authorization', 'y', 'Accept', 'x'],
    ['accept', 'x', 'Traceparent', 'y'],
    {},
    [],
  ];
  for (const h of forms) {
    const bag = undiciHeaders(h);
    const flags = undiciHeaderFlags(h);
    assert.equal((flags & HAS_AUTHORIZATION) !== 0, bag.authorization !== undefined, JSON.stringify(h));
    assert.equal((flags & HAS_TRACE_HEADER) !== 0, bag.traceparent !== undefined || bag.tracestate !== undefined, JSON.stringify(h));
  }
});
