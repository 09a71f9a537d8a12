// The fetch() calls that fail before anything reaches a dispatcher, so no
// dispatcher of ours ever sees them: a signal already aborted, and an HTTP(S)
// URL with a port the Fetch standard blocks ("bad port": the same call
// through node:http would be made, and refused). Fetch rejects those
// without a request, and the fetch wrapper gives each its client span.
// Pure, and cheap for the common call: a scan of the URL's authority, no parse.

/** https://fetch.spec.whatwg.org/#bad-port */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989,
  990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The explicit port of an http(s) URL string, or undefined when it names none (or is not http(s)). */
export function explicitHttpPort(url: string): number | undefined {
  let start: number;
  if (url.startsWith('https://')) start = 8;
  else if (url.startsWith('http://')) start = 7;
  else return undefined;
  let colon = -1;
  let i = start;
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) break;
    if (c === 58 /* : */) colon = i;
    else if (c === 93 /* ] */ || c === 64 /* @ */) colon = -1; // an IPv6 literal's colons, user info's password
  }
  if (colon === -1 || colon === i - 1) return undefined;
  // Digits only, as the URL parser takes them (leading zeros too); anything else is not a URL fetch would call.
  let port = 0;
  for (let j = colon + 1; j < i; j++) {
    const d = url.charCodeAt(j) - 48;
    if (d < 0 || d > 9) return undefined;
    port = port * 10 + d;
    if (port > 65535) return undefined;
  }
  return port;
}

interface FetchInputLike {
  readonly url?: unknown;
  readonly signal?: { readonly aborted?: unknown } | null;
  readonly href?: unknown;
}

/** Whether fetch(input, init) rejects before dispatching anything: an aborted signal, or a blocked port. */
export function failsBeforeDispatch(input: unknown, init: { signal?: { aborted?: unknown } | null } | undefined): boolean {
  if (init?.signal?.aborted === true) return true;
  let url: string;
  if (typeof input === 'string') url = input;
  else if (typeof input === 'object' && input !== null) {
    const like = input as FetchInputLike;
    if (init?.signal === undefined && like.signal?.aborted === true) return true; // a Request's own signal
    const u = input instanceof URL ? like.href : like.url;
    if (typeof u !== 'string') return false;
    url = u;
  } else return false;
  const port = explicitHttpPort(url);
  return port !== undefined && BAD_PORTS.has(port);
}
