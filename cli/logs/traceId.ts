// Trace ids reach us in two spellings: W3C (32 hex) and X-Ray
// (`1-<8 hex epoch>-<24 hex>`, the same 128 bits split in two). Everything
// inside faultline compares the W3C form.

const W3C_RE = /^[0-9a-f]{32}$/;
const XRAY_RE = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;

/**
 * The 32-hex form of a trace id written in either spelling (also inside an
 * X-Ray header `Root=1-…;Parent=…`), or undefined when `value` is not one.
 */
export function normaliseTraceId(value: string): string | undefined {
  let v = value.trim().toLowerCase();
  const root = /(?:^|;)\s*root=([^;]+)/.exec(v);
  if (root) v = root[1]!.trim();
  if (W3C_RE.test(v)) return v === '00000000000000000000000000000000' ? undefined : v;
  const m = XRAY_RE.exec(v);
  return m ? m[1]! + m[2]! : undefined;
}

/** X-Ray spelling of a 32-hex trace id. */
export function toXrayTraceId(w3c: string): string {
  return `1-${w3c.slice(0, 8)}-${w3c.slice(8)}`;
}

/**
 * The substring every spelling of the trace id contains: the last 24 hex
 * digits. Raw-text search uses it so one scan finds both forms.
 */
export function traceIdSearchTerm(w3c: string): string {
  return w3c.slice(8);
}
