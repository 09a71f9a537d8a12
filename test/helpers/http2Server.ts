// An HTTP/2 server for tests: cleartext (h2c, which node:http2 clients and the
// AWS SDK's NodeHttp2Handler speak to an `http://` endpoint) on 127.0.0.1 on
// an OS-picked port. It counts the sessions (connections) and streams
// (requests) that reach it, records each request's headers and body, and
// answers as a small Kinesis would (JSON 1.1 by `x-amz-target`), or a plain
// JSON body for other paths. The file that starts it stops it.
import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface Http2Seen {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Trailers the client sent after the body, if any. */
  readonly trailers: IncomingHttpHeaders | undefined;
}

export interface Http2Target {
  readonly origin: string;
  readonly port: number;
  /** Requests whose body has been read, in order. */
  readonly seen: Http2Seen[];
  /** Streams opened on the server (a request counts here as soon as its headers arrive). */
  readonly streams: number;
  readonly sessions: number;
  /** Forgets what was seen and counted. */
  reset(): void;
  close(): Promise<void>;
}

export const PUT_RECORD_OUTPUT = { ShardId: 'shardId-000000000000', SequenceNumber: '49590338271490256608559692538361571095921575989136588898' };
export const PLAIN_BODY = { name: 'alice', n: 1, ok: true, tags: ['a'] };

function answer(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('Kinesis_20131202.')) {
    const op = target.slice('Kinesis_20131202.'.length);
    const body = op === 'PutRecord' ? PUT_RECORD_OUTPUT : {};
    stream.respond({ ':status': 200, 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${op}` });
    stream.end(JSON.stringify(body));
    return;
  }
  const body = JSON.stringify(PLAIN_BODY);
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  stream.end(body);
}

export async function startHttp2Target(): Promise<Http2Target> {
  const server: Http2Server = http2.createServer();
  const sessions = new Set<ServerHttp2Session>();
  const state = { streams: 0, sessions: 0 };
  const seen: Http2Seen[] = [];
  server.on('session', (session) => {
    state.sessions++;
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {}); // a client that resets its connection
  });
  server.on('stream', (stream, headers) => {
    state.streams++;
    stream.on('error', () => {});
    let body = '';
    let trailers: IncomingHttpHeaders | undefined;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('trailers', (t: IncomingHttpHeaders) => (trailers = t));
    stream.on('end', () => {
      seen.push({ headers, body, trailers });
      if (!stream.destroyed) answer(stream, headers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    get streams() {
      return state.streams;
    },
    get sessions() {
      return state.sessions;
    },
    reset() {
      seen.length = 0;
      state.streams = 0;
      state.sessions = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}
