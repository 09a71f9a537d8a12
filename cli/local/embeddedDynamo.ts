// The embedded DynamoDB-compatible server of the local mode: dynalite,
// in-process, in memory, on 127.0.0.1. dynalite is not a dependency of an
// installed faultline: it is found beside faultline or in the local mode's cache.
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type dynaliteType from 'dynalite';
import { requireLocalModeDep } from './localModeDeps.js';

export interface EmbeddedDynamo {
  /** For AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startEmbeddedDynamo(): Promise<EmbeddedDynamo> {
  const { default: dynalite } = (await import(pathToFileURL(requireLocalModeDep('dynalite')).href)) as { default: typeof dynaliteType };
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
