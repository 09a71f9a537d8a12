// One signed POST to an AWS endpoint, with the SDK's retry behaviour and
// bounded time: the transport under the CLI's JSON and query clients.
// node:http(s) with a keep-alive agent; https is loaded only for https endpoints.
import type { Agent, IncomingHttpHeaders, RequestOptions } from 'node:http';
import { signRequest } from '../../src/chaos/sigv4.js';
import type { ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { AwsNetworkError } from './awsError.js';
import type { CredentialProvider } from './credentials.js';
import { backoffMs, isRetryable, isThrottling } from './retry.js';

export interface TransportOptions {
  readonly endpoint: ResolvedEndpoint;
  /** The service name in the signature (`dynamodb`, `logs`, `sts`). */
  readonly signingName: string;
  readonly credentials: CredentialProvider;
  /** Attempts per call, the first included (the SDK's default is 3). */
  readonly maxAttempts?: number;
  readonly connectTimeoutMs?: number;
  /** Per attempt, from sending to the whole answer read. */
  readonly requestTimeoutMs?: number;
  /** Waits between attempts; tests pass one that does not sleep. */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One header of an answer (the first, when repeated). */
export function headerOf(answer: HttpAnswer, name: string): string | undefined {
  const v = answer.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export interface SignedPost {
  /**
   * Signs and sends `body`; resolves with the answer when `classify` accepts
   * it (returns undefined), retries when `classify` returns a retryable error,
   * and rejects with the last error otherwise.
   */
  send(headers: Readonly<Record<string, string>>, body: string, classify: (answer: HttpAnswer) => Error | undefined, signal?: AbortSignal): Promise<HttpAnswer>;
  destroy(): void;
}

const abortError = () => Object.assign(new Error('the request was aborted'), { name: 'AbortError' });

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => (clearTimeout(timer), reject(abortError()));
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function createSignedPost(opts: TransportOptions): Promise<SignedPost> {
  const { url, region } = opts.endpoint;
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const agent: Agent = new transport.Agent({ keepAlive: true, maxSockets: 8 });
  const path = `${url.pathname === '' ? '/' : url.pathname}${url.search}`;
  // node:http wants an IPv6 address without the URL's brackets.
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const query = url.search === '' ? undefined : Object.fromEntries(url.searchParams);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 3);
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  const sleep = opts.sleep ?? defaultSleep;

  async function attempt(extraHeaders: Readonly<Record<string, string>>, body: string, signal: AbortSignal | undefined): Promise<HttpAnswer> {
    const credentials = await opts.credentials();
    const headers = signRequest(
      { method: 'POST', host: url.host, path: url.pathname === '' ? '/' : url.pathname, ...(query && { query }), headers: extraHeaders, body },
      { region, service: opts.signingName, credentials, now: new Date() },
    );
    headers['content-length'] = String(Buffer.byteLength(body));
    const request: RequestOptions = {
      protocol: url.protocol,
      hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path,
      method: 'POST',
      headers,
      agent,
    };
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, answer?: HttpAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(requestTimer);
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer!);
      };
      const onAbort = () => finish(abortError());
      const req = transport.request(request, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(new AwsNetworkError('ECONNRESET', `the answer from ${url.host} was cut off`, { cause: e })));
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      const requestTimer = setTimeout(
        () => finish(new AwsNetworkError('TimeoutError', `no answer from ${url.host} within ${requestTimeoutMs} ms`)),
        requestTimeoutMs,
      );
      let connectTimer: NodeJS.Timeout | undefined;
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () => finish(new AwsNetworkError('TimeoutError', `could not connect to ${url.host} within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish(new AwsNetworkError(e.code ?? 'NetworkError', `${e.code ?? e.name}: ${e.message}`, { cause: e })));
      if (signal?.aborted) return finish(abortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      req.end(body);
    });
  }

  return {
    async send(headers, body, classify, signal) {
      for (let n = 1; ; n++) {
        let failure: Error;
        try {
          const answer = await attempt(headers, body, signal);
          const refused = classify(answer);
          if (refused === undefined) return answer;
          failure = refused;
        } catch (err) {
          if (!(err instanceof AwsNetworkError)) throw err;
          failure = err;
        }
        if (n >= maxAttempts || !isRetryable(failure)) throw failure;
        await sleep(backoffMs(n, isThrottling(failure)), signal);
      }
    },
    destroy: () => agent.destroy(),
  };
}
