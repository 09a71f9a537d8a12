// Steady open-loop traffic against the sample app's front door: a request
// every 1/rps seconds whatever the previous ones are doing (as real users
// arrive), each with its own W3C trace id so a failed one can be followed.
import { randomBytes } from 'node:crypto';
import type { Outcome } from './windowStats.js';

export interface TrafficOutcome extends Outcome {
  readonly status: number;
  readonly traceId: string;
}

export interface Traffic {
  readonly outcomes: TrafficOutcome[];
  inflight(): number;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

export function startTraffic(opts: { url: string; rps: number; maxInflight?: number; timeoutMs?: number }): Traffic {
  const outcomes: TrafficOutcome[] = [];
  const pending = new Set<Promise<void>>();
  const maxInflight = opts.maxInflight ?? 100;
  let n = 0;
  let stopped = false;

  function fire() {
    if (pending.size >= maxInflight) return;
    const traceId = randomBytes(16).toString('hex');
    const started = Date.now();
    const customer = `c-${(n++ % 25).toString().padStart(3, '0')}`;
    const p = fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      body: JSON.stringify({ customerId: customer, amount: 5 + (n % 50) }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      })
      .catch(() => 0)
      .then((status) => {
        outcomes.push({ atMs: started, ok: status === 201, latencyMs: Date.now() - started, status, traceId });
      });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  const interval = Math.max(1, Math.round(1000 / opts.rps));
  const timer = setInterval(() => {
    if (!stopped) fire();
  }, interval);
  fire();
  return {
    outcomes,
    inflight: () => pending.size,
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
