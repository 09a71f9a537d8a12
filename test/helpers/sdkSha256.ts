// The hash class the SDK's SignatureV4 wants, over node:crypto: tests sign a
// request with the SDK's own signer as the reference for faultline's.
import { createHash, createHmac } from 'node:crypto';

export class NodeSha256 {
  private readonly hash;
  constructor(secret?: unknown) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as string | Uint8Array);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}
