// Instruments a built-in module once the function has loaded it, without
// loading it ourselves. node:https alone (with tls and crypto behind it) is
// a noticeable part of every cold start (docs/benchmarks.md), and a function that only calls fetch, or
// only plain http, never needs it.
//
// A module is noticed when it is required through CommonJS (Module._load, at
// once, before the caller gets it) and, for ES module imports, by reading
// `process.moduleLoadList` at the points faultline runs anyway: install,
// wrap() (after the function's module has loaded) and the start of every
// invocation (checkBuiltins). Patching late is enough for ES importers too:
// syncBuiltinESMExports updates their live bindings.
import Module from 'node:module';

interface Watch {
  readonly name: string;
  readonly onLoad: (mod: unknown) => void;
  done: boolean;
}

const watches: Watch[] = [];
/** Entries of process.moduleLoadList already read. */
let scanned = 0;
let restoreLoad: (() => void) | undefined;

const loadList = (): readonly string[] | undefined => (process as { moduleLoadList?: readonly string[] }).moduleLoadList;

function builtin(name: string): unknown {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return get !== undefined ? get(`node:${name}`) : Module.createRequire(import.meta.url)(`node:${name}`);
}

function fire(w: Watch, mod: unknown): void {
  if (w.done) return;
  w.done = true;
  try {
    w.onLoad(mod);
  } catch {
    // instrumentation must never fail the function's own require
  }
  if (watches.every((x) => x.done)) restoreLoad?.();
}

/** Instruments any watched module the process has loaded since the last check. Cheap when nothing is new. */
export function checkBuiltins(): void {
  const list = loadList();
  if (list === undefined || list.length === scanned || watches.length === 0) return;
  for (let i = scanned; i < list.length; i++) {
    const entry = list[i]!;
    for (const w of watches) if (!w.done && entry === `NativeModule ${w.name}`) fire(w, builtin(w.name));
  }
  scanned = list.length;
}

function hookRequire(): void {
  if (restoreLoad !== undefined) return;
  const m = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = m._load;
  const load = function (this: unknown, request: string, ...rest: unknown[]): unknown {
    const mod = Reflect.apply(original, this, [request, ...rest]);
    if (typeof request === 'string') {
      for (const w of watches) if (!w.done && (request === w.name || request === `node:${w.name}`)) fire(w, mod);
    }
    return mod;
  };
  m._load = load;
  restoreLoad = () => {
    if (m._load === load) m._load = original;
    restoreLoad = undefined;
  };
}

/**
 * Calls `onLoad(module)` once, as soon as the built-in `name` is seen loaded
 * (at once when it already is). Returns the undo.
 */
export function whenBuiltinLoaded(name: string, onLoad: (mod: unknown) => void): () => void {
  const list = loadList();
  // Without the load list (not a Node.js we know), load it now rather than miss its calls.
  if (list === undefined || list.includes(`NativeModule ${name}`)) {
    onLoad(builtin(name));
    return () => {};
  }
  const w: Watch = { name, onLoad, done: false };
  watches.push(w);
  hookRequire();
  return () => {
    w.done = true;
    const i = watches.indexOf(w);
    if (i !== -1) watches.splice(i, 1);
    if (watches.length === 0) restoreLoad?.();
  };
}
