// The token rule `logs correlate` matches an id in message text by.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { containsIdToken } from '../../cli/logs/idToken.js';

describe('containsIdToken', () => {
  // [text, id, whole token?]
  const cases: Array<[string, string, boolean]> = [
    ['order ord-7731 paid', 'ord-7731', true],
    ['ord-7731', 'ord-7731', true],
    ['(ord-7731)', 'ord-7731', true],
    ['order=ord-7731,', 'ord-7731', true],
    ['"orderId":"ord-7731"', 'ord-7731', true],
    ['ord-7731/items', 'ord-7731', true],
    ['order ord-7731.', 'ord-7731', true],
    ['ord-77310', 'ord-7731', false],
    ['xord-7731', 'ord-7731', false],
    ['ord-7731-b', 'ord-7731', false],
    ['ord_7731', 'ord-7731', false],
    ['ord-7731x ord-7731', 'ord-7731', true],
    ['id 42', '42', true],
    ['id 420', '42', false],
    ['took 42ms', '42', false],
    ['e3867597-20b0-48f3-bfd9-5ad0bbc2515b', 'e3867597-20b0-48f3-bfd9-5ad0bbc2515b', true],
    ['e3867597-20b0-48f3-bfd9-5ad0bbc2515b', 'e3867597', false],
    ['version 1.2.3 out', '1.2.3', true],
    ['version 1.2.3.4 out', '1.2.3', false],
    ['a.b.c', 'b', true], // '.' separates unless the id contains one
    ['ORD-7731', 'ord-7731', false],
    ['order ord 7731', 'ord 7731', false],
    ['', 'x', false],
    ['x', '', false],
    ['naïve ünïcode', 'ünïcode', true],
  ];
  for (const [text, id, want] of cases) {
    test(`${JSON.stringify(id)} in ${JSON.stringify(text)}: ${want}`, () => {
      assert.equal(containsIdToken(text, id), want);
    });
  }

  // An oracle with the same rule, written the obvious way: split on non-id characters.
  const oracle = (text: string, id: string): boolean => {
    if (id === '' || /\s/.test(id)) return false;
    const idChars = new Set(id);
    const isIdChar = (ch: string) => /[A-Za-z0-9_-]/.test(ch) || idChars.has(ch);
    const tokens: string[] = [];
    let cur = '';
    for (const ch of text.split('')) {
      if (isIdChar(ch)) cur += ch;
      else {
        tokens.push(cur);
        cur = '';
      }
    }
    tokens.push(cur);
    return tokens.includes(id);
  };
  // A small alphabet so ids recur, abut and nest often.
  const alphabet = fc.constantFrom('a', 'b', '1', '-', '_', '.', ' ', ':', '"', '/', 'é');
  const str = (max: number) => fc.array(alphabet, { maxLength: max }).map((a) => a.join(''));

  test('agrees with the split-into-tokens oracle (fast-check)', () => {
    fc.assert(
      fc.property(str(40), str(4), (text, id) => containsIdToken(text, id) === oracle(text, id)),
      { numRuns: 5000 },
    );
  });

  test('an id between separators is always found; one extended by an id character never is (fast-check)', () => {
    const idChar = fc.constantFrom('a', 'Z', '7', '-', '_');
    const sep = fc.constantFrom(' ', ',', '(', ')', '"', ':', '/', '\n');
    const id = fc.array(idChar, { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
    fc.assert(
      fc.property(id, sep, sep, str(10), str(10), (id, l, r, before, after) => containsIdToken(before + l + id + r + after, id)),
    );
    fc.assert(
      fc.property(id, idChar, fc.boolean(), (id, extra, atStart) => !containsIdToken(atStart ? extra + id : id + extra, id)),
    );
  });
});
