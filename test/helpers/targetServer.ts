// Local HTTP servers on 127.0.0.1 for tests: listening on an OS-picked port,
// closing, a port nothing listens on, and a target server that records what
// reaches it and answers with a JSON body.
import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1 on a port the OS picks; resolves with that port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Drops every connection (keep-alive ones included), then closes the server. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port on 127.0.0.1 that was just free and that nothing listens on: connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface TargetServer {
  readonly origin: string;
  readonly port: number;
  readonly seen: Seen[];
  connections: number;
  /** Forgets what was seen and counted. */
  reset(): void;
  close(): Promise<void>;
}

export const JSON_BODY = { name: 'alice', n: 1, ok: true, tags: ['a'] };

/** Records every request that reaches it, then answers 200 with JSON_BODY once the request body has been read. */
export async function startTargetServer(): Promise<TargetServer> {
  const seen: Seen[] = [];
  const server: Server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify(JSON_BODY);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  const state = { connections: 0 };
  server.on('connection', () => state.connections++);
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    get connections() {
      return state.connections;
    },
    set connections(v: number) {
      state.connections = v;
    },
    reset() {
      seen.length = 0;
      state.connections = 0;
    },
    close: () => closeServer(server),
  };
}
