// `*` globs: the same answers as an anchored `.*` regular expression, in a
// number of steps linear in the text and the glob, however many `*` it has.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileGlob, globMatches, globSteps } from '../../src/chaos/rules/glob.js';

/** The meaning of a glob, as a RegExp: fine for the few `*` the oracle is given. */
function oracle(glob: string, text: string, caseInsensitive: boolean): boolean {
  const body = glob
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's').test(text);
}

/** Steps taken by one match. */
function stepsOf(glob: string, text: string, ci = false): { matched: boolean; steps: number } {
  const g = compileGlob(glob, ci);
  const before = globSteps();
  const matched = globMatches(g, text);
  return { matched, steps: globSteps() - before };
}

// Small alphabets, so that random globs and texts match often; metacharacters, newlines and astral characters included.
const CHARS = ['a', 'b', 'A', '.', '/', '-', '(', ')', '[', '+', '?', '$', '^', '|', '\\', '\n', 'é', '日', '💥'];
const textArb = fc.array(fc.constantFrom(...CHARS), { maxLength: 24 }).map((a) => a.join(''));
const globArb = fc.array(fc.constantFrom(...CHARS, '*', '*', '*'), { maxLength: 14 }).map((a) => a.join(''));

describe('glob matching', () => {
  test('answers as the anchored .* RegExp does, case-sensitive and ASCII case-insensitive', () => {
    fc.assert(
      fc.property(globArb, textArb, fc.boolean(), (glob, text, ci) => {
        // A RegExp with many `.*` is slow to answer a miss; the oracle only gets the globs it can handle.
        fc.pre((glob.match(/\*/g) ?? []).length <= 5);
        assert.equal(globMatches(compileGlob(glob, ci), text), oracle(glob, text, ci), `glob ${JSON.stringify(glob)} text ${JSON.stringify(text)} ci ${ci}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('a text that embeds the glob always matches it', () => {
    fc.assert(
      fc.property(globArb, fc.array(textArb, { minLength: 20, maxLength: 20 }), (glob, fills) => {
        const text = glob.split('*').reduce((acc, piece, i) => (i === 0 ? piece : acc + fills[i % 20] + piece), '');
        assert.ok(globMatches(compileGlob(glob, false), text));
      }),
    );
  });

  test('steps stay linear in text + glob, however many `*` (no backtracking)', () => {
    fc.assert(
      fc.property(globArb, textArb, (glob, text) => {
        const { steps } = stepsOf(glob, text);
        assert.ok(steps <= 3 * (text.length + glob.length), `${steps} steps for glob ${JSON.stringify(glob)} text ${JSON.stringify(text)}`);
      }),
      { numRuns: 2000 },
    );
  });

  test('the backtracking cases: a dozen `*` against a 30-character path, and a 1,000-`*` target against a long path', () => {
    const cases: [string, string][] = [
      ['/' + 'a*'.repeat(12) + 'b', '/' + 'a'.repeat(30)],
      ['*a*a*a*a*a*a*a*a*a*a*a*a*c', 'a'.repeat(30)],
      ['/' + '*a'.repeat(500) + '*b', '/' + 'a'.repeat(4000)],
    ];
    for (const [glob, text] of cases) {
      const { matched, steps } = stepsOf(glob, text);
      assert.equal(matched, false);
      assert.ok(steps <= 3 * (text.length + glob.length), `${steps} steps for a ${glob.length}-character glob and ${text.length}-character text`);
    }
  });
});
