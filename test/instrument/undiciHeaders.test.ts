// Reading undici's request headers without copying them (src/instrument/undici.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasUndiciHeader, parseOrigin, undiciHeaders } from '../../src/instrument/undici.js';

test('hasUndiciHeader finds a header in the object and flat-array forms, in any case', () => {
  assert.equal(hasUndiciHeader({ Authorization: 'AWS4-HMAC-SHA256 x' }, 'authorization'), true);
  assert.equal(hasUndiciHeader({ authorization: undefined as unknown as string }, 'authorization'), false);
  assert.equal(hasUndiciHeader(['Content-Type', 'a', 'AUTHORIZATION', 'b'], 'authorization'), true);
  assert.equal(hasUndiciHeader(['authorization-x', 'a', 'x', 'authorization'], 'authorization'), false, 'a value is not a name');
  assert.equal(hasUndiciHeader({ 'x-authorization': 'a' }, 'authorization'), false);
  assert.equal(hasUndiciHeader(undefined, 'authorization'), false);
  assert.equal(hasUndiciHeader(null, 'authorization'), false);
});

test('hasUndiciHeader agrees with the copied header bag', () => {
  const forms: Parameters<typeof undiciHeaders>[0][] = [
    { Accept: 'x', 'X-Amz-Target': 'DynamoDB_20120810.GetItem' },
    ['accept', 'x', 'x-amz-target', 'y'],
    {},
    [],
  ];
  for (const h of forms) {
    for (const name of ['accept', 'x-amz-target', 'authorization']) {
      assert.equal(hasUndiciHeader(h, name), undiciHeaders(h)[name] !== undefined, `${JSON.stringify(h)} ${name}`);
    }
  }
});

test('parseOrigin: protocol, host without IPv6 brackets, explicit or default port; URL objects too', () => {
  assert.deepEqual(parseOrigin('http://127.0.0.1:8080'), { protocol: 'http:', host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseOrigin('https://dynamodb.us-east-1.amazonaws.com'), { protocol: 'https:', host: 'dynamodb.us-east-1.amazonaws.com', port: 443 });
  assert.deepEqual(parseOrigin('http://example.com'), { protocol: 'http:', host: 'example.com', port: 80 });
  assert.deepEqual(parseOrigin('http://[::1]:9000'), { protocol: 'http:', host: '::1', port: 9000 });
  assert.deepEqual(parseOrigin(new URL('https://[2001:db8::1]/')), { protocol: 'https:', host: '2001:db8::1', port: 443 });
  // the same string again comes from the cache, unchanged
  assert.deepEqual(parseOrigin('http://[::1]:9000'), { protocol: 'http:', host: '::1', port: 9000 });
  assert.equal(parseOrigin(undefined), undefined);
  assert.throws(() => parseOrigin('not a url'), TypeError);
});
