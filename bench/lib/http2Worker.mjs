// Per outgoing HTTP/2 request cost, in one tool's own process: inside one
// invocation of the tool's wrapped handler, n sequential requests on one
// node:http2 client session (as a keep-alive HTTP/1 agent reuses its socket)
// to an h2c server on 127.0.0.1 in this same process, each timed on its own
// (request made to body read), after `warm` untimed ones (see
// bench/agent-http2.bench.ts). The server counts the requests, those that
// carried `traceparent`, and the sessions.
// Usage: node bench/lib/http2Worker.mjs <entry file: URL exporting `handler`> <label>
import http2 from 'node:http2';
import { serve } from './workerLoop.mjs';
import { apiGatewayV2Event, lambdaContext, setTraceHeader } from './lambdaFixtures.mjs';

const [entry, label] = process.argv.slice(2);
const seen = { calls: 0, withTraceparent: 0, sessions: 0 };
const BODY = '{"ok":true}';
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/json', 'content-length': String(BODY.length) };

// Started before the tool loads, as in httpWorker.mjs.
const server = http2.createServer();
server.on('session', (session) => {
  seen.sessions++;
  session.on('error', () => {});
});
server.on('stream', (stream, headers) => {
  seen.calls++;
  if (headers.traceparent !== undefined) seen.withTraceparent++;
  stream.on('error', () => {});
  stream.respond(RESPONSE_HEADERS);
  stream.end(BODY);
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
server.unref();
const origin = `http://127.0.0.1:${server.address().port}`;
const { handler } = await import(entry);
// `http2.connect` read at call time, after the tool has loaded: tools patch it on the module object.
let session;
const path = `/${label}/http2`;
const REQUEST_HEADERS = { ':path': path };

function call() {
  return new Promise((resolve, reject) => {
    const stream = session.request(REQUEST_HEADERS);
    let status = 0;
    stream.on('response', (h) => (status = h[':status']));
    stream.on('data', () => {});
    stream.on('end', () => (status === 200 ? resolve() : reject(new Error(`GET ${path}: status ${status}`))));
    stream.on('error', reject);
  });
}

let seq = 0;

async function round(n, warm) {
  const us = new Float64Array(n);
  const event = apiGatewayV2Event();
  let cpu = 0;
  event.__work = async () => {
    if (session === undefined || session.destroyed) {
      session = http2.connect(origin);
      session.on('error', () => {});
    }
    for (let i = 0; i < warm; i++) await call();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await call();
      us[i] = (performance.now() - t0) * 1000;
    }
    const c = process.cpuUsage(c0);
    cpu = c.user + c.system;
    return { statusCode: 200, body: 'ok' };
  };
  const k = seq++;
  setTraceHeader(k);
  const res = await handler(event, lambdaContext(k));
  if (res?.statusCode !== 200) throw new Error(`handler returned ${JSON.stringify(res)}, expected statusCode 200`);
  return { http2: Array.from(us), cpuPerCallUs: cpu / n, seen: { ...seen } };
}

serve({ round: async ({ n, warm }) => round(n, warm ?? 0) });
