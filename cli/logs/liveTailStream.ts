// StartLiveTail over HTTP: one signed POST whose answer streams event
// stream messages for as long as the session lasts (up to 3 hours), so it
// cannot go through the JSON client's buffered request. The regional
// endpoint is `stream-logs.<region>…`; a configured endpoint is used as is.
import type { IncomingMessage } from 'node:http';
import { signRequest } from '../../src/chaos/sigv4.js';
import type { ResolvedEndpoint } from '../../src/awsEndpoint.js';
import { AwsNetworkError, AwsServiceError, errorCodeOf, errorMessageOf } from '../aws/awsError.js';
import type { CredentialProvider } from '../aws/credentials.js';
import type { LiveTailItem, StartLiveTailInput } from './cloudWatchTypes.js';
import { EventStreamDecoder, EventStreamError, type EventStreamMessage } from './eventStream.js';

/** Live Tail's host carries the `stream-` prefix (the service model's hostPrefix); a configured endpoint does not. */
export function liveTailEndpoint(logs: ResolvedEndpoint): ResolvedEndpoint {
  if (logs.from !== 'regional') return logs;
  const url = new URL(logs.url);
  url.hostname = `stream-${url.hostname}`;
  return { ...logs, url };
}

const CONNECT_TIMEOUT_MS = 3000;
/** Until the session's answer starts; the events after it may be minutes apart. */
const ANSWER_TIMEOUT_MS = 10_000;
/** An error answer is read up to this size. */
const MAX_ERROR_BODY = 64 * 1024;

const abortError = () => Object.assign(new Error('the request was aborted'), { name: 'AbortError' });

/** Pure: one decoded message → the item it carries, undefined for none (the initial response); throws for errors. */
export function liveTailItem(m: EventStreamMessage): LiveTailItem | undefined {
  const kind = m.headers[':message-type'];
  if (kind === 'error') {
    const code = String(m.headers[':error-code'] ?? 'LiveTailError');
    throw new AwsServiceError(code, String(m.headers[':error-message'] ?? code), 200, undefined);
  }
  const type = String(kind === 'exception' ? m.headers[':exception-type'] : m.headers[':event-type']);
  if (kind === 'event' && type === 'initial-response') return undefined;
  let body: unknown;
  try {
    body = m.payload.length === 0 ? {} : JSON.parse(m.payload.toString('utf8'));
  } catch {
    throw new EventStreamError(`Live Tail ${kind} ${type}: the payload is not JSON`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new EventStreamError(`Live Tail ${kind} ${type}: the payload is not a JSON object`);
  if (kind === 'exception' && type !== 'SessionTimeoutException' && type !== 'SessionStreamingException') {
    throw new AwsServiceError(type, errorMessageOf(body, 200), 200, undefined);
  }
  if (kind !== 'event' && kind !== 'exception') throw new EventStreamError(`Live Tail message of unknown type ${String(kind)}`);
  return { [type]: body } as unknown as LiveTailItem;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (size < MAX_ERROR_BODY) chunks.push(c);
    size += c.length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY);
}

export interface LiveTailRequest {
  readonly endpoint: ResolvedEndpoint;
  readonly credentials: CredentialProvider;
  readonly input: StartLiveTailInput;
  readonly signal: AbortSignal;
}

/** Starts the session: resolves once it is accepted (HTTP 200), with its events; rejects with the service's error otherwise. */
export async function openLiveTailStream(r: LiveTailRequest): Promise<AsyncIterable<LiveTailItem>> {
  const { url, region } = r.endpoint;
  const transport = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const path = url.pathname === '' ? '/' : url.pathname;
  const body = JSON.stringify(r.input);
  const credentials = await r.credentials();
  if (r.signal.aborted) throw abortError();
  const headers = signRequest(
    {
      method: 'POST',
      host: url.host,
      path,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.StartLiveTail', 'user-agent': 'faultline-cli' },
      body,
    },
    { region, service: 'logs', credentials, now: new Date() },
  );
  headers['content-length'] = String(Buffer.byteLength(body));
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = transport.request({ protocol: url.protocol, hostname: url.hostname, port: url.port === '' ? undefined : Number(url.port), path: `${path}${url.search}`, method: 'POST', headers });
    let connectTimer: NodeJS.Timeout | undefined;
    const fail = (err: Error) => {
      clearTimeout(answerTimer);
      clearTimeout(connectTimer);
      r.signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(abortError());
    const answerTimer = setTimeout(() => fail(new AwsNetworkError('TimeoutError', `Live Tail: no answer from ${url.host} within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(() => fail(new AwsNetworkError('TimeoutError', `could not connect to ${url.host} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (e: NodeJS.ErrnoException) => fail(new AwsNetworkError(e.code ?? 'NetworkError', `${e.code ?? e.name}: ${e.message}`, { cause: e })));
    req.on('response', (answer) => {
      clearTimeout(answerTimer);
      clearTimeout(connectTimer);
      resolve(answer);
    });
    r.signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
  if (res.statusCode !== 200) {
    const text = await readBody(res).catch(() => '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const status = res.statusCode ?? 0;
    const typeHeader = res.headers['x-amzn-errortype'];
    const requestId = res.headers['x-amzn-requestid'];
    throw new AwsServiceError(
      errorCodeOf(Array.isArray(typeHeader) ? typeHeader[0] : typeHeader, parsed, status),
      errorMessageOf(parsed, status),
      status,
      Array.isArray(requestId) ? requestId[0] : requestId,
    );
  }
  return events(res, r.signal);
}

async function* events(res: IncomingMessage, signal: AbortSignal): AsyncGenerator<LiveTailItem> {
  const decoder = new EventStreamDecoder();
  const onAbort = () => res.destroy(abortError());
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      for (const m of decoder.push(chunk)) {
        const item = liveTailItem(m);
        if (item !== undefined) yield item;
      }
    }
    decoder.end();
  } finally {
    signal.removeEventListener('abort', onAbort);
    res.destroy();
  }
}
