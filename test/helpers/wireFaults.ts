// The wire-test harness: a real server on 127.0.0.1 (OS-picked port), in-memory
// OpenTelemetry, and the outgoing instrumentation with a FakeEngine's fault hook.
// `useWireFaults` registers, in the suite that calls it, the hooks that start
// all three before its tests, reset them before each, and stop them after.
import { after, before, beforeEach } from 'node:test';
import { installOutgoingInstrumentation } from '../../src/instrument/index.js';
import { createWireFaultHook } from '../../src/chaos/wire/index.js';
import { FakeEngine, setupOtel, type TestOtel } from '../instrument/otel.js';

export interface WireFaults<S> {
  /** The server the calls go to (set once the suite's `before` has run). */
  readonly server: S;
  readonly otel: TestOtel;
  readonly engine: FakeEngine;
}

export interface WireFaultsOptions<S> {
  /** Forgets what the server saw, before each test (the engine and the span exporter are always reset). */
  readonly reset?: (server: S) => void;
  /** Runs after everything is started (tables to create, clients to build). */
  readonly setUp?: (server: S) => Promise<void> | void;
  /** Runs before anything is stopped (clients to destroy). */
  readonly tearDown?: () => void;
}

export function useWireFaults<S extends { close(): Promise<void> }>(start: () => Promise<S>, opts: WireFaultsOptions<S> = {}): WireFaults<S> {
  const engine = new FakeEngine();
  let server: S | undefined;
  let otel: TestOtel | undefined;
  let uninstall: (() => void) | undefined;
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useWireFaults: read before the suite started');
    return v;
  };
  before(async () => {
    server = await start();
    otel = setupOtel();
    uninstall = installOutgoingInstrumentation({ tracer: otel.tracer, faultHook: createWireFaultHook(engine) });
    await opts.setUp?.(server);
  });
  after(async () => {
    opts.tearDown?.();
    uninstall?.();
    await otel?.shutdown();
    await server?.close();
  });
  beforeEach(() => {
    engine.reset();
    otel?.exporter.reset();
    if (server !== undefined) opts.reset?.(server);
  });
  return {
    engine,
    get server() {
      return started(server);
    },
    get otel() {
      return started(otel);
    },
  };
}
