// `*` globs for hosts, paths and function names: `*` matches any run of
// characters (including `.` and `/`); everything else is literal.

const REGEX_SPECIALS = /[.+?^${}()|[\]\\]/g;

/** Compiles once; the result is anchored at both ends. */
export function globToRegExp(glob: string, caseInsensitive: boolean): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(REGEX_SPECIALS, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

export function isGlob(text: string): boolean {
  return text.includes('*');
}

const cache = new Map<string, RegExp>();

/** globToRegExp, remembered: for callers that meet the same few globs again and again (guardrail allow-lists). */
export function cachedGlob(glob: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? 'i' : 's') + glob;
  let re = cache.get(key);
  if (re === undefined) {
    // Globs come from the rule table, so the set is small; the bound only guards against churn.
    if (cache.size > 1000) cache.clear();
    re = globToRegExp(glob, caseInsensitive);
    cache.set(key, re);
  }
  return re;
}
