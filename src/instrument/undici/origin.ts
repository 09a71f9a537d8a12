// A request's origin as a span needs it, parsed once per origin string: calls
// mostly repeat a few origins.
import { serviceFromHost } from '../awsCall.js';

/** What a span needs of a request's origin. */
export interface Origin {
  readonly protocol: string;
  /** Without the brackets of an IPv6 literal. */
  readonly host: string;
  readonly port: number;
  /** An AWS endpoint (awsCall.serviceFromHost), decided once per origin. */
  readonly awsHost: boolean;
}

export function originOfUrl(u: URL): Origin {
  const protocol = u.protocol;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { protocol, host, port: u.port !== '' ? Number(u.port) : protocol === 'https:' ? 443 : 80, awsHost: serviceFromHost(host) !== undefined };
}

// By origin string: calls mostly repeat a few origins, and a URL's getters build new strings each time.
const originCache = new Map<string, Origin>();
// And the last one: comparing with it is cheaper than hashing the new string undici builds for every call.
let lastOrigin: string | undefined;
let lastParsed: Origin | undefined;

/** The request's origin, or undefined when it has none; throws on one that is not a URL. */
export function parseOrigin(origin: string | URL | undefined): Origin | undefined {
  if (origin === undefined) return undefined;
  if (origin instanceof URL) return originOfUrl(origin);
  if (origin === lastOrigin) return lastParsed;
  let o = originCache.get(origin);
  if (o === undefined) {
    o = originOfUrl(new URL(origin));
    if (originCache.size < 256) originCache.set(origin, o);
  }
  lastOrigin = origin;
  lastParsed = o;
  return o;
}
