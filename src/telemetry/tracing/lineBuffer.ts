// A growable byte buffer that JSON lines are written into directly, as UTF-8.
// One span line built by string concatenation allocates a few kilobytes of
// intermediate strings, and a batch of them kept as one string until it is
// written keeps every piece alive; bytes written straight into a buffer
// allocate next to nothing, and the batch goes to stdout as it is.
//
// `jsonString` writes exactly the bytes of JSON.stringify(s) in UTF-8
// (well-formed JSON.stringify: lone surrogates become \uXXXX escapes).

const HEX = '0123456789abcdef';

/** Writes the UTF-8 bytes of a surrogate pair at `p`; returns the next position. */
function putPair(b: Buffer, p: number, hi: number, lo: number): number {
  const c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  b[p] = 0xf0 | (c >> 18);
  b[p + 1] = 0x80 | ((c >> 12) & 0x3f);
  b[p + 2] = 0x80 | ((c >> 6) & 0x3f);
  b[p + 3] = 0x80 | (c & 0x3f);
  return p + 4;
}

/** Writes the UTF-8 bytes of a code unit from U+0080 to U+FFFF (not a surrogate) at `p`; returns the next position. */
function putBmp(b: Buffer, p: number, c: number): number {
  if (c < 0x800) {
    b[p] = 0xc0 | (c >> 6);
    b[p + 1] = 0x80 | (c & 0x3f);
    return p + 2;
  }
  b[p] = 0xe0 | (c >> 12);
  b[p + 1] = 0x80 | ((c >> 6) & 0x3f);
  b[p + 2] = 0x80 | (c & 0x3f);
  return p + 3;
}

export class LineBuffer {
  private buf: Buffer;
  length = 0;

  constructor(capacity = 16 * 1024) {
    // Not from Node's shared pool: the buffer may be handed to a stream and kept.
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /** Text known to be ASCII and to need no escaping: ids, keys, numbers, fixed fragments. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.length;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.length = p;
  }

  /** Text that is already JSON (or otherwise must not be escaped), as UTF-8. */
  utf8(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const b = this.buf;
    let p = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        b[p++] = c;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          p = putPair(b, p, c, d);
          i++;
        } else {
          p = putBmp(b, p, 0xfffd); // a lone surrogate has no UTF-8 form (as Buffer.from does)
        }
      } else {
        p = putBmp(b, p, c);
      }
    }
    this.length = p;
  }

  /** `s` as a JSON string literal: the bytes of JSON.stringify(s). */
  jsonString(s: string): void {
    const n = s.length;
    // Worst case per UTF-16 unit: a 6-byte \uXXXX escape; plus the quotes.
    this.ensure(n * 6 + 2);
    const b = this.buf;
    let p = this.length;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c === 0x22 || c === 0x5c) b[p++] = 0x5c;
        b[p++] = c;
        continue;
      }
      if (c < 0x20) {
        b[p++] = 0x5c;
        if (c === 0x08) b[p++] = 0x62;
        else if (c === 0x09) b[p++] = 0x74;
        else if (c === 0x0a) b[p++] = 0x6e;
        else if (c === 0x0c) b[p++] = 0x66;
        else if (c === 0x0d) b[p++] = 0x72;
        else {
          b[p++] = 0x75;
          b[p++] = 0x30;
          b[p++] = 0x30;
          b[p++] = HEX.charCodeAt(c >> 4);
          b[p++] = HEX.charCodeAt(c & 0xf);
        }
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          p = putPair(b, p, c, d);
          i++;
        } else {
          // lone surrogate: escaped, as JSON.stringify does
          b[p++] = 0x5c;
          b[p++] = 0x75;
          b[p++] = HEX.charCodeAt(c >> 12);
          b[p++] = HEX.charCodeAt((c >> 8) & 0xf);
          b[p++] = HEX.charCodeAt((c >> 4) & 0xf);
          b[p++] = HEX.charCodeAt(c & 0xf);
        }
        continue;
      }
      p = putBmp(b, p, c);
    }
    b[p++] = 0x22;
    this.length = p;
  }

  /** The bytes written so far (a view, valid until the next write or reset). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.toString('utf8', 0, this.length);
  }

  /** Hands the written bytes over (a stream may keep them) and starts afresh with a new buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.length);
    this.buf = Buffer.allocUnsafeSlow(this.buf.length);
    this.length = 0;
    return out;
  }

  reset(): void {
    this.length = 0;
  }
}
