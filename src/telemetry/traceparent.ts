// The W3C `traceparent` header value, the one place it is formatted.

/** `00-<traceId>-<spanId>-<flags>`: version 00, flags as two lowercase hex digits. */
export function traceparentOf(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${traceFlags < 16 ? '0' : ''}${(traceFlags & 0xff).toString(16)}`;
}
