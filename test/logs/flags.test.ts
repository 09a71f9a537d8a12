import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../cli/common.js';
import { parseSelection } from '../../cli/logs/selectFunctions.js';
import { durationMs, parseInstant, parseRange } from '../../cli/logs/timeRange.js';

describe('parseSelection', () => {
  test('valid selections', () => {
    assert.deepEqual(parseSelection({ functions: 'a, b,a,' }), { by: 'names', names: ['a', 'b'] });
    assert.deepEqual(parseSelection({ prefix: 'shop-' }), { by: 'prefix', prefix: 'shop-' });
    assert.deepEqual(parseSelection({ stack: 'shop' }), { by: 'stack', stack: 'shop' });
    // None: every function of a log directory (CloudWatch then asks for a choice, in selectFromCloudWatch/openLogs).
    assert.deepEqual(parseSelection({}), { by: 'all' });
    assert.deepEqual(parseSelection({}, { allowStack: false }), { by: 'all' });
  });
  const bad: Array<[string, Parameters<typeof parseSelection>[0], RegExp, boolean?]> = [
    ['two', { functions: 'a', prefix: 'b' }, /^--functions and --prefix: expected only one of/],
    ['empty list', { functions: ' , ' }, /^--functions " , ": expected comma-separated function names/],
    ['bad name', { functions: 'a,b c' }, /^--functions b c: expected a Lambda function name/],
    ['empty prefix', { prefix: ' ' }, /^--prefix "": expected/],
    ['stack where not allowed', { stack: 's' }, /^--stack: not supported here; expected --functions a,b or --prefix P$/, false],
  ];
  for (const [name, flags, msg, allowStack] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(() => parseSelection(flags, { allowStack: allowStack ?? true }), (err: unknown) => err instanceof UsageError && msg.test(err.message));
    });
  }
});

describe('--since / --until', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  test('durations', () => {
    assert.deepEqual(['90s', '15m', '2h', '7d', '1w', '1.5h', '250ms'].map(durationMs), [90_000, 900_000, 7_200_000, 604_800_000, 604_800_000, 5_400_000, 250]);
    assert.equal(durationMs('2 hours'), undefined);
  });
  test('instants', () => {
    assert.equal(parseInstant('--since', '1h', now), Date.parse('2026-11-23T11:00:00Z'));
    assert.equal(parseInstant('--since', '2026-11-23T10:00:00Z', now), Date.parse('2026-11-23T10:00:00Z'));
    assert.throws(() => parseInstant('--since', 'yesterday', now), (e: unknown) => e instanceof UsageError && e.message.startsWith('--since yesterday: expected a duration like 90s'));
    assert.throws(() => parseInstant('--since', '2026-13-45', now), UsageError);
  });
  test('ranges', () => {
    assert.deepEqual(parseRange('1h', undefined, now), { startMs: now - 3_600_000, endMs: now });
    assert.throws(() => parseRange('1h', '2h', now), /--until 2h: is before --since 1h/);
  });
});
