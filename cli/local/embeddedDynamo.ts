// The embedded DynamoDB-compatible server of the local mode: dynalite,
// in-process, in memory, on 127.0.0.1.
import dynalite from 'dynalite';
import type { AddressInfo } from 'node:net';

export interface EmbeddedDynamo {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startEmbeddedDynamo(): Promise<EmbeddedDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
