// Whether an id appears in free text as a whole token (`logs correlate`'s
// text matching). Pure, one pass over the text, no allocation per character.

/** ASCII letters, digits, `_` and `-`: what ids such as ord-7731 or a UUID are made of. */
function isBaseIdChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/**
 * The token rule: split the text into maximal runs of id characters — ASCII
 * letters, digits, `_`, `-`, and every other character the id itself
 * contains — and the id matches when one run equals it exactly. So `ord-7731`
 * is found in `order ord-7731 paid` and `(ord-7731)`, but not in `ord-77310`,
 * `xord-7731` or `ord-7731-b`; and `1.2.3` is not found in `1.2.3.4`. An empty
 * id or one containing whitespace never matches as text. Each character of
 * the text is looked at once, and only runs of the id's length are compared.
 */
export function containsIdToken(text: string, id: string): boolean {
  const n = id.length;
  if (n === 0 || n > text.length || /\s/.test(id)) return false;
  let extra: Set<number> | undefined;
  for (let i = 0; i < n; i++) {
    const c = id.charCodeAt(i);
    if (!isBaseIdChar(c)) (extra ??= new Set()).add(c);
  }
  const isIdChar = extra === undefined ? isBaseIdChar : (c: number) => isBaseIdChar(c) || extra.has(c);
  let start = -1; // start of the current run, -1 outside one
  for (let i = 0; i <= text.length; i++) {
    const inRun = i < text.length && isIdChar(text.charCodeAt(i));
    if (inRun) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start === n && text.startsWith(id, start)) return true;
    start = -1;
  }
  return false;
}
