// The CBOR writer against the SDK's own CBOR reader (@smithy/core/cbor).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cbor } from '@smithy/core/cbor';
import { cborTextMap } from '../../../src/chaos/wire/cbor.js';

test('cborTextMap: what it writes, the SDK reads back, at every length form', () => {
  const cases: Record<string, string>[] = [
    {},
    { a: 'hi' },
    { __type: 'com.amazonaws.cloudwatch#LimitExceeded', message: 'Rate exceeded' },
    { k23: 'x'.repeat(23), k24: 'y'.repeat(24), k255: 'z'.repeat(255), k256: 'w'.repeat(256), k65536: 'v'.repeat(65_536) },
    { 'ключ': 'значение — ✓ 😀', empty: '' },
  ];
  for (const c of cases) assert.deepEqual(cbor.deserialize(cborTextMap(c)), c);
});

test('cborTextMap: shortest heads, as RFC 8949 asks', () => {
  assert.deepEqual([...cborTextMap({ a: 'b' })], [0xa1, 0x61, 0x61, 0x61, 0x62]);
  const long = cborTextMap({ k: 'x'.repeat(24) });
  assert.deepEqual([...long.subarray(0, 5)], [0xa1, 0x61, 0x6b, 0x78, 24]);
  const longer = cborTextMap({ k: 'x'.repeat(300) });
  assert.deepEqual([...longer.subarray(3, 6)], [0x79, 0x01, 0x2c]);
});
