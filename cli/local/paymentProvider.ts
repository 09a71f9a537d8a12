// A local server standing in for an outside payment provider
// (POST /v1/charges), so the sample app makes a real third-party HTTP call.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface PaymentProvider {
  readonly url: string;
  readonly charges: () => number;
  close(): Promise<void>;
}

export async function startPaymentProvider(opts: { latencyMs?: number } = {}): Promise<PaymentProvider> {
  let charges = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/charges') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      let body: { amount?: number } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { amount?: number };
      } catch {
        // answered below
      }
      setTimeout(() => {
        if (!(typeof body.amount === 'number' && body.amount > 0)) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"amount required"}');
          return;
        }
        charges++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: `ch_${randomBytes(8).toString('hex')}`, amount: body.amount, status: 'succeeded' }));
      }, opts.latencyMs ?? 15);
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    charges: () => charges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
