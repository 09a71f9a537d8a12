// Reading undici's request headers without copying them (src/instrument/undici.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasUndiciHeader, undiciHeaders } from '../../src/instrument/undici.js';

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
