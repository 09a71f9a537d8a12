// Finds and loads the function's own handler for attach modes 1 and 2, the way
// Lambda's Node.js runtime does: `<path/to/module>.<export>[.<nested>]` under
// LAMBDA_TASK_ROOT, CommonJS or ES module.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LambdaHandler } from './types.js';

/** Fails the init: the runtime reports it as an init error. Named like the runtime's own errors. */
export class HandlerLoadError extends Error {
  constructor(
    override readonly name: 'Runtime.MalformedHandlerName' | 'Runtime.ImportModuleError' | 'Runtime.HandlerNotFound' | 'Runtime.UserCodeSyntaxError',
    message: string,
  ) {
    super(message);
  }
}

export interface HandlerSpec {
  /** Module path without extension, relative to the task root (or absolute). */
  readonly modulePath: string;
  /** Export path: `handler`, or `handlers.main` for a nested property. */
  readonly exportPath: readonly string[];
}

/** Pure: `src/api/index.handler` → { modulePath: 'src/api/index', exportPath: ['handler'] }. */
export function parseHandlerString(text: string | undefined): HandlerSpec {
  if (text === undefined || text.trim() === '') {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      'FAULTLINE_HANDLER is not set: expected the function\'s own handler as <file>.<export>, e.g. index.handler or src/api/index.handler',
    );
  }
  const slash = text.lastIndexOf('/');
  const dot = text.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === text.length - 1) {
    throw new HandlerLoadError(
      'Runtime.MalformedHandlerName',
      `handler "${text}": expected <file>.<export>, e.g. index.handler or src/api/index.handler`,
    );
  }
  return { modulePath: text.slice(0, dot), exportPath: text.slice(dot + 1).split('.') };
}

const EXTENSIONS = ['.js', '.mjs', '.cjs'] as const;

/** The file Lambda would load for a module path, in its order of preference. */
export function resolveModuleFile(taskRoot: string, modulePath: string): { file: string | undefined; tried: string[] } {
  const base = isAbsolute(modulePath) ? modulePath : resolve(taskRoot, modulePath);
  const tried: string[] = [];
  for (const ext of EXTENSIONS) {
    const file = base + ext;
    tried.push(file);
    if (existsSync(file)) return { file, tried };
  }
  return { file: undefined, tried };
}

function pick(mod: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = mod;
  for (const key of path) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export async function loadHandler(taskRoot: string, handlerString: string | undefined): Promise<LambdaHandler> {
  const spec = parseHandlerString(handlerString);
  const { file, tried } = resolveModuleFile(taskRoot, spec.modulePath);
  if (file === undefined) {
    throw new HandlerLoadError(
      'Runtime.ImportModuleError',
      `Cannot find module '${spec.modulePath}' for handler ${handlerString}: looked for ${tried.join(', ')}`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new HandlerLoadError('Runtime.UserCodeSyntaxError', `${file}: ${err.message}`);
    }
    throw err;
  }
  // CommonJS modules whose exports the ESM loader could not see statically sit under `default`.
  let fn = pick(mod, spec.exportPath);
  if (fn === undefined && mod.default !== undefined) fn = pick(mod.default as Record<string, unknown>, spec.exportPath);
  if (typeof fn !== 'function') {
    const exported = Object.keys(mod).filter((k) => k !== 'default');
    throw new HandlerLoadError(
      'Runtime.HandlerNotFound',
      `${spec.modulePath}.${spec.exportPath.join('.')} is ${fn === undefined ? 'undefined or not exported' : `not a function (${typeof fn})`}` +
        ` in ${file}` +
        (exported.length ? ` (it exports: ${exported.join(', ')})` : ''),
    );
  }
  return fn as LambdaHandler;
}
