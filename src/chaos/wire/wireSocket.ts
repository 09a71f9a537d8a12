// An in-memory "socket" handed to one http/https ClientRequest in place of a
// real connection: it ignores the request bytes and answers with raw response
// bytes, fails like a broken connection, or hangs. Node's own HTTP client and
// parser do the rest, so callers get a genuine IncomingMessage or error.
import { Duplex } from 'node:stream';

export type WireBehaviour =
  | { readonly kind: 'respond'; readonly bytes: Buffer }
  | { readonly kind: 'fail'; readonly error: Error }
  /** Never answers; after `budgetMs` fails with `error` (unless the client's own timeout ends it first). */
  | { readonly kind: 'hang'; readonly budgetMs: number; readonly error: Error };

export class WireSocket extends Duplex {
  readonly connecting = false;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily = 'IPv4';
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  /** https callers look for this; no TLS happens here. */
  readonly encrypted: boolean;
  readonly authorized: boolean;
  private answered = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private hangTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly behaviour: WireBehaviour,
    remote: { host: string; port: number; tls: boolean },
    /** The `timeout` request option, which Node gives the socket it connects (net.Socket does the same). */
    idleTimeoutMs?: number,
  ) {
    super();
    this.remoteAddress = remote.host;
    this.remotePort = remote.port;
    this.encrypted = remote.tls;
    this.authorized = remote.tls;
    if (behaviour.kind === 'hang') {
      this.hangTimer = setTimeout(() => this.destroy(behaviour.error), behaviour.budgetMs);
    }
    if (idleTimeoutMs !== undefined && idleTimeoutMs > 0) this.setTimeout(idleTimeoutMs);
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    callback();
    this.answer();
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
    this.answer();
  }

  /** Answers once, after the caller has started sending, as a server would. */
  private answer(): void {
    if (this.answered) return;
    this.answered = true;
    const b = this.behaviour;
    if (b.kind === 'respond') {
      setImmediate(() => {
        if (this.destroyed) return;
        this.push(b.bytes);
        this.push(null);
      });
    } else if (b.kind === 'fail') {
      setImmediate(() => this.destroy(b.error));
    }
  }

  /** Like net.Socket: an idle timer that emits 'timeout' (the client's own timeout), reset by 0. */
  setTimeout(ms: number, callback?: () => void): this {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (callback !== undefined) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    if (ms > 0) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), ms);
    }
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }

  destroySoon(): void {
    this.end();
    this.destroy();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.hangTimer !== undefined) clearTimeout(this.hangTimer);
    callback(error);
  }
}
