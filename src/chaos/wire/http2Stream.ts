// The stream a faulted HTTP/2 request gives its caller in place of the
// ClientHttp2Stream of `session.request()`: a Duplex with what callers (the AWS
// SDK's NodeHttp2Handler among them) use of one — 'response' with the headers
// and `:status`, the body, 'end' and 'close', 'error', `setTimeout`, `close`,
// `rstCode`, `session` — driven through the handler callbacks of the undici
// call shape, so that the interceptors of src/chaos/wire/faultInterceptors.ts apply to
// HTTP/2 calls as they are: a fault answers it (onHeaders, onData, onComplete,
// onError) or forwards it to the real stream later or through a corrupting
// handler (`forward`). The caller's body is dropped when the real request is
// never made, and held until it is otherwise.
import { Duplex } from 'node:stream';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from 'node:http2';
import type { UndiciHandler } from '../../seam.js';

// nghttp2 codes as node:http2's constants name them (not imported: the agent never loads node:http2 itself).
const NO_ERROR = 0;
const INTERNAL_ERROR = 2;
const CANCEL = 8;
const FLAG_END_HEADERS = 4;

type WriteCallback = (error?: Error | null) => void;

/** What Node raises on a stream closed with an error code (a peer's RST_STREAM, or the caller's close(code)). */
function streamError(code: number): Error {
  return Object.assign(new Error(`Stream closed with error code ${code}`), { code: 'ERR_HTTP2_STREAM_ERROR' });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause: signal.reason as unknown });
}

/** A connect-time failure reaches a request's stream the way Node reports it for a stream still pending. */
function asStreamError(err: Error): Error {
  const syscall = (err as { syscall?: unknown }).syscall;
  if (syscall !== 'connect' && syscall !== 'getaddrinfo') return err;
  return Object.assign(new Error(`The pending stream has been canceled (caused by: ${err.message})`), { code: 'ERR_HTTP2_STREAM_CANCEL', cause: err });
}

/** Response headers as node:http2 gives them: lower-case names, `:status` a number, set-cookie a list. */
export function http2ResponseHeaders(status: number, rawHeaders: readonly Buffer[]): IncomingHttpHeaders & IncomingHttpStatusHeader {
  const headers: Record<string, string | string[] | number> = { ':status': status };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toString('latin1').toLowerCase();
    const value = rawHeaders[i + 1]!.toString('latin1');
    const prev = headers[name];
    if (name === 'set-cookie') headers[name] = prev === undefined ? [value] : [...(prev as string[]), value];
    else headers[name] = prev === undefined ? value : `${String(prev)}, ${value}`;
  }
  return headers as IncomingHttpHeaders & IncomingHttpStatusHeader;
}

/** The other way: a real stream's response headers as alternating name/value buffers, pseudo-headers left out. */
export function rawFromHttp2Headers(headers: Readonly<Record<string, string | readonly string[] | number | undefined>>): Buffer[] {
  const raw: Buffer[] = [];
  for (const name of Object.keys(headers)) {
    if (name.startsWith(':')) continue;
    const v = headers[name];
    if (v === undefined) continue;
    for (const one of typeof v === 'object' ? v : [v]) raw.push(Buffer.from(name, 'latin1'), Buffer.from(String(one), 'latin1'));
  }
  return raw;
}

export class Http2FaultStream extends Duplex implements UndiciHandler {
  [key: string]: unknown;
  readonly session: ClientHttp2Session;
  readonly sentHeaders: OutgoingHttpHeaders;
  rstCode: number | undefined = undefined;
  id: number | undefined = undefined;
  pending = true;
  aborted = false;
  readonly endAfterHeaders = false;
  private real: ClientHttp2Stream | undefined;
  private realPaused = false;
  /** Stops what the fault still has going (its timers, the real stream), once. */
  private stopFault: ((reason?: Error) => void) | undefined;
  /** The caller's writes while the real request is not made yet. */
  private held: { chunk: unknown; encoding: BufferEncoding; callback: WriteCallback }[] = [];
  private heldFinal: WriteCallback | undefined;
  private completed = false;
  /** The answering side has ended the stream (a canned answer is complete, or the real stream closed). */
  private remoteClosed = false;
  private idleMs = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /** The caller sends trailers (`waitForTrailers`): it waits for 'wantTrailers' to call sendTrailers. */
  private readonly wantsTrailers: boolean;

  constructor(
    session: ClientHttp2Session,
    sentHeaders: OutgoingHttpHeaders,
    options: { endStream?: boolean; signal?: AbortSignal; waitForTrailers?: boolean } | undefined,
    /** Whether the fault sends the real request (latency, corrupt): the caller's body is kept for it. */
    private readonly forwards: boolean,
  ) {
    super({ allowHalfOpen: true });
    this.session = session;
    this.sentHeaders = sentHeaders;
    this.wantsTrailers = options?.waitForTrailers === true;
    const signal = options?.signal;
    if (signal !== undefined) {
      if (signal.aborted) process.nextTick(() => this.destroy(abortError(signal)));
      else {
        const onAbort = () => this.destroy(abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
    // As node:http2 does: a request whose method has no body ends its side at once.
    const method = String(sentHeaders[':method'] ?? 'GET');
    if (options?.endStream ?? (method === 'GET' || method === 'HEAD' || method === 'DELETE')) this.end();
    this.on('end', () => this.closeIfDone());
  }

  /**
   * A response that has ended on a stream the answering side has closed:
   * closed once the caller has read its end, even if the caller is still
   * sending (a server that answers early resets the rest of the request).
   */
  private closeIfDone(): void {
    if (this.remoteClosed && this.readableEnded && !this.destroyed) this.destroy();
  }

  // --- the caller's side (ClientHttp2Stream) ---

  /** Like Http2Stream: 'timeout' after `ms` without activity; 0 clears it. */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    this.idleMs = ms;
    this.touch();
    return this;
  }

  /** Closes the stream with an RST code (default NO_ERROR), as Http2Stream.close does. */
  close(code: number = NO_ERROR, callback?: () => void): void {
    if (callback !== undefined) this.once('close', callback);
    if (this.destroyed) return;
    this.rstCode = code;
    this.destroy(code !== NO_ERROR && code !== CANCEL ? streamError(code) : undefined);
  }

  priority(): void {}

  sendTrailers(headers: OutgoingHttpHeaders): void {
    const real = this.real;
    if (real !== undefined && !real.destroyed) real.sendTrailers(headers);
  }

  override _read(): void {
    if (this.realPaused) {
      this.realPaused = false;
      this.real?.resume();
    }
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void {
    this.touch();
    if (!this.forwards || this.realGone()) callback();
    else if (this.real !== undefined) this.real.write(chunk, encoding, callback);
    else this.held.push({ chunk, encoding, callback });
  }

  override _final(callback: WriteCallback): void {
    if (!this.forwards || this.realGone()) {
      // As Node does once the last data is out: the caller's trailers go nowhere here.
      if (this.wantsTrailers && !this.forwards) process.nextTick(() => this.emit('wantTrailers'));
      callback();
    }
    else if (this.real !== undefined) this.real.end(() => callback());
    else this.heldFinal = callback;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.rstCode === undefined) this.rstCode = error !== null ? INTERNAL_ERROR : NO_ERROR;
    const real = this.real;
    if (real !== undefined && !real.destroyed) real.close(this.rstCode === NO_ERROR && !this.completed ? CANCEL : this.rstCode);
    const stop = this.stopFault;
    this.stopFault = undefined;
    // The fault learns the call is over (its hang timer stops); what it reports back is ignored, the stream being destroyed.
    if (!this.completed) stop?.();
    callback(error);
  }

  private realGone(): boolean {
    return this.real !== undefined && (this.real.destroyed || this.real.writableEnded);
  }

  private touch(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      this.idleTimer.unref();
    }
  }

  // --- the fault's side (undici handler callbacks) ---

  onConnect(abort: (reason?: Error) => void): void {
    if (this.destroyed) {
      abort();
      return;
    }
    this.stopFault = abort;
    if (!this.forwards) this.ready(1);
  }

  onHeaders(status: number, rawHeaders: Buffer[]): boolean {
    if (this.destroyed) return false;
    this.touch();
    this.emit('response', http2ResponseHeaders(status, rawHeaders), FLAG_END_HEADERS);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.destroyed) return false;
    this.touch();
    return this.push(chunk);
  }

  onComplete(): void {
    if (this.destroyed) return;
    this.completed = true;
    if (!this.forwards) this.remoteClosed = true;
    this.push(null);
  }

  onError(err: Error): void {
    if (this.destroyed) return;
    this.destroy(asStreamError(err));
  }

  private ready(id: number | undefined): void {
    this.pending = false;
    this.id = id;
    this.emit('ready');
  }

  /**
   * The real request, made: the caller's held body goes to it, and its
   * events go to `handler` (this stream, or a fault's handler in front of it).
   */
  forward(real: ClientHttp2Stream, handler: UndiciHandler): void {
    this.real = real;
    handler.onConnect?.(() => {
      if (!real.destroyed) real.close(CANCEL);
    });
    real.on('ready', () => this.ready(real.id));
    real.on('continue', () => this.emit('continue'));
    real.on('wantTrailers', () => this.emit('wantTrailers'));
    real.on('headers', (headers: IncomingHttpHeaders, flags: number) => this.emit('headers', headers, flags));
    real.on('trailers', (headers: IncomingHttpHeaders, flags: number) => this.emit('trailers', headers, flags));
    real.on('aborted', () => {
      this.aborted = true;
      this.emit('aborted');
    });
    real.on('response', (headers: IncomingHttpHeaders) => {
      const go = handler.onHeaders?.(Number(headers[':status'] ?? 0), rawFromHttp2Headers(headers), () => real.resume(), '');
      if (go === false) real.pause();
    });
    real.on('data', (chunk: Buffer) => {
      if (handler.onData?.(chunk) === false) {
        this.realPaused = true;
        real.pause();
      }
    });
    real.on('end', () => handler.onComplete?.(null));
    real.on('error', (err: Error) => handler.onError?.(err));
    real.on('close', () => {
      this.remoteClosed = true;
      // Closed by the peer or the session without an error: the caller sees the same close.
      if (!this.completed && !this.destroyed) {
        this.rstCode = real.rstCode;
        this.destroy();
      } else this.closeIfDone();
    });
    for (const h of this.held.splice(0)) real.write(h.chunk, h.encoding, h.callback);
    const final = this.heldFinal;
    this.heldFinal = undefined;
    if (final !== undefined) real.end(() => final());
  }
}
