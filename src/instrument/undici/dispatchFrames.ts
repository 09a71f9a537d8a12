// The async-context frame a call through npm undici's own dispatchers was
// dispatched in. undici makes a request (and publishes
// `undici:request:create`) inside the dispatch when a connection is free,
// but a pool at its connection limit queues the call and makes its request
// when another call frees a connection: in that call's async context, which
// may be another invocation's. So every dispatch through undici's
// DispatcherBase (Agent, Pool, Client, BalancedPool…: the pool's drain
// dispatches to a Client through it too) records the frame it was called in
// by its handler, and a request made inside a dispatch takes that frame.
// The classes are found where faultline meets them first: undici's own
// module as it loads (Module._load), the global dispatcher, and a
// dispatcher given to fetch.
import Module from 'node:module';
import { sep } from 'node:path';
import type { Context } from '@opentelemetry/api';
import { frames, type Frame } from '../../invocationState.js';
import { DISPATCHER_BASE_MODULE, dispatcherBaseOf } from '../../undiciInternals.js';

interface DispatchFn {
  (this: unknown, opts: unknown, handler: unknown): unknown;
}

const PATCHED = Symbol.for('faultline.undiciDispatchFrames');

/** Where a call was dispatched: its frame (undefined outside any invocation) and its active OpenTelemetry context. */
export interface DispatchSite {
  readonly frame: Frame | undefined;
  readonly context: Context;
}

export interface DispatchFrames {
  /** The site of the patched dispatch in progress, if any. */
  readonly site: DispatchSite | undefined;
  /** Patches the DispatcherBase behind `dispatcher`, if it is undici's and not patched yet. */
  adopt(dispatcher: object): void;
  uninstall(): void;
}

/**
 * `skip()`: the dispatch belongs to one of faultline's own wrappers, which
 * trace the call themselves, so nothing need be recorded. `contextOf`: the
 * active OpenTelemetry context, given the frame.
 */
export function trackDispatchFrames(skip: () => boolean, contextOf: (frame: Frame | undefined) => Context): DispatchFrames {
  // The handler a queued call waits with, to the site of its first dispatch.
  const byHandler = new WeakMap<object, DispatchSite>();
  const undo: (() => void)[] = [];
  let current: DispatchSite | undefined;

  const patch = (base: object & { dispatch: DispatchFn }) => {
    const holder = base as unknown as Record<symbol, unknown>;
    if (holder[PATCHED] !== undefined) return;
    const original = base.dispatch;
    const dispatch: DispatchFn = function (this: unknown, opts, handler) {
      if (skip()) return original.call(this, opts, handler);
      const keyed = typeof handler === 'object' && handler !== null;
      if (current !== undefined) {
        // Inside the outer dispatch (an Agent handing the call to its Pool): the handler the pool may queue.
        if (keyed) byHandler.set(handler, current);
        return original.call(this, opts, handler);
      }
      let site = keyed ? byHandler.get(handler) : undefined;
      if (site === undefined) {
        const frame = frames.getStore();
        site = { frame, context: contextOf(frame) };
        if (keyed) byHandler.set(handler, site);
      }
      current = site;
      try {
        return original.call(this, opts, handler);
      } finally {
        current = undefined;
      }
    };
    Object.defineProperty(base, 'dispatch', { value: dispatch, writable: true, configurable: true });
    holder[PATCHED] = true;
    undo.push(() => {
      if (base.dispatch === dispatch) Object.defineProperty(base, 'dispatch', { value: original, writable: true, configurable: true });
      holder[PATCHED] = undefined;
    });
  };

  const adopt = (dispatcher: object) => {
    try {
      const base = dispatcherBaseOf<DispatchFn>(Object.getPrototypeOf(dispatcher) as object | null);
      if (base !== undefined) patch(base);
    } catch {
      // an exotic dispatcher: its requests keep the context they are made in
    }
  };

  // undici's lib/dispatcher/dispatcher-base.js, as undici (any copy, any version that has it) loads.
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const originalLoad = m._load;
  const load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
    const mod = Reflect.apply(originalLoad, this, [request, ...rest]);
    if (typeof request === 'string' && request.endsWith(DISPATCHER_BASE_MODULE) && typeof mod === 'function') {
      const proto = (mod as { prototype?: unknown }).prototype;
      if (typeof proto === 'object' && proto !== null) adopt(Object.create(proto) as object);
    }
    return mod;
  };
  m._load = load;
  // Or already loaded, before faultline was installed.
  const cache = (Module as unknown as { _cache?: Record<string, { exports?: unknown } | undefined> })._cache ?? {};
  for (const file in cache) {
    if (!file.endsWith(`dispatcher${sep}${DISPATCHER_BASE_MODULE}.js`)) continue;
    const proto = (cache[file]?.exports as { prototype?: unknown } | undefined)?.prototype;
    if (typeof proto === 'object' && proto !== null) adopt(Object.create(proto) as object);
  }
  undo.push(() => {
    if (m._load === load) m._load = originalLoad;
  });

  return {
    get site() {
      return current;
    },
    adopt,
    uninstall() {
      for (const u of undo.splice(0)) u();
    },
  };
}
