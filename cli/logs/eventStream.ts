// AWS event stream framing (application/vnd.amazon.eventstream), the answer
// of CloudWatch Logs' StartLiveTail: a pure, incremental decoder. Each
// message is a 12-byte prelude (total length, headers length, CRC32 of the
// two), typed headers, the payload, and a CRC32 of all that precedes it.
import { crc32 } from 'node:zlib';

export type HeaderValue = boolean | number | bigint | string | Uint8Array;

export interface EventStreamMessage {
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly payload: Buffer;
}

/** The stream is not valid event stream framing; the message says where and why. */
export class EventStreamError extends Error {
  override name = 'EventStreamError';
}

const PRELUDE = 12;
const MIN_MESSAGE = PRELUDE + 4;
/** No AWS event stream message is larger (the spec's limit is 16 MiB of payload plus headers). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024;

/** Pure: the headers block of one message. */
export function decodeHeaders(block: Buffer): Record<string, HeaderValue> {
  // Entries, not assignments: a header named __proto__ stays a header.
  const headers: Array<[string, HeaderValue]> = [];
  let at = 0;
  const need = (n: number, what: string) => {
    if (at + n > block.length) throw new EventStreamError(`header block cut off in ${what} at byte ${at} of ${block.length}`);
  };
  while (at < block.length) {
    need(1, 'a name length');
    const nameLength = block.readUInt8(at);
    at += 1;
    if (nameLength === 0) throw new EventStreamError(`empty header name at byte ${at - 1}`);
    need(nameLength + 1, 'a name');
    const name = block.toString('utf8', at, at + nameLength);
    at += nameLength;
    const type = block.readUInt8(at);
    at += 1;
    let value: HeaderValue;
    switch (type) {
      case 0: value = true; break;
      case 1: value = false; break;
      case 2: need(1, name); value = block.readInt8(at); at += 1; break;
      case 3: need(2, name); value = block.readInt16BE(at); at += 2; break;
      case 4: need(4, name); value = block.readInt32BE(at); at += 4; break;
      case 5: need(8, name); value = block.readBigInt64BE(at); at += 8; break;
      case 6:
      case 7: {
        need(2, name);
        const length = block.readUInt16BE(at);
        at += 2;
        need(length, name);
        value = type === 7 ? block.toString('utf8', at, at + length) : new Uint8Array(block.subarray(at, at + length));
        at += length;
        break;
      }
      case 8: need(8, name); value = Number(block.readBigInt64BE(at)); at += 8; break;
      case 9: need(16, name); value = block.toString('hex', at, at + 16); at += 16; break;
      default:
        throw new EventStreamError(`header ${name}: unknown value type ${type}`);
    }
    headers.push([name, value]);
  }
  return Object.fromEntries(headers);
}

/** Pure: one whole message (exactly its bytes). */
export function decodeMessage(bytes: Buffer): EventStreamMessage {
  const total = bytes.readUInt32BE(0);
  const headersLength = bytes.readUInt32BE(4);
  if (crc32(bytes.subarray(0, 8)) !== bytes.readUInt32BE(8)) throw new EventStreamError('prelude checksum mismatch');
  if (crc32(bytes.subarray(0, total - 4)) !== bytes.readUInt32BE(total - 4)) throw new EventStreamError('message checksum mismatch');
  return {
    headers: decodeHeaders(bytes.subarray(PRELUDE, PRELUDE + headersLength)),
    payload: Buffer.from(bytes.subarray(PRELUDE + headersLength, total - 4)),
  };
}

/**
 * Splits a byte stream into messages, whatever the chunking. Memory is
 * bounded by one message: a prelude announcing more than MAX_MESSAGE_BYTES,
 * or less than its own size, is refused before its bytes are awaited.
 */
export class EventStreamDecoder {
  #chunks: Buffer[] = [];
  #have = 0;
  /** Bytes the message in progress needs, once its prelude is read. */
  #need = PRELUDE;
  /** A bad message met after good ones in the same chunk: those are returned first, this is thrown next. */
  #failure: EventStreamError | undefined;

  /** The whole messages completed by `chunk`; throws EventStreamError at the first bad one (the messages before it are returned first). */
  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.#failure) throw this.#failure;
    if (chunk.length === 0) return [];
    this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.#have += chunk.length;
    if (this.#have < this.#need) return [];
    let buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#have);
    const out: EventStreamMessage[] = [];
    try {
      buf = this.#split(buf, out);
    } catch (err) {
      if (!(err instanceof EventStreamError) || out.length === 0) throw err;
      this.#failure = err;
      return out;
    }
    this.#chunks = buf.length === 0 ? [] : [buf];
    this.#have = buf.length;
    if (this.#have < PRELUDE) this.#need = PRELUDE;
    return out;
  }

  /** Appends the whole messages at the start of `buf` to `out`; returns the rest. */
  #split(buf: Buffer, out: EventStreamMessage[]): Buffer {
    for (;;) {
      if (buf.length < PRELUDE) break;
      const total = buf.readUInt32BE(0);
      const headersLength = buf.readUInt32BE(4);
      if (crc32(buf.subarray(0, 8)) !== buf.readUInt32BE(8)) throw new EventStreamError('prelude checksum mismatch');
      if (total < MIN_MESSAGE || total > MAX_MESSAGE_BYTES) throw new EventStreamError(`message length ${total}: expected ${MIN_MESSAGE} to ${MAX_MESSAGE_BYTES} bytes`);
      if (headersLength > total - MIN_MESSAGE) throw new EventStreamError(`headers length ${headersLength} does not fit a message of ${total} bytes`);
      if (buf.length < total) {
        this.#need = total;
        break;
      }
      out.push(decodeMessage(buf.subarray(0, total)));
      buf = buf.subarray(total);
      this.#need = PRELUDE;
    }
    return buf;
  }

  /** The stream ended: an unfinished message is an error. */
  end(): void {
    if (this.#failure) throw this.#failure;
    if (this.#have > 0) throw new EventStreamError(`the stream ended inside a message (${this.#have} bytes of it received)`);
  }
}
