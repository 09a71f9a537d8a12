import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { marshallItem, marshallValue, unmarshallItem, unmarshallValue, type AttributeValueJson } from '../../src/chaos/dynamoJson.js';

describe('unmarshallValue', () => {
  const cases: [string, AttributeValueJson, unknown][] = [
    ['S', { S: 'orders' }, 'orders'],
    ['empty S', { S: '' }, ''],
    ['N integer', { N: '42' }, 42],
    ['N decimal', { N: '0.3' }, 0.3],
    ['N negative', { N: '-1.5e3' }, -1500],
    ['BOOL true', { BOOL: true }, true],
    ['BOOL false', { BOOL: false }, false],
    ['NULL', { NULL: true }, null],
    ['L', { L: [{ S: 'a' }, { N: '1' }, { BOOL: false }] }, ['a', 1, false]],
    ['empty L', { L: [] }, []],
    ['M', { M: { a: { S: 'x' }, b: { M: { c: { N: '2' } } } } }, { a: 'x', b: { c: 2 } }],
    ['SS', { SS: ['prod', 'production'] }, ['prod', 'production']],
    ['NS', { NS: ['1', '2.5'] }, [1, 2.5]],
    ['B', { B: Buffer.from('hi').toString('base64') }, Uint8Array.from([104, 105])],
  ];
  for (const [name, wire, plain] of cases) {
    test(name, () => assert.deepEqual(unmarshallValue(wire), plain));
  }

  test('an unknown shape is refused, naming the path', () => {
    assert.throws(
      () => unmarshallItem({ headers: { M: { bad: { X: '1' } as unknown as AttributeValueJson } } }),
      /headers\.bad=\{"X":"1"\}: expected a DynamoDB attribute value/,
    );
  });
});

describe('marshallValue', () => {
  const cases: [string, unknown, AttributeValueJson][] = [
    ['string', 'x', { S: 'x' }],
    ['number', 0.3, { N: '0.3' }],
    ['integer', 1767225600, { N: '1767225600' }],
    ['bigint', 12n, { N: '12' }],
    ['boolean', true, { BOOL: true }],
    ['null', null, { NULL: true }],
    ['array', ['a', 1], { L: [{ S: 'a' }, { N: '1' }] }],
    ['array with undefined', [undefined], { L: [{ NULL: true }] }],
    ['set of strings', new Set(['a', 'b']), { SS: ['a', 'b'] }],
    ['set of numbers', new Set([1, 2]), { NS: ['1', '2'] }],
    ['bytes', Uint8Array.from([104, 105]), { B: 'aGk=' }],
    ['object', { a: { b: 'c' } }, { M: { a: { M: { b: { S: 'c' } } } } }],
  ];
  for (const [name, plain, wire] of cases) {
    test(name, () => assert.deepEqual(marshallValue(plain), wire));
  }

  const invalid: [string, unknown, RegExp][] = [
    ['NaN', { rate: Number.NaN }, /^rate=NaN: expected a finite number$/],
    ['Infinity', { a: { b: Infinity } }, /^a\.b=Infinity: expected a finite number$/],
    ['function', { f: () => 1 }, /^f: a function cannot be stored in DynamoDB$/],
    ['empty set', { s: new Set() }, /^s: DynamoDB cannot store an empty set/],
    ['mixed set', { s: new Set(['a', 1]) }, /^s: expected a set of only strings or only numbers$/],
  ];
  for (const [name, obj, message] of invalid) {
    test(`refuses ${name}, naming the path`, () => {
      assert.throws(() => marshallItem(obj as Record<string, unknown>), (err: unknown) => err instanceof TypeError && message.test(err.message));
    });
  }

  test('undefined properties are left out of an item', () => {
    assert.deepEqual(marshallItem({ a: 'x', b: undefined }), { a: { S: 'x' } });
  });
});

test('a rule item round-trips through the wire format', () => {
  const item = {
    scope: 'orders-api',
    id: 'slow-db',
    enabled: true,
    target: 'aws:dynamodb:GetItem',
    fault: 'respond',
    rate: 0.25,
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"Item":{}}',
    allowedFunctions: ['a', 'b'],
    expiresAt: 1767225600,
    note: null,
  };
  const wire = marshallItem(item);
  assert.deepEqual(wire.rate, { N: '0.25' });
  assert.deepEqual(wire.headers, { M: { 'content-type': { S: 'application/json' } } });
  assert.deepEqual(unmarshallItem(wire), item);
});
