// Pure: the little CBOR (RFC 8949) an injected error body needs — one map of
// text strings, in definite lengths, as the services that speak Smithy RPC v2
// CBOR send their errors.

/** Appends a head: major type and argument, in the shortest form (RFC 8949 §3). */
function putHead(out: number[], major: number, n: number): void {
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else out.push(m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

function putText(out: number[], s: string): void {
  const bytes = Buffer.from(s, 'utf8');
  putHead(out, 3, bytes.length);
  for (const b of bytes) out.push(b);
}

/** `{ key: value, … }` as a CBOR map of text strings, keys in the object's order. */
export function cborTextMap(entries: Readonly<Record<string, string>>): Uint8Array {
  const out: number[] = [];
  const keys = Object.keys(entries);
  putHead(out, 5, keys.length);
  for (const k of keys) {
    putText(out, k);
    putText(out, entries[k]!);
  }
  return Uint8Array.from(out);
}
