// The errors the CLI's AWS clients throw, shaped like the SDK's so that
// tableContext.explainAwsError and the logs commands read them the same way:
// `name` is the service's error code, network failures carry Node's `code`.

/** The service answered with an error (`ResourceNotFoundException`, `ThrottlingException`, …). */
export class AwsServiceError extends Error {
  constructor(
    /** The error code the service returned; `HTTP<status>` when it named none. */
    code: string,
    message: string,
    readonly statusCode: number,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = code;
  }
}

/** No answer: the connection failed (`code` is Node's: ECONNREFUSED, ENOTFOUND, …) or timed out (`code` TimeoutError). */
export class AwsNetworkError extends Error {
  override name = 'NetworkError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    if (code === 'TimeoutError') this.name = 'TimeoutError';
  }
}

/**
 * The code of an AWS JSON error answer, found where the SDK's JSON-RPC
 * protocols look (loadJsonRpcErrorCode): `__type`, then `code` (any case) in
 * the body, then the `x-amzn-errortype` header; cleaned as the SDK cleans it
 * (`a,b` → `a`, a trailing `:http://…` and a namespace `com.amazonaws…#` dropped).
 */
export function errorCodeOf(headerType: string | undefined, body: unknown, status: number): string {
  const b = (body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const codeKey = Object.keys(b).find((k) => k.toLowerCase() === 'code');
  const candidates = [b['__type'], codeKey === undefined ? undefined : b[codeKey], headerType];
  const raw = candidates.find((c): c is string | number => typeof c === 'string' || typeof c === 'number');
  return (raw === undefined ? '' : sanitizeErrorCode(String(raw))) || `HTTP${status}`;
}

function sanitizeErrorCode(raw: string): string {
  const first = raw.split(',')[0]!.split(':')[0]!;
  const hash = first.indexOf('#');
  return (hash >= 0 ? first.slice(hash + 1).split('#')[0]! : first).trim();
}

/** The message of an AWS JSON error answer (`message`, `Message` or `errorMessage`). */
export function errorMessageOf(body: unknown, status: number): string {
  const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const key of ['message', 'Message', 'errorMessage']) if (typeof b[key] === 'string') return b[key];
  return `HTTP ${status}`;
}
