// Faults on Node http/https requests: one small function per fault, each
// returning the transport changes (HttpFaultPlan) the instrumentation applies.
// Not the dispatch interceptors of faultInterceptors.ts: node:http hands the
// caller a ClientRequest to write and an IncomingMessage stream, not a dispatch
// over handler callbacks, so the faults change its connection and streams.
import { jitteredDelay } from '../jitter.js';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Corruption, Fault } from '../ruleTypes.js';
import type { HttpFaultPlan, OutgoingCall } from '../../seam.js';
import { cannedOutcome, type CannedOutcome } from './cannedResponse.js';
import { corruptBody, corruptedLength } from './corruptBody.js';
import { hangBudgetMs } from './hangBudget.js';
import { responseBytes } from './httpBytes.js';
import { networkError } from './networkError.js';
import { WireSocket } from './wireSocket.js';
import type { WireEnv } from './wireEnv.js';

function remoteOf(call: OutgoingCall) {
  return { host: call.host, port: call.port, tls: call.protocol === 'https:' };
}

/** Error or recorded response: answered in memory, the server never sees the request. */
export function cannedHttp(outcome: CannedOutcome, call: OutgoingCall): HttpFaultPlan {
  return {
    createConnection: (options) =>
      new WireSocket(
        outcome.kind === 'response'
          ? { kind: 'respond', bytes: responseBytes(outcome.response, call.method) }
          : { kind: 'fail', error: networkError(outcome.code, call.host, call.port) },
        remoteOf(call),
        options.timeout,
      ),
  };
}

/** Holds the request bytes for `delayMs`, then lets the real request go out. */
export function delayHttp(delayMs: number): HttpFaultPlan {
  return {
    onRequest(req: ClientRequest) {
      const held: [(...a: unknown[]) => unknown, unknown[]][] = [];
      const names = ['write', 'end', 'flushHeaders'] as const;
      const r = req as unknown as Record<string, (...a: unknown[]) => unknown>;
      const originals = names.map((n) => r[n]!);
      names.forEach((name, i) => {
        r[name] = function (this: ClientRequest, ...args: unknown[]) {
          held.push([originals[i]!, args]);
          return name === 'write' ? true : this;
        };
      });
      const timer = setTimeout(() => {
        names.forEach((name) => delete r[name]);
        // Restore instance-level wrappers that were there before ours (e.g. the span's body watcher).
        names.forEach((name, i) => {
          if (r[name] !== originals[i]) r[name] = originals[i]!;
        });
        if (req.destroyed) return;
        for (const [fn, args] of held) fn.apply(req, args);
      }, delayMs);
      req.once('close', () => clearTimeout(timer));
    },
  };
}

/** Never answers: the client's own socket timeout fires first, else the budget ends it as ETIMEDOUT. */
export function hangHttp(timeoutMs: number | undefined, call: OutgoingCall, env: WireEnv): HttpFaultPlan {
  const budgetMs = hangBudgetMs(timeoutMs, env.remainingMs());
  return {
    createConnection: (options) =>
      new WireSocket({ kind: 'hang', budgetMs, error: networkError('ETIMEDOUT', call.host, call.port) }, remoteOf(call), options.timeout),
  };
}

/** Lets the real call happen and alters the real body before the caller reads it. */
export function corruptHttp(corruption: Corruption): HttpFaultPlan {
  return {
    onResponse(res: IncomingMessage) {
      const declared = res.headers['content-length'];
      if (declared !== undefined) {
        const next = corruptedLength(corruption, Number(declared));
        if (next === undefined) delete res.headers['content-length'];
        else res.headers['content-length'] = String(next);
      }
      const chunks: Buffer[] = [];
      const push = res.push;
      res.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
        if (chunk === null) {
          const body = corruptBody(Buffer.concat(chunks), corruption);
          if (body.length > 0) push.call(this, body);
          return push.call(this, null);
        }
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk as Uint8Array));
        return true;
      };
    },
  };
}

/** The plan for one decided fault. */
export function planHttpFault(fault: Fault, call: OutgoingCall, env: WireEnv): HttpFaultPlan {
  switch (fault.type) {
    case 'latency':
      return delayHttp(jitteredDelay(fault.latencyMs, fault.jitterMs, env.random));
    case 'timeout':
      return hangHttp(fault.timeoutMs, call, env);
    case 'corrupt':
      return corruptHttp(fault.corruption);
    case 'error':
    case 'respond':
      return cannedHttp(cannedOutcome(fault, call, env.requestId())!, call);
  }
}
