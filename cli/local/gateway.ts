// The local stand-ins for what sits in front of functions on AWS:
//   - an HTTP front door shaped like API Gateway's HTTP API: a route per
//     function, requests turned into payload-2.0 events, results into responses;
//   - the Lambda Invoke API (POST /2015-03-31/functions/<name>/invocations),
//     synchronous (RequestResponse) and asynchronous (Event, answered 202),
//     which a function's own AWS SDK calls through AWS_ENDPOINT_URL_LAMBDA.
// Both keep the caller's trace: X-Amzn-Trace-Id, else traceparent, becomes the
// invocation's X-Ray header, so a chain of functions shares one trace id.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FunctionPool, InvocationReport } from './functionPool.js';
import { newTraceHeader } from './functionPool.js';
import { parseXRayHeader, toXRayHeader } from '../../src/telemetry/propagation/xray.js';
import { isValidTraceparent } from '../../src/telemetry/propagation/carriers.js';

export interface Route {
  readonly method: string;
  readonly path: string;
  readonly functionName: string;
}

export interface Gateway {
  /** Base URL of the HTTP front door, e.g. http://127.0.0.1:PORT */
  readonly apiUrl: string;
  /** Endpoint for AWS_ENDPOINT_URL_LAMBDA. */
  readonly lambdaUrl: string;
  /** Asynchronous invocations still running. */
  pending(): number;
  /** Resolves when every asynchronous invocation accepted so far has finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly pool: FunctionPool;
  readonly routes: readonly Route[];
  readonly region?: string;
  readonly accountId?: string;
  /** Called with every finished invocation (front door, sync and async invokes). */
  readonly onInvocation?: (report: InvocationReport, via: 'http' | 'invoke' | 'invoke-async') => void;
}

/**
 * Pure: the X-Ray header for an invocation, from what the caller sent: an
 * X-Ray root keeps its trace under a new parent segment, a traceparent keeps
 * its trace and parent span, anything else starts a new trace.
 */
export function traceHeaderFrom(headers: IncomingMessage['headers'], nowMs = Date.now()): string {
  const xray = headers['x-amzn-trace-id'];
  const fromXRay = typeof xray === 'string' ? parseXRayHeader(xray)?.traceId : undefined;
  if (fromXRay !== undefined) return toXRayHeader(fromXRay, randomBytes(8).toString('hex'), true)!;
  const tp = headers.traceparent;
  if (isValidTraceparent(tp)) return toXRayHeader(tp.slice(3, 35), tp.slice(36, 52), true) ?? newTraceHeader(nowMs);
  return newTraceHeader(nowMs);
}

/** Pure: an API Gateway HTTP API (payload 2.0) event for a request. */
export function httpApiEvent(req: IncomingMessage, body: Buffer, route: Route, opts: { accountId: string; nowMs: number }) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const text = body.toString('utf8');
  const isText = /json|text|xml|form/.test(headers['content-type'] ?? 'application/json');
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: opts.accountId,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date(opts.nowMs).toUTCString(),
      timeEpoch: opts.nowMs,
    },
    body: isText ? text : body.toString('base64'),
    isBase64Encoded: !isText,
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Pure: the HTTP response API Gateway makes of a function's result (payload 2.0 rules). */
export function httpResponseOf(report: InvocationReport): { status: number; headers: Record<string, string>; body: string } {
  if (report.kind !== 'response') {
    return { status: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' };
  }
  const p = report.payload as { statusCode?: unknown; headers?: Record<string, string>; body?: unknown } | null;
  if (p && typeof p === 'object' && typeof p.statusCode === 'number') {
    return {
      status: p.statusCode,
      headers: { ...(p.headers ?? {}) },
      body: typeof p.body === 'string' ? p.body : p.body === undefined ? '' : JSON.stringify(p.body),
    };
  }
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const accountId = opts.accountId ?? '000000000000';
  const inflight = new Set<Promise<unknown>>();

  const api = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const route = opts.routes.find((r) => r.method === req.method && r.path === path);
      if (!route) return sendJson(res, 404, { message: 'Not Found' });
      const body = await readBody(req);
      const now = Date.now();
      const report = await opts.pool.invoke(route.functionName, httpApiEvent(req, body, route, { accountId, nowMs: now }), {
        traceHeader: traceHeaderFrom(req.headers, now),
      });
      opts.onInvocation?.(report, 'http');
      const out = httpResponseOf(report);
      res.writeHead(out.status, { 'apigw-requestid': report.requestId, ...out.headers }).end(out.body);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 502, { message: String(err) });
    });
  });

  const lambda = createServer((req, res) => {
    void (async () => {
      const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
      if (req.method !== 'POST' || !m) return sendJson(res, 404, { Type: 'User', message: `Unknown operation ${req.method} ${req.url}` });
      // FunctionName may be a name, a partial or a full ARN.
      const name = decodeURIComponent(m[1]!).split(':').filter(Boolean).at(-1)!.replace(/^function$/, '');
      if (!opts.pool.functionNames.includes(name)) {
        return sendJson(res, 404, { Type: 'User', message: `Function not found: arn:aws:lambda:${opts.region ?? 'us-east-1'}:${accountId}:function:${name}` }, {
          'x-amzn-errortype': 'ResourceNotFoundException',
          'x-amzn-requestid': randomUUID(),
        });
      }
      const raw = await readBody(req);
      let event: unknown = {};
      try {
        event = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return sendJson(res, 400, { Type: 'User', message: 'Could not parse request body into json' }, {
          'x-amzn-errortype': 'InvalidRequestContentException',
        });
      }
      const traceHeader = traceHeaderFrom(req.headers);
      const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
      if (type === 'Event') {
        const p = opts.pool.invoke(name, event, { traceHeader }).then(
          (report) => opts.onInvocation?.(report, 'invoke-async'),
          () => {},
        );
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        res.writeHead(202, { 'x-amzn-requestid': randomUUID(), 'content-length': '0' }).end();
        return;
      }
      const report = await opts.pool.invoke(name, event, { traceHeader });
      opts.onInvocation?.(report, 'invoke');
      const headers: Record<string, string> = { 'x-amzn-requestid': report.requestId, 'x-amz-executed-version': '$LATEST' };
      if (report.kind === 'response') {
        res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(report.payload ?? null));
      } else {
        const { kind: _k, requestId: _r, ...error } = report as unknown as Record<string, unknown>;
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', ...headers })
          .end(JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace }));
      }
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { Type: 'Service', message: String(err) }, { 'x-amzn-errortype': 'ServiceException' });
    });
  });

  const [apiUrl, lambdaUrl] = await Promise.all([listen(api), listen(lambda)]);
  const closeServer = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    apiUrl,
    lambdaUrl,
    pending: () => inflight.size,
    drain: async () => {
      while (inflight.size) await Promise.allSettled([...inflight]);
    },
    close: async () => {
      await Promise.all([closeServer(api), closeServer(lambda)]);
    },
  };
}
