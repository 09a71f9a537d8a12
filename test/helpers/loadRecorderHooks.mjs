// Resolve hook for loadRecorder.mjs (runs on the module loader's thread).
import { appendFileSync } from 'node:fs';

const log = process.env.FAULTLINE_LOAD_LOG;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (log) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
