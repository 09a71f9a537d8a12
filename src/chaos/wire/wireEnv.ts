// What the wire faults read from the outside world, injectable for tests.
import { randomUUID } from 'node:crypto';
import { remainingMs } from '../../invocationState.js';

export interface WireEnv {
  /** Milliseconds the current invocation has left (Infinity outside one). */
  remainingMs(): number;
  random(): number;
  /** A request id for canned AWS responses. */
  requestId(): string;
}

export const defaultWireEnv: WireEnv = {
  remainingMs: () => remainingMs(),
  random: Math.random,
  requestId: () => randomUUID(),
};
