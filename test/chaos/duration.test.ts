import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/chaos/duration.js';
import { RuleError } from '../../src/chaos/rules.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['14m 32s', 872_000],
    ['1.5s', 1500],
    ['0s', 0],
    [' 2m ', 120_000],
    ['1m500ms', 60_500],
  ];
  for (const [text, ms] of valid) {
    test(`${JSON.stringify(text)} → ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  const invalid = ['15x', '', '15', 'm', '-5m', '1h30', 'ten minutes', '1.s', '5 m', '2H'];
  for (const text of invalid) {
    test(`${JSON.stringify(text)} is refused with the expected form`, () => {
      assert.throws(
        () => parseDuration(text),
        (err: unknown) =>
          err instanceof RuleError && err.message === `"${text}": expected a duration such as 90s, 15m or 2h`,
      );
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [45_900, '45s'],
    [872_000, '14m 32s'],
    [872_999, '14m 32s'],
    [900_000, '15m'],
    [7_500_000, '2h 5m'],
    [3_605_000, '1h'],
    [86_400_000, '1d'],
    [97_200_000, '1d 3h'],
    [-5000, '-5s'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms → ${text}`, () => assert.equal(formatDuration(ms), text));
  }

  test('what it prints parses back to the same whole seconds', () => {
    for (const ms of [1000, 61_000, 872_000, 7_500_000, 97_200_000]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
  });
});
