// The W3C `traceparent` header value, the one place it is formatted.

const FLAGS = Array.from({ length: 256 }, (_, f) => (f < 16 ? '0' : '') + f.toString(16));

/**
 * `00-<traceId>-<spanId>-<flags>`: version 00, flags as two lowercase hex digits.
 *
 * Returned flat by default: a concatenation this long is a rope in V8, and a
 * header value set through an API goes on to a validation regex and the
 * header serialisation, which each pay more to read a rope than reading it
 * once here costs (figures: docs/benchmarks.md, "Measurements behind the code").
 * `flat: false` is for a value only ever concatenated into
 * a request head, which is flattened once as a whole.
 */
export function traceparentOf(traceId: string, spanId: string, traceFlags: number, flat = true): string {
  const value = `00-${traceId}-${spanId}-${FLAGS[traceFlags & 0xff]!}`;
  if (flat) value.charCodeAt(value.length - 1); // flattens the rope in place
  return value;
}
