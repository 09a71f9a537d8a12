// `*` globs for hosts, paths and function names: `*` matches any run of
// characters (including `.` and `/`); everything else is literal.
//
// Matched without regular expressions, in time linear in the text and the glob:
// the first piece must be a prefix, the last a suffix, and each piece between
// is found leftmost-first (Knuth-Morris-Pratt), which is all a `*`-only glob
// needs. A RegExp of `.*` runs backtracks: a dozen `*` against a 30-character
// path took seconds.

export interface Glob {
  readonly text: string;
  readonly caseInsensitive: boolean;
  /** The literal pieces between `*`s (folded when caseInsensitive); one piece when there is no `*`. */
  readonly pieces: readonly string[];
  /** KMP failure table of each middle piece (empty for the others). */
  readonly failure: readonly Int32Array[];
  /** The shortest text the glob can match. */
  readonly minLength: number;
}

let steps = 0;

/** Character comparisons made by globMatches so far: tests bound the matcher's work by it, not by the clock. */
export function globSteps(): number {
  return steps;
}

/** ASCII case folding, as a RegExp with `i` (and no `u`) does for ASCII letters. */
function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

const ASCII_UPPER = /[A-Z]/g;

function foldText(s: string): string {
  // Only ASCII letters fold, as in fold().
  return s.replace(ASCII_UPPER, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

const NO_TABLE = new Int32Array(0);

function failureTable(p: string): Int32Array {
  const f = new Int32Array(p.length);
  let k = 0;
  for (let i = 1; i < p.length; i++) {
    while (k > 0 && p.charCodeAt(i) !== p.charCodeAt(k)) k = f[k - 1]!;
    if (p.charCodeAt(i) === p.charCodeAt(k)) k++;
    f[i] = k;
  }
  return f;
}

/** Compiles once, in time linear in the glob; never throws. The glob is anchored at both ends. */
export function compileGlob(glob: string, caseInsensitive: boolean): Glob {
  const pieces = (caseInsensitive ? foldText(glob) : glob).split('*');
  let minLength = 0;
  for (const p of pieces) minLength += p.length;
  // Only the pieces between the first and the last are searched for.
  const failure = pieces.map((p, i) => (i > 0 && i < pieces.length - 1 && p.length > 1 ? failureTable(p) : NO_TABLE));
  return { text: glob, caseInsensitive, pieces, failure, minLength };
}

export function isGlob(text: string): boolean {
  return text.includes('*');
}

/** Whether `piece` occurs in `text` at `at`. */
function matchesAt(piece: string, text: string, at: number, ci: boolean): boolean {
  for (let i = 0; i < piece.length; i++) {
    steps++;
    const c = text.charCodeAt(at + i);
    if ((ci ? fold(c) : c) !== piece.charCodeAt(i)) return false;
  }
  return true;
}

/** The end of the leftmost occurrence of `piece` in text[from, end), or -1. */
function findFrom(piece: string, failure: Int32Array, text: string, from: number, end: number, ci: boolean): number {
  let k = 0;
  for (let i = from; i < end; i++) {
    steps++;
    const raw = text.charCodeAt(i);
    const c = ci ? fold(raw) : raw;
    while (k > 0 && piece.charCodeAt(k) !== c) {
      steps++;
      k = failure[k - 1]!;
    }
    if (piece.charCodeAt(k) === c) k++;
    if (k === piece.length) return i + 1;
  }
  return -1;
}

/** Whether the whole of `text` matches the glob: O(text + glob) comparisons, no allocation. */
export function globMatches(g: Glob, text: string): boolean {
  const pieces = g.pieces;
  const n = pieces.length;
  if (text.length < g.minLength) return false;
  const ci = g.caseInsensitive;
  if (n === 1) return text.length === g.minLength && matchesAt(pieces[0]!, text, 0, ci);
  const first = pieces[0]!;
  const last = pieces[n - 1]!;
  if (!matchesAt(first, text, 0, ci)) return false;
  const end = text.length - last.length;
  if (!matchesAt(last, text, end, ci)) return false;
  let at = first.length;
  for (let i = 1; i < n - 1; i++) {
    const piece = pieces[i]!;
    if (piece.length === 0) continue;
    at = findFrom(piece, g.failure[i]!, text, at, end, ci);
    if (at < 0) return false;
  }
  return true;
}

const cache = new Map<string, Glob>();

/** compileGlob, remembered: for callers that meet the same few globs again and again (guardrail allow-lists). */
export function cachedGlob(glob: string, caseInsensitive: boolean): Glob {
  const key = (caseInsensitive ? 'i' : 's') + glob;
  let g = cache.get(key);
  if (g === undefined) {
    // Globs come from the rule table, so the set is small; the bound only guards against churn.
    if (cache.size > 1000) cache.clear();
    g = compileGlob(glob, caseInsensitive);
    cache.set(key, g);
  }
  return g;
}
