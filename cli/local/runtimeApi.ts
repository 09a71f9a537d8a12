// The Lambda Runtime API (2018-06-01) as Lambda serves it to one execution
// environment: the runtime long-polls `/invocation/next`, gets one event with
// its `Lambda-Runtime-*` headers, and posts `/response` or `/error` for it;
// `/init/error` if the handler never loaded. The runtime client only takes a
// host:port (AWS_LAMBDA_RUNTIME_API), so each environment gets its own small
// server on 127.0.0.1 with an OS-chosen port.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';
/** Lambda's synchronous response payload limit. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Init and error bodies are small; a runtime that sends more is broken. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

export interface InvokeRequest {
  /** Defaults to a fresh UUID, as Lambda's request ids are. */
  readonly requestId?: string;
  /**
   * The invocation's time budget. The deadline header is computed when the
   * runtime receives the event (after a cold start's init), as on Lambda.
   */
  readonly timeoutMs: number;
  /** `Lambda-Runtime-Trace-Id`: the X-Ray header the runtime exports as `_X_AMZN_TRACE_ID`. */
  readonly traceHeader?: string;
  readonly invokedFunctionArn: string;
  /** JSON text, as the Invoke API's base64-decoded ClientContext. */
  readonly clientContext?: string;
  /** JSON text of the Cognito identity. */
  readonly cognitoIdentity?: string;
}

export interface LambdaError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export type InvocationResult =
  | { readonly kind: 'response'; readonly requestId: string; readonly payload: unknown }
  | ({ readonly kind: 'error'; readonly requestId: string } & LambdaError)
  | ({ readonly kind: 'init-error'; readonly requestId: string } & LambdaError);

/** What happened on the API, for the environment to time and log it. */
export interface RuntimeApiHooks {
  /** The runtime asked for its first event: the init phase is over. No event is handed out before this settles. */
  onInitDone?(atMs: number): void | Promise<void>;
  /** The runtime reported that init failed. Waiting invocations fail after this settles. */
  onInitError?(error: LambdaError, atMs: number): void | Promise<void>;
  /** An event was handed to the runtime: the invocation's clock starts. */
  onInvocationStart?(requestId: string, atMs: number, deadlineMs: number): void;
}

export interface RuntimeApi {
  /** `127.0.0.1:<port>`, the value for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** True once the runtime has polled `/next` (init succeeded). */
  readonly initDone: boolean;
  /**
   * Queues an event; resolves when the runtime posts its response or error,
   * when init fails, or when the invocation is ended with `abandon`.
   */
  invoke(event: unknown, request: InvokeRequest): Promise<InvocationResult>;
  /**
   * Ends every queued or running invocation with a result of the caller's
   * choosing (a timeout, a crashed runtime); the runtime's later posts for them
   * are refused. `make` builds each one's result from its request id.
   */
  abandonAll(make: (requestId: string, started: boolean) => InvocationResult): void;
  close(): Promise<void>;
}

interface Pending {
  readonly requestId: string;
  readonly body: string;
  readonly request: InvokeRequest;
  readonly resolve: (r: InvocationResult) => void;
  started: boolean;
}

export async function startRuntimeApi(hooks: RuntimeApiHooks = {}): Promise<RuntimeApi> {
  const queue: Pending[] = [];
  const running = new Map<string, Pending>();
  let waitingNext: ServerResponse | undefined;
  let initDone = false;
  let initError: LambdaError | undefined;
  let closed = false;

  function settle(p: Pending, result: InvocationResult): void {
    running.delete(p.requestId);
    const i = queue.indexOf(p);
    if (i >= 0) queue.splice(i, 1);
    p.resolve(result);
  }

  function failAllWithInitError(error: LambdaError): void {
    for (const p of [...queue, ...running.values()]) settle(p, { kind: 'init-error', requestId: p.requestId, ...error });
  }

  function handOut(): void {
    if (waitingNext === undefined || queue.length === 0) return;
    const p = queue.shift()!;
    const res = waitingNext;
    waitingNext = undefined;
    const now = Date.now();
    const deadlineMs = now + p.request.timeoutMs;
    p.started = true;
    running.set(p.requestId, p);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': p.requestId,
      'lambda-runtime-deadline-ms': String(deadlineMs),
      'lambda-runtime-invoked-function-arn': p.request.invokedFunctionArn,
    };
    if (p.request.traceHeader !== undefined) headers['lambda-runtime-trace-id'] = p.request.traceHeader;
    if (p.request.clientContext !== undefined) headers['lambda-runtime-client-context'] = p.request.clientContext;
    if (p.request.cognitoIdentity !== undefined) headers['lambda-runtime-cognito-identity'] = p.request.cognitoIdentity;
    hooks.onInvocationStart?.(p.requestId, now, deadlineMs);
    res.writeHead(200, headers).end(p.body);
  }

  function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      req.resume();
      if (!initDone) {
        initDone = true;
        await hooks.onInitDone?.(Date.now());
      }
      if (res.destroyed || closed) return;
      if (waitingNext !== undefined) {
        // One runtime, one poller: a second concurrent poll is a broken runtime.
        return reply(res, 400, { errorType: 'InvalidRequest', errorMessage: 'another /next request is already waiting' });
      }
      waitingNext = res;
      res.on('close', () => {
        if (waitingNext === res) waitingNext = undefined;
      });
      return handOut();
    }
    if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
      const text = await readBody(req, MAX_ERROR_BODY_BYTES);
      const error = parseError(text ?? '', req.headers['lambda-runtime-function-error-type']);
      initError = error;
      reply(res, 202, { status: 'OK' });
      await hooks.onInitError?.(error, Date.now());
      return failAllWithInitError(error);
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && m !== null) {
      const requestId = decodeURIComponent(m[1]!);
      const p = running.get(requestId);
      if (p === undefined) {
        req.resume();
        return reply(res, 400, { errorType: 'InvalidRequestID', errorMessage: `no invocation ${requestId} is in flight` });
      }
      if (m[2] === 'response') {
        const text = await readBody(req, MAX_RESPONSE_BYTES);
        if (text === undefined) {
          reply(res, 413, { errorType: 'RequestEntityTooLarge', errorMessage: `response exceeds ${MAX_RESPONSE_BYTES} bytes` });
          return settle(p, {
            kind: 'error',
            requestId,
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
            trace: [],
          });
        }
        reply(res, 202, { status: 'OK' });
        return settle(p, { kind: 'response', requestId, payload: parsePayload(text) });
      }
      const text = await readBody(req, MAX_ERROR_BODY_BYTES);
      reply(res, 202, { status: 'OK' });
      return settle(p, { kind: 'error', requestId, ...parseError(text ?? '', req.headers['lambda-runtime-function-error-type']) });
    }
    req.resume();
    reply(res, 404, { errorType: 'NotFound', errorMessage: `${req.method} ${url} is not a Runtime API route` });
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) reply(res, 500, { errorType: 'ServerError', errorMessage: String(err) });
    });
  });
  // The /next poll waits as long as the environment is idle.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  function abandonAll(make: (requestId: string, started: boolean) => InvocationResult): void {
    for (const p of [...running.values(), ...queue]) settle(p, make(p.requestId, p.started));
  }

  return {
    address: `127.0.0.1:${port}`,
    get initDone() {
      return initDone;
    },
    invoke(event, request) {
      return new Promise<InvocationResult>((resolve) => {
        const requestId = request.requestId ?? randomUUID();
        if (initError !== undefined) return resolve({ kind: 'init-error', requestId, ...initError });
        if (closed) {
          return resolve({ kind: 'error', requestId, errorType: 'Runtime.Closed', errorMessage: 'the execution environment is shut down', trace: [] });
        }
        // The runtime sees the event as JSON, as the Invoke API's payload; `undefined` is sent as `null`.
        const body = JSON.stringify(event === undefined ? null : event);
        queue.push({ requestId, body, request, resolve, started: false });
        handOut();
      });
    },
    abandonAll,
    async close() {
      if (closed) return;
      closed = true;
      abandonAll((requestId) => ({
        kind: 'error',
        requestId,
        errorType: 'Runtime.Closed',
        errorMessage: 'the execution environment was shut down before the invocation finished',
        trace: [],
      }));
      waitingNext?.destroy();
      waitingNext = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Reads a request body as UTF-8; undefined when it is larger than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      if (!over) chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parsePayload(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    // Runtimes may post non-JSON bodies; the caller gets them as they came.
    return text;
  }
}

/** The runtime's error document (`{errorType, errorMessage, trace}`), tolerant of what a broken runtime sends. */
export function parseError(text: string, typeHeader: string | string[] | undefined): LambdaError {
  const headerType = Array.isArray(typeHeader) ? typeHeader[0] : typeHeader;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const o = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  return {
    errorType: typeof o.errorType === 'string' ? o.errorType : (headerType ?? 'Runtime.Unknown'),
    errorMessage: typeof o.errorMessage === 'string' ? o.errorMessage : text,
    trace: Array.isArray(o.trace) ? o.trace.map(String) : Array.isArray(o.stackTrace) ? o.stackTrace.map(String) : [],
  };
}
