// Outgoing calls through Node's http/https (`request` and `get`), which is
// also where a function's own bundled AWS SDK v3 goes out (NodeHttpHandler,
// keep-alive agent): a client span per call, `traceparent` on the request, and
// the fault hook asked once per call.
import type http from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { frames } from '../invocationState.js';
import { awsCallOf, protocolOfRequest, type AwsCall, type HeaderBag } from './awsCall.js';
import {
  endClientSpan,
  nameOperation,
  recordError,
  recordResponse,
  startClientSpan,
  type ClientSpan,
} from './clientSpan.js';
import { descriptorOf, type CallDescriptor, type FaultHook, type HttpFaultPlan, type OutgoingCall } from '../seam.js';
import type { InstrumentationDeps } from './deps.js';
import { whenBuiltinLoaded } from './builtinWatch.js';
import { injectTraceHeaders } from './traceHeaders.js';

type RequestFn = (...args: unknown[]) => ClientRequest;

/** Where the call goes, read from the request arguments without changing them. */
interface HttpTarget extends Pick<OutgoingCall, 'protocol' | 'host' | 'port' | 'method' | 'path' | 'headers'> {
  /** Index of the options object in the arguments, or -1 when only a URL was given. */
  readonly optionsIndex: number;
}

/** Lower-case header names; the same object when they already are (the AWS SDK's case). */
export function lowerCaseHeaders(headers: unknown): HeaderBag {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) return EMPTY_HEADERS;
  const h = headers as Record<string, string | number | string[] | undefined>;
  let copy: Record<string, string | number | string[] | undefined> | undefined;
  for (const k in h) {
    const lower = k.toLowerCase();
    if (lower !== k && copy === undefined) {
      copy = {};
      for (const k2 in h) copy[k2.toLowerCase()] = h[k2];
      break;
    }
  }
  return copy ?? h;
}

const EMPTY_HEADERS: HeaderBag = Object.freeze({});

function isUrl(v: unknown): v is URL {
  return v instanceof URL;
}

/** Reads the request arguments of `http.request(url?, options?, cb?)`; undefined when they are not understood. */
export function describeHttpArgs(args: readonly unknown[], defaultProtocol: string): HttpTarget | undefined {
  const first = args[0];
  let url: URL | undefined;
  let options: RequestOptions | undefined;
  let optionsIndex = -1;
  if (typeof first === 'string') url = new URL(first);
  else if (isUrl(first)) url = first;
  if (url !== undefined) {
    const second = args[1];
    if (second !== null && typeof second === 'object') {
      options = second as RequestOptions;
      optionsIndex = 1;
    }
  } else if (first !== null && typeof first === 'object') {
    options = first as RequestOptions;
    optionsIndex = 0;
  } else {
    return undefined;
  }
  const agentProtocol = (options?.agent as { protocol?: string } | undefined)?.protocol;
  const protocol = options?.protocol ?? url?.protocol ?? agentProtocol ?? defaultProtocol;
  let host = options?.hostname ?? options?.host ?? (url !== undefined ? url.hostname : 'localhost');
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const rawPort = options?.port ?? (url !== undefined && url.port !== '' ? url.port : undefined) ?? options?.defaultPort;
  const port = rawPort !== undefined && rawPort !== null && rawPort !== '' ? Number(rawPort) : protocol === 'https:' ? 443 : 80;
  const path = options?.path ?? (url !== undefined ? url.pathname + url.search : '/');
  const method = (options?.method ?? 'GET').toUpperCase();
  return { protocol, host, port, method, path, headers: lowerCaseHeaders(options?.headers), optionsIndex };
}

const requestSetter: TextMapSetter<ClientRequest> = {
  set(req, key, value) {
    req.setHeader(key, value);
  },
};

/** Arguments with some request options replaced, e.g. the connection (the agent bypassed for this one call). */
function withOption(args: unknown[], optionsIndex: number, override: Record<string, unknown>): unknown[] {
  const out = args.slice();
  if (optionsIndex >= 0) out[optionsIndex] = { ...(args[optionsIndex] as object), ...override };
  else out.splice(1, 0, override);
  return out;
}

/** Query protocol names the operation in the form body: read it from the first body the caller writes. */
function watchBodyForOperation(req: ClientRequest, target: HttpTarget, cs: ClientSpan): void {
  const end = req.end;
  req.end = function (this: ClientRequest, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) {
      const body = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('latin1');
      const aws = awsCallOf({ host: target.host, method: target.method, path: target.path, headers: target.headers, body });
      if (aws !== undefined) nameOperation(cs, aws);
    }
    return Reflect.apply(end, this, [chunk, ...rest]) as ClientRequest;
  } as typeof req.end;
}

/** The fault plan of a request; set late when the decision waits for the body. */
interface PlanSlot {
  plan: HttpFaultPlan | undefined;
}

/** Records the outcome on the span, and lets the fault plan see the response first. */
function observe(req: ClientRequest, cs: ClientSpan | undefined, isAws: boolean, slot: PlanSlot): void {
  const emit = req.emit;
  let responded = false;
  const end = () => {
    if (cs !== undefined) endClientSpan(cs);
  };
  req.emit = function (this: ClientRequest, event: string | symbol) {
    if (event === 'response') {
      responded = true;
      const res = arguments[1] as IncomingMessage;
      if (cs !== undefined) {
        recordResponse(cs, res.statusCode ?? 0, res.headers, isAws);
        // `on`, not `once`: ending is idempotent, and no wrapper is allocated per call.
        res.on('end', end);
        res.on('close', end);
        res.once('error', (err) => {
          recordError(cs, err);
          end();
        });
      }
      slot.plan?.onResponse?.(res);
    } else if (event === 'error') {
      if (cs !== undefined) recordError(cs, arguments[1]);
      end();
    } else if (event === 'close' && !responded) {
      end();
    }
    return Reflect.apply(emit, this, arguments) as boolean;
  } as typeof req.emit;
}

function outgoingCall(target: HttpTarget, aws: AwsCall | undefined, descriptor: CallDescriptor, cs: ClientSpan | undefined): OutgoingCall {
  return {
    descriptor,
    transport: 'http',
    protocol: target.protocol,
    host: target.host,
    port: target.port,
    method: target.method,
    path: target.path,
    headers: target.headers,
    aws,
    span: cs?.span,
  };
}

/** Asks the hook about a call; a broken hook never breaks the call. */
function planFor(hook: FaultHook, target: HttpTarget, aws: AwsCall | undefined, cs: ClientSpan | undefined): HttpFaultPlan | undefined {
  try {
    const descriptor = descriptorOf(target.host, target.path, aws);
    const decision = hook.decide(descriptor);
    return decision === undefined ? undefined : hook.planHttp(decision, outgoingCall(target, aws, descriptor, cs));
  } catch {
    return undefined;
  }
}

type HttpAgentLike = { addRequest(req: ClientRequest, options: unknown): void };

/** The agent a request would use, or undefined when it uses none (agent: false, or its own connection). */
function agentOf(args: readonly unknown[], target: HttpTarget): HttpAgentLike | undefined {
  const options = target.optionsIndex >= 0 ? (args[target.optionsIndex] as RequestOptions) : undefined;
  if (options?.createConnection !== undefined || options?.socketPath !== undefined) return undefined;
  const agent = options?.agent;
  if (agent === false) return undefined;
  if (agent !== undefined && agent !== null) return typeof (agent as Partial<HttpAgentLike>).addRequest === 'function' ? (agent as unknown as HttpAgentLike) : undefined;
  const mod = target.protocol === 'https:' ? httpsModule : httpModule;
  return mod?.globalAgent as unknown as HttpAgentLike | undefined;
}

/**
 * Query-protocol AWS calls (SNS, STS, …) name their operation only in the
 * body, written after the request is created. Such a request is held from its
 * agent until the caller first writes (or the next turn of the event loop),
 * then the hook decides with the operation known, and the request goes to its
 * agent or to the fault's connection.
 */
function decideAtFirstWrite(
  req: ClientRequest,
  pending: { options: unknown; agent: HttpAgentLike; queued: boolean },
  decide: (body: string | undefined) => HttpFaultPlan | undefined,
  slot: PlanSlot,
): void {
  const names = ['write', 'end', 'flushHeaders'] as const;
  const r = req as unknown as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  const own = names.map((n) => (Object.prototype.hasOwnProperty.call(r, n) ? r[n] : undefined));
  let settled = false;
  const settle = (body: string | undefined) => {
    if (settled) return;
    settled = true;
    names.forEach((n, i) => {
      if (own[i] === undefined) delete r[n];
      else r[n] = own[i];
    });
    const plan = decide(body);
    slot.plan = plan;
    if (req.destroyed) return;
    if (plan?.createConnection !== undefined) {
      const timeout = (pending.options as { timeout?: number } | undefined)?.timeout;
      req.onSocket(plan.createConnection({ timeout }) as never);
    } else if (pending.queued) {
      pending.agent.addRequest(req, pending.options);
    }
    plan?.onRequest?.(req);
  };
  for (const n of names) {
    r[n] = function (this: ClientRequest, ...args: unknown[]) {
      const chunk = args[0];
      const body =
        typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('latin1') : undefined;
      settle(body);
      return Reflect.apply(r[n]!, this, args);
    };
  }
  setImmediate(() => settle(undefined));
}

export function wrapRequest(original: RequestFn, defaultProtocol: string, deps: InstrumentationDeps): RequestFn {
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    const frame = frames.getStore();
    const ctx = deps.activeContext(frame);
    if (isTracingSuppressed(ctx)) return Reflect.apply(original, this, args) as ClientRequest;
    let target: HttpTarget | undefined;
    try {
      target = describeHttpArgs(args, defaultProtocol);
    } catch {
      target = undefined; // bad arguments: let Node raise its own error
    }
    if (target === undefined) return Reflect.apply(original, this, args) as ClientRequest;

    const aws = awsCallOf(target);
    const cs = deps.tracer === undefined ? undefined : startClientSpan(deps.tracer, ctx, target, aws, deps.redactor, frame?.invocation);
    const hook = deps.faultHook();
    const slot: PlanSlot = { plan: undefined };
    let callArgs = args;
    let deferred: { options: unknown; agent: HttpAgentLike; queued: boolean } | undefined;
    if (hook !== undefined) {
      const realAgent =
        aws !== undefined && aws.operation === undefined && target.method === 'POST' && protocolOfRequest(aws.service, target.headers) === 'query'
          ? agentOf(args, target)
          : undefined;
      if (realAgent !== undefined) {
        const pending = { options: undefined as unknown, agent: realAgent, queued: false };
        const holding = Object.create(realAgent as object) as HttpAgentLike;
        holding.addRequest = (_req, options) => {
          pending.options = options;
          pending.queued = true;
        };
        callArgs = withOption(args, target.optionsIndex, { agent: holding });
        deferred = pending;
      } else {
        slot.plan = planFor(hook, target, aws, cs);
        if (slot.plan?.createConnection !== undefined) {
          callArgs = withOption(args, target.optionsIndex, { agent: undefined, createConnection: slot.plan.createConnection });
        }
      }
    }

    let req: ClientRequest;
    try {
      req = Reflect.apply(original, this, callArgs) as ClientRequest;
    } catch (err) {
      if (cs !== undefined) {
        recordError(cs, err);
        endClientSpan(cs);
      }
      throw err;
    }
    if (cs !== undefined) {
      try {
        injectTraceHeaders(ctx, cs.span, req, requestSetter, deps.directW3c);
      } catch {
        // headers already sent (a caller that flushed them synchronously): no traceparent
      }
      if (aws !== undefined && aws.operation === undefined && deferred === undefined) watchBodyForOperation(req, target, cs);
    }
    observe(req, cs, aws !== undefined, slot);
    if (deferred !== undefined && hook !== undefined) {
      const t = target;
      decideAtFirstWrite(
        req,
        deferred,
        (body) => {
          const known = body === undefined ? aws : (awsCallOf({ ...t, body }) ?? aws);
          if (cs !== undefined && known !== undefined) nameOperation(cs, known);
          return planFor(hook, t, known, cs);
        },
        slot,
      );
    } else {
      slot.plan?.onRequest?.(req);
    }
    return req;
  };
}

function wrapGet(request: RequestFn): RequestFn {
  return function get(this: unknown, ...args: unknown[]): ClientRequest {
    const req = Reflect.apply(request, this, args) as ClientRequest;
    req.end();
    return req;
  };
}

interface Patched {
  readonly module: { request: unknown; get: unknown };
  readonly request: unknown;
  readonly get: unknown;
}

/** node:http and node:https once loaded (src/instrument/builtinWatch.ts); on Lambda the runtime client has loaded http already. */
let httpModule: typeof http | undefined;
let httpsModule: typeof https | undefined;

function patchModule(mod: unknown, protocol: string, deps: InstrumentationDeps): Patched {
  const m = mod as { request: RequestFn; get: RequestFn };
  const original = { module: m, request: m.request, get: m.get };
  const request = wrapRequest(m.request, protocol, deps);
  m.request = request;
  m.get = wrapGet(request);
  syncBuiltinESMExports();
  return original;
}

/**
 * Patches `request`/`get` of http and https as soon as they are loaded — at
 * once when they already are, as http is on Lambda — for CommonJS and ES
 * module importers alike. Returns the undo.
 */
export function instrumentHttp(deps: InstrumentationDeps): () => void {
  const patched: Patched[] = [];
  const stopHttp = whenBuiltinLoaded('http', (mod) => {
    httpModule = mod as typeof http;
    patched.push(patchModule(mod, 'http:', deps));
  });
  const stopHttps = whenBuiltinLoaded('https', (mod) => {
    httpsModule = mod as typeof https;
    patched.push(patchModule(mod, 'https:', deps));
  });
  return () => {
    stopHttp();
    stopHttps();
    for (const p of patched) {
      p.module.request = p.request;
      p.module.get = p.get;
    }
    patched.length = 0;
    syncBuiltinESMExports();
  };
}

