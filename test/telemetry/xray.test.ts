import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fromXRayTraceId,
  parseXRayHeader,
  toXRayHeader,
  toXRayTraceId,
  xrayToTraceparent,
} from '../../src/telemetry/propagation/xray.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const W3C = '5759e988bd862e3fe1be46a994272793';

describe('parseXRayHeader', () => {
  const cases: Array<[string, string, ReturnType<typeof parseXRayHeader>]> = [
    [
      'the documented form',
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      { traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: true },
    ],
    [
      'keys in another order',
      `Sampled=0;Parent=53995c3f42cd8ad8;Root=${ROOT}`,
      { traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: false },
    ],
    ['Root only (ALB)', `Root=${ROOT}`, { traceId: W3C, parentSpanId: undefined, sampled: undefined }],
    [
      'Self before Root (ALB chained)',
      `Self=1-67891234-12456789abcdef012345678;Root=${ROOT};CalledFrom=app`,
      { traceId: W3C, parentSpanId: undefined, sampled: undefined },
    ],
    [
      'deferred sampling and lineage',
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=?;Lineage=a87bd80c:1|68fd508a:5`,
      { traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: undefined, lineage: 'a87bd80c:1|68fd508a:5' },
    ],
    [
      'spaces, upper-case hex, lower-case keys, trailing semicolon',
      ` root = 1-5759E988-BD862E3FE1BE46A994272793 ; parent=53995C3F42CD8AD8 ; sampled=1 ;`,
      { traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: true },
    ],
    [
      'a malformed Parent is dropped, the Root kept',
      `Root=${ROOT};Parent=53995c3f42cd8ad;Sampled=1`,
      { traceId: W3C, parentSpanId: undefined, sampled: true },
    ],
    [
      'an all-zero Parent is dropped',
      `Root=${ROOT};Parent=0000000000000000;Sampled=1`,
      { traceId: W3C, parentSpanId: undefined, sampled: true },
    ],
    ['no Root', 'Parent=53995c3f42cd8ad8;Sampled=1', undefined],
    ['a Root that is not hex (as in some AWS samples)', 'Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e;Parent=53995c3f42cd8ad8', undefined],
    ['a Root of another version', 'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8', undefined],
    ['an all-zero Root', 'Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8', undefined],
    ['an empty string', '', undefined],
    ['garbage', ';;==;;', undefined],
  ];
  for (const [name, header, expected] of cases) {
    test(name, () => assert.deepEqual(parseXRayHeader(header), expected));
  }

  test('non-string input does not throw', () => {
    for (const bad of [undefined, null, 42, {}, []]) assert.equal(parseXRayHeader(bad as unknown as string), undefined);
  });
});

describe('trace id mapping', () => {
  test('toXRayTraceId splits after the first 8 digits', () => {
    assert.equal(toXRayTraceId(W3C), ROOT);
    assert.equal(toXRayTraceId(W3C.toUpperCase()), ROOT);
  });

  test('fromXRayTraceId joins the two parts', () => {
    assert.equal(fromXRayTraceId(ROOT), W3C);
  });

  test('round trip both ways', () => {
    for (const id of ['0af7651916cd43dd8448eb211c80319c', '4bf92f3577b34da6a3ce929d0e0e4736', W3C]) {
      assert.equal(fromXRayTraceId(toXRayTraceId(id)!), id);
    }
    for (const root of [ROOT, '1-64e5d5a8-1f2e3d4c5b6a79880a1b2c3d']) {
      assert.equal(toXRayTraceId(fromXRayTraceId(root)!), root);
    }
  });

  test('invalid ids give undefined', () => {
    for (const bad of ['', 'xyz', W3C.slice(1), `${W3C}0`, '0'.repeat(32), 'g'.repeat(32)]) {
      assert.equal(toXRayTraceId(bad), undefined, bad);
    }
    for (const bad of ['', W3C, '1-5759e988bd862e3fe1be46a994272793', '1-5759e98-8bd862e3fe1be46a994272793', `${ROOT}0`]) {
      assert.equal(fromXRayTraceId(bad), undefined, bad);
    }
  });
});

describe('xrayToTraceparent', () => {
  test('sampled and unsampled', () => {
    assert.equal(xrayToTraceparent(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`), `00-${W3C}-53995c3f42cd8ad8-01`);
    assert.equal(xrayToTraceparent(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`), `00-${W3C}-53995c3f42cd8ad8-00`);
    assert.equal(xrayToTraceparent(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=?`), `00-${W3C}-53995c3f42cd8ad8-00`);
  });

  test('a header without Parent cannot name a parent span', () => {
    assert.equal(xrayToTraceparent(`Root=${ROOT};Sampled=1`), undefined);
    assert.equal(xrayToTraceparent(undefined), undefined);
  });

  test('accepts an already parsed header', () => {
    assert.equal(
      xrayToTraceparent({ traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: true }),
      `00-${W3C}-53995c3f42cd8ad8-01`,
    );
  });
});

describe('toXRayHeader', () => {
  test('formats a W3C span context and parses back to it', () => {
    const header = toXRayHeader(W3C, '53995c3f42cd8ad8', true);
    assert.equal(header, `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
    assert.deepEqual(parseXRayHeader(header!), { traceId: W3C, parentSpanId: '53995c3f42cd8ad8', sampled: true });
    assert.equal(toXRayHeader(W3C, '53995c3f42cd8ad8', false), `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`);
  });

  test('invalid ids give undefined', () => {
    assert.equal(toXRayHeader('nope', '53995c3f42cd8ad8', true), undefined);
    assert.equal(toXRayHeader(W3C, '0000000000000000', true), undefined);
    assert.equal(toXRayHeader(W3C, 'short', true), undefined);
  });
});
