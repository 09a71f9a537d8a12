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
 * The code of an AWS JSON error answer: the `x-amzn-errortype` header, else
 * `__type` or `code` in the body; a namespace (`com.amazonaws…#`) and a
 * trailing `:http://…` are dropped.
 */
export function errorCodeOf(headerType: string | undefined, body: unknown, status: number): string {
  const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const raw = headerType ?? (typeof b['__type'] === 'string' ? b['__type'] : typeof b['code'] === 'string' ? b['code'] : '');
  const code = raw.split(':')[0]!.slice(raw.lastIndexOf('#') + 1).trim();
  return code === '' ? `HTTP${status}` : code;
}

/** The message of an AWS JSON error answer (`message`, `Message` or `errorMessage`). */
export function errorMessageOf(body: unknown, status: number): string {
  const b = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  for (const key of ['message', 'Message', 'errorMessage']) if (typeof b[key] === 'string') return b[key];
  return `HTTP ${status}`;
}
