// Per outgoing HTTP call cost, in one tool's own process: inside one
// invocation of the tool's wrapped handler, n sequential http.request calls
// on a keep-alive agent and n sequential fetch calls to a server on
// 127.0.0.1, each call timed on its own (request sent to body read), after
// `warm` untimed calls of the same kind (see bench/agent-http.bench.ts).
//
// The server runs in this same process, started before the tool is loaded: a
// call's time is then the CPU work of both ends, one after the other, with no
// second process to wake (cross-process wake-ups moved single-call times by
// more than the overhead measured). So that the server's part is small and the
// same for every tool, it is a bare HTTP/1.1 responder on node:net rather than
// node:http: an http.Server in the function's process would parse the
// `traceparent` header the tools add, and, once a tool's AsyncLocalStorage is
// on, pay async hooks for its own requests and responses, none of which a
// function on Lambda pays for the services it calls. It counts the calls,
// those that carried `traceparent`, and the connections.
// Usage: node bench/lib/httpWorker.mjs <entry file: URL exporting `handler`> <label>
import http from 'node:http';
import net from 'node:net';
import { serve } from './workerLoop.mjs';
import { apiGatewayV2Event, lambdaContext, setTraceHeader } from './lambdaFixtures.mjs';

const [entry, label] = process.argv.slice(2);
const seen = { http: { calls: 0, withTraceparent: 0, sockets: new Set() }, fetch: { calls: 0, withTraceparent: 0, sockets: new Set() } };
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n{"ok":true}',
  'latin1',
);
const TRACEPARENT = /\r\ntraceparent:/i;
const BODY_FRAMING = /\r\n(content-length:\s*[1-9]|transfer-encoding:)/i;

/** One request head (request line and headers, without the blank line). */
function onRequest(head, socket) {
  const target = head.slice(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
  // Every call in this benchmark is a GET without a body: a body would be read as the next request.
  if (BODY_FRAMING.test(head)) throw new Error(`request to ${target} has a body; the benchmark's target expects none`);
  const t = target.endsWith('/fetch') ? seen.fetch : seen.http;
  t.calls++;
  t.sockets.add(socket);
  if (TRACEPARENT.test(head)) t.withTraceparent++;
}

const server = net.createServer((socket) => {
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    for (let end = pending.indexOf('\r\n\r\n'); end !== -1; end = pending.indexOf('\r\n\r\n')) {
      onRequest(pending.slice(0, end), socket);
      pending = pending.slice(end + 4);
      socket.write(RESPONSE);
    }
  });
  socket.on('error', () => {}); // a client closing its keep-alive connection at exit
});
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
server.unref();
const port = server.address().port;
const { handler } = await import(entry);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const httpPath = `/${label}/http`;
const fetchUrl = `http://127.0.0.1:${port}/${label}/fetch`;

function httpCall() {
  return new Promise((resolve, reject) => {
    // http.request read at call time: instrumentations replace it on the module object.
    const req = http.request({ host: '127.0.0.1', port, path: httpPath, agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${httpPath}: status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function fetchCall() {
  const res = await fetch(fetchUrl);
  await res.text();
  if (res.status !== 200) throw new Error(`GET ${fetchUrl}: status ${res.status}`);
}

let seq = 0;

async function round(n, warm) {
  const httpUs = new Float64Array(n);
  const fetchUs = new Float64Array(n);
  const event = apiGatewayV2Event();
  let httpCpu = 0;
  let fetchCpu = 0;
  event.__work = async () => {
    for (let i = 0; i < warm; i++) await httpCall();
    let c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await httpCall();
      httpUs[i] = (performance.now() - t0) * 1000;
    }
    let c = process.cpuUsage(c0);
    httpCpu = c.user + c.system;
    for (let i = 0; i < warm; i++) await fetchCall();
    c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fetchCall();
      fetchUs[i] = (performance.now() - t0) * 1000;
    }
    c = process.cpuUsage(c0);
    fetchCpu = c.user + c.system;
    return { statusCode: 200, body: 'ok' };
  };
  const k = seq++;
  setTraceHeader(k);
  const res = await handler(event, lambdaContext(k));
  if (res?.statusCode !== 200) throw new Error(`handler returned ${JSON.stringify(res)}, expected statusCode 200`);
  const tally = (t) => ({ calls: t.calls, withTraceparent: t.withTraceparent, connections: t.sockets.size });
  return {
    http: Array.from(httpUs),
    fetch: Array.from(fetchUs),
    cpuPerCallUs: { http: httpCpu / n, fetch: fetchCpu / n },
    seen: { http: tally(seen.http), fetch: tally(seen.fetch) },
  };
}

serve({ round: async ({ n, warm }) => round(n, warm ?? 0) });
