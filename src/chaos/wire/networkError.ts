// Pure: the Error Node itself raises for a network failure, with code, errno
// and syscall, so callers (and SDK retry policies) classify it as they would
// a real one.
import type { NetworkErrorCode } from '../ruleTypes.js';

const ERRNO: Readonly<Record<NetworkErrorCode, [number, string]>> = {
  ECONNRESET: [-104, 'read'],
  ECONNREFUSED: [-111, 'connect'],
  ETIMEDOUT: [-110, 'read'],
  EPIPE: [-32, 'write'],
  ENOTFOUND: [-3008, 'getaddrinfo'],
  EAI_AGAIN: [-3001, 'getaddrinfo'],
};

export function networkError(code: NetworkErrorCode, host: string, port: number): NodeJS.ErrnoException {
  const [errno, syscall] = ERRNO[code];
  const where = syscall === 'getaddrinfo' ? ` ${host}` : syscall === 'connect' ? ` ${host}:${port}` : '';
  const err = new Error(`${syscall} ${code}${where}`) as NodeJS.ErrnoException & Record<string, unknown>;
  err.code = code;
  err.errno = errno;
  err.syscall = syscall;
  if (syscall === 'getaddrinfo') err.hostname = host;
  if (syscall === 'connect') {
    err.address = host;
    err.port = port;
  }
  return err;
}

/** What undici raises when no response headers arrive in time. */
export function headersTimeoutError(): Error {
  return Object.assign(new Error('Headers Timeout Error'), { name: 'HeadersTimeoutError', code: 'UND_ERR_HEADERS_TIMEOUT' });
}
