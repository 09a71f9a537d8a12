// Every outgoing call gets exactly one CLIENT span, however it ends: a table
// of call kinds (Node's fetch, npm undici with a dispatcher of the function's
// own, node:http and node:https) × endings (ok, an HTTP error status,
// connection refused, a name that does not resolve, the caller aborting
// mid-response, a timeout through AbortSignal, the server resetting the
// connection mid-body), against real servers on 127.0.0.1. Each call's span
// is found by its url.full, so a span too many or one missing is named.
// An HTTP/2 call kind belongs in CALL_KINDS once node:http2 is instrumented.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Agent as UndiciAgent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { installOutgoingInstrumentation } from '../../src/instrument/index.js';
import { setupOtel, type TestOtel } from './otel.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

const TLS = {
  key: readFileSync(new URL('../fixtures/tls/localhost.key', import.meta.url)),
  cert: readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url)),
};

/** How a call kind is told to make one call: resolves once the whole body is read, rejects however the call fails. */
interface CallOptions {
  readonly signal?: AbortSignal;
  /** Called once the response's headers are in (the abort case aborts here, mid-body). */
  readonly onResponse?: () => void;
}

interface CallKind {
  readonly name: string;
  readonly secure: boolean;
  /** A fetch() (Node's or npm undici's), which refuses some calls before dispatching them. */
  readonly fetch?: boolean;
  call(url: string, opts: CallOptions): Promise<unknown>;
}

let ownAgent: UndiciAgent;
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true, ca: TLS.cert });

function nodeCall(mod: typeof http | typeof https, agent: http.Agent, url: string, opts: CallOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { agent, signal: opts.signal }, (res) => {
      opts.onResponse?.();
      res.on('error', reject);
      res.on('close', () => (res.complete ? resolve(res.statusCode) : reject(new Error('response closed before its end'))));
      res.resume();
    });
    req.on('error', reject);
  });
}

const CALL_KINDS: readonly CallKind[] = [
  {
    name: "Node's fetch",
    secure: false,
    fetch: true,
    async call(url, opts) {
      const res = await fetch(url, { signal: opts.signal });
      opts.onResponse?.();
      return res.arrayBuffer();
    },
  },
  {
    name: "Node's fetch with the function's own npm undici Agent",
    secure: false,
    fetch: true,
    async call(url, opts) {
      const res = await fetch(url, { signal: opts.signal, dispatcher: ownAgent } as unknown as RequestInit);
      opts.onResponse?.();
      return res.arrayBuffer();
    },
  },
  {
    name: "npm undici request() with the function's own Agent",
    secure: false,
    async call(url, opts) {
      const { body } = await undiciRequest(url, { signal: opts.signal, dispatcher: ownAgent });
      opts.onResponse?.();
      return body.arrayBuffer();
    },
  },
  {
    name: "npm undici fetch() with the function's own Agent",
    secure: false,
    fetch: true,
    async call(url, opts) {
      const res = await undiciFetch(url, { signal: opts.signal, dispatcher: ownAgent });
      opts.onResponse?.();
      return res.arrayBuffer();
    },
  },
  { name: 'http.get with a keep-alive agent', secure: false, call: (url, opts) => nodeCall(http, httpAgent, url, opts) },
  { name: 'https.get with a keep-alive agent', secure: true, call: (url, opts) => nodeCall(https, httpsAgent, url, opts) },
];

/** The outcome the call's span must record: error.type absent (undefined) or this value. */
interface Ending {
  readonly name: string;
  /** The URL to call, given the servers' origins. */
  url(origins: Origins): string;
  readonly opts?: (controller: AbortController) => CallOptions;
  readonly fails: boolean;
  readonly status?: number;
  /** error.type by call kind (`default` for the rest); a list where the transport may see either. */
  readonly errorType: { readonly default: ErrorType; readonly [kind: string]: ErrorType };
  /** Not a case for this kind of call. */
  readonly skip?: string | false;
  /** A known gap, shown but not failing the suite. */
  readonly todo?: string | false;
}

type ErrorType = string | undefined | readonly string[];

interface Origins {
  readonly http: string;
  readonly https: string;
  readonly refusedPort: number;
}

const origin = (o: Origins, kind: CallKind) => (kind.secure ? o.https : o.http);

const ENDINGS: readonly ((kind: CallKind) => Ending)[] = [
  (kind) => ({ name: 'ok', url: (o) => `${origin(o, kind)}/ok`, fails: false, status: 200, errorType: { default: undefined } }),
  (kind) => ({ name: 'HTTP error status', url: (o) => `${origin(o, kind)}/status`, fails: false, status: 503, errorType: { default: '503' } }),
  (kind) => ({
    name: 'connection refused',
    url: (o) => `${kind.secure ? 'https' : 'http'}://127.0.0.1:${o.refusedPort}/refused`,
    fails: true,
    errorType: { default: 'ECONNREFUSED' },
  }),
  (kind) => ({
    name: 'unresolvable host (*.invalid)',
    url: () => `${kind.secure ? 'https' : 'http'}://faultline-test.invalid/dns`,
    fails: true,
    errorType: { default: 'ENOTFOUND' },
  }),
  (kind) => ({
    name: 'caller aborts mid-body',
    url: (o) => `${origin(o, kind)}/hold-body`,
    opts: (c) => ({ signal: c.signal, onResponse: () => c.abort() }),
    fails: true,
    status: 200,
    errorType: { default: 'AbortError' },
  }),
  (kind) => ({
    name: 'timeout through AbortSignal.timeout',
    url: (o) => `${origin(o, kind)}/hold-headers`,
    opts: () => ({ signal: AbortSignal.timeout(50) }),
    fails: true,
    // fetch terminates the call with the signal's reason or, depending on which of its abort steps reaches the
    // dispatcher first, with a plain AbortError: the dispatcher cannot tell those apart.
    errorType: { default: kind.fetch === true ? ['TimeoutError', 'AbortError'] : 'TimeoutError' },
  }),
  (kind) => ({
    name: 'server resets the connection mid-body',
    url: (o) => `${origin(o, kind)}/reset`,
    fails: true,
    status: 200,
    // undici reports the reset as the socket's ECONNRESET, or as its own UND_ERR_SOCKET when it reads the end of the stream first.
    errorType: { default: ['ECONNRESET', 'UND_ERR_SOCKET'], 'http.get with a keep-alive agent': 'ECONNRESET', 'https.get with a keep-alive agent': 'ECONNRESET' },
  }),
  (kind) => ({
    name: 'signal already aborted',
    url: (o) => `${origin(o, kind)}/ok`,
    opts: (c) => {
      c.abort();
      return { signal: c.signal };
    },
    fails: true,
    errorType: { default: 'AbortError' },
    todo: kind.name.startsWith('npm undici fetch()') && "npm undici's own fetch refuses it before any dispatcher sees it, and faultline does not wrap that fetch",
  }),
  (kind) => ({
    name: 'a port fetch blocks (6000, a "bad port")',
    url: () => `http://127.0.0.1:6000/bad-port`,
    fails: true,
    // fetch's TypeError says "fetch failed"; the span records its cause, a plain Error("bad port").
    errorType: { default: 'Error' },
    skip: kind.fetch !== true && 'only fetch blocks ports; node:http would try to connect',
    todo: kind.name.startsWith('npm undici fetch()') && "npm undici's own fetch refuses it before any dispatcher sees it, and faultline does not wrap that fetch",
  }),
];

/** Answers by path: /ok, /status (503), /hold-body (headers, part of the body, then nothing), /hold-headers (nothing), /reset (part of the body, then a reset). */
function answer(req: http.IncomingMessage, res: http.ServerResponse, held: Set<Socket>): void {
  req.resume();
  const path = req.url ?? '';
  if (path === '/ok' || path === '/status') {
    res.writeHead(path === '/ok' ? 200 : 503, { 'content-type': 'text/plain' });
    res.end('body');
  } else if (path === '/hold-body' || path === '/reset') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    res.write('part', () => {
      // A TLS socket cannot send the reset itself: the TCP socket under it does.
      if (path === '/reset') ((res.socket as Socket & { _parent?: Socket | null })._parent ?? res.socket)?.resetAndDestroy();
      else if (res.socket) held.add(res.socket);
    });
  } else if (res.socket) {
    held.add(res.socket);
  }
}

describe('every outgoing call gets exactly one CLIENT span, however it ends', () => {
  let otel: TestOtel;
  let uninstall: () => void;
  let plain: Server;
  let secure: https.Server;
  let origins: Origins;
  const held = new Set<Socket>();

  before(async () => {
    plain = http.createServer((req, res) => answer(req, res, held));
    secure = https.createServer(TLS, (req, res) => answer(req, res, held));
    const [httpPort, httpsPort, refusedPort] = await Promise.all([listen(plain), listen(secure), closedPort()]);
    origins = { http: `http://127.0.0.1:${httpPort}`, https: `https://127.0.0.1:${httpsPort}`, refusedPort };
    ownAgent = new UndiciAgent();
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, directW3c: true });
  });
  after(async () => {
    uninstall();
    await otel.shutdown();
    await ownAgent.destroy();
    httpAgent.destroy();
    httpsAgent.destroy();
    for (const s of held) s.destroy();
    await Promise.all([closeServer(plain), closeServer(secure as unknown as Server)]);
  });

  for (const kind of CALL_KINDS) {
    for (const endingOf of ENDINGS) {
      const ending = endingOf(kind);
      test(`${kind.name}: ${ending.name}`, { skip: ending.skip, todo: ending.todo }, async () => {
        otel.exporter.reset();
        const url = ending.url(origins);
        const controller = new AbortController();
        let failure: unknown;
        try {
          await kind.call(url, ending.opts?.(controller) ?? {});
        } catch (err) {
          failure = err;
        }
        assert.equal(failure !== undefined, ending.fails, `the call ${ending.fails ? 'failed' : 'succeeded'} as expected: ${String(failure)}`);
        // The span ends when undici or node:http reports the outcome, which may come a turn after the caller saw it.
        const spans = await clientSpansFor(otel, url);
        assert.equal(spans.length, 1, `exactly one CLIENT span for ${url}, got ${spans.length}`);
        const span = spans[0]!;
        const expected = Object.hasOwn(ending.errorType, kind.name) ? ending.errorType[kind.name] : ending.errorType.default;
        const got = span.attributes['error.type'];
        if (Array.isArray(expected)) assert.ok(expected.includes(got), `error.type ${String(got)}, one of ${expected.join(', ')}`);
        else assert.equal(got, expected, `error.type of ${JSON.stringify(span.attributes)}`);
        assert.equal(span.status.code, expected === undefined ? SpanStatusCode.UNSET : SpanStatusCode.ERROR);
        assert.equal(span.attributes['http.response.status_code'], ending.status);
      });
    }
  }
});

/** The finished CLIENT spans whose url.full is `url`, once at least one has ended and any second one would have too. */
async function clientSpansFor(otel: TestOtel, url: string): Promise<ReadableSpan[]> {
  const matching = () => otel.spans().filter((s) => s.kind === SpanKind.CLIENT && s.attributes['url.full'] === url);
  // Bounded by turns of the event loop, not by time: the outcome reaches the span within a few.
  for (let turn = 0; turn < 20 && matching().length === 0; turn++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return matching();
}
