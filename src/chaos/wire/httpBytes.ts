// Pure: a response as the raw HTTP/1.1 bytes a server sends, so that Node's own
// parser turns it into a genuine IncomingMessage.
import { STATUS_CODES } from 'node:http';
import type { WireResponse } from './awsErrorResponse.js';

/** Headers we set ourselves: framing is ours to get right. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

/** The body as sent in answer to `method`: text as UTF-8, bytes as they are, nothing to a HEAD. */
export function bodyBytes(res: WireResponse, method: string): Buffer {
  if (method.toUpperCase() === 'HEAD') return Buffer.alloc(0);
  const b = res.body;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** content-length of the body (also for HEAD, which sends none). */
function bodyLength(res: WireResponse): number {
  return typeof res.body === 'string' ? Buffer.byteLength(res.body, 'utf8') : res.body.byteLength;
}

export function responseBytes(res: WireResponse, method: string): Buffer {
  const body = bodyBytes(res, method);
  let head = `HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? 'Unknown'}\r\n`;
  for (const [k, v] of Object.entries(res.headers)) {
    if (FRAMING.has(k.toLowerCase())) continue;
    head += `${k}: ${String(v).replace(/[\r\n]/g, ' ')}\r\n`;
  }
  head += `date: ${new Date().toUTCString()}\r\ncontent-length: ${bodyLength(res)}\r\nconnection: close\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** The same response as undici's legacy handlers take headers: alternating name/value buffers. */
export function rawHeaderBuffers(res: WireResponse): Buffer[] {
  const out: Buffer[] = [];
  for (const [k, v] of Object.entries(res.headers)) {
    if (FRAMING.has(k.toLowerCase())) continue;
    out.push(Buffer.from(k), Buffer.from(String(v)));
  }
  out.push(Buffer.from('content-length'), Buffer.from(String(bodyLength(res))));
  return out;
}

export function headerObject(res: WireResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!FRAMING.has(k.toLowerCase())) out[k.toLowerCase()] = String(v);
  out['content-length'] = String(bodyLength(res));
  return out;
}
