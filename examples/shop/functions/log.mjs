// The shop's own log lines, with their ids as JSON fields (orderId, …) so
// `faultline logs correlate <orderId>` finds them by field. With the faultline
// layer attached (Lambda puts its nodejs/node_modules on NODE_PATH) lines go
// through its logger; without it, one console line per call, fields as JSON.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

async function faultlineLogger() {
  try {
    // ES imports ignore NODE_PATH; require.resolve honours it.
    const path = createRequire(import.meta.url).resolve('faultline');
    return (await import(pathToFileURL(path).href)).logger;
  } catch {
    return undefined;
  }
}

const agent = await faultlineLogger();

const fallback = {
  info: (message, fields) => console.log(message, JSON.stringify(fields ?? {})),
  warn: (message, fields) => console.warn(message, JSON.stringify(fields ?? {})),
  error: (message, fields) => console.error(message, JSON.stringify(fields ?? {})),
  appendKeys: () => {},
};

/** info/warn/error(message, fields) and appendKeys(fields): the faultline logger's shape. */
export const log = agent ?? fallback;
