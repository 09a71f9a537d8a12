// DynamoDB's JSON wire format (`{"S": "x"}`, `{"N": "1"}`, …) to plain values
// and back. Written here rather than taken from @aws-sdk/util-dynamodb so the
// agent's chaos build stays small and quick to load. Pure.

export type AttributeValueJson =
  | { readonly S: string }
  | { readonly N: string }
  | { readonly BOOL: boolean }
  | { readonly NULL: true }
  | { readonly L: readonly AttributeValueJson[] }
  | { readonly M: Readonly<Record<string, AttributeValueJson>> }
  | { readonly SS: readonly string[] }
  | { readonly NS: readonly string[] }
  | { readonly B: string }
  | { readonly BS: readonly string[] };

/** One attribute value → plain: N → number, SS/NS → arrays, B → Uint8Array, NULL → null. Throws on an unknown shape. */
export function unmarshallValue(value: AttributeValueJson, path = 'value'): unknown {
  const v = value as Record<string, unknown>;
  if (typeof v.S === 'string') return v.S;
  if (typeof v.N === 'string') return Number(v.N);
  if (typeof v.BOOL === 'boolean') return v.BOOL;
  if (v.NULL === true) return null;
  if (Array.isArray(v.L)) return v.L.map((x: AttributeValueJson, i: number) => unmarshallValue(x, `${path}[${i}]`));
  if (v.M !== null && typeof v.M === 'object') return unmarshallItem(v.M as Record<string, AttributeValueJson>, path);
  if (Array.isArray(v.SS)) return [...(v.SS as string[])];
  if (Array.isArray(v.NS)) return (v.NS as string[]).map(Number);
  if (typeof v.B === 'string') return Uint8Array.from(Buffer.from(v.B, 'base64'));
  if (Array.isArray(v.BS)) return (v.BS as string[]).map((b) => Uint8Array.from(Buffer.from(b, 'base64')));
  throw new TypeError(`${path}=${JSON.stringify(value)}: expected a DynamoDB attribute value (S, N, BOOL, NULL, L, M, SS, NS, B or BS)`);
}

/** A DynamoDB item in wire JSON → a plain object. */
export function unmarshallItem(item: Readonly<Record<string, AttributeValueJson>>, path?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(item)) {
    out[key] = unmarshallValue(item[key]!, path === undefined ? key : `${path}.${key}`);
  }
  return out;
}

/**
 * A plain value → wire JSON: string → S, number → N, boolean → BOOL, null → NULL,
 * array → L, Set of strings → SS, Set of numbers → NS, Uint8Array → B, object → M.
 * Throws TypeError naming the path of a value DynamoDB cannot hold.
 */
export function marshallValue(value: unknown, path = 'value'): AttributeValueJson {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}=${value}: expected a finite number`);
      return { N: String(value) };
    case 'bigint':
      return { N: value.toString() };
    case 'boolean':
      return { BOOL: value };
    case 'undefined':
      // Only reached inside lists: maps leave undefined out.
      return { NULL: true };
    case 'object':
      break;
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be stored in DynamoDB`);
  }
  if (value === null) return { NULL: true };
  if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return { L: value.map((x, i) => marshallValue(x, `${path}[${i}]`)) };
  if (value instanceof Set) {
    const items = [...value];
    if (items.length === 0) throw new TypeError(`${path}: DynamoDB cannot store an empty set; use an empty list`);
    if (items.every((x) => typeof x === 'string')) return { SS: items as string[] };
    if (items.every((x) => typeof x === 'number' && Number.isFinite(x))) return { NS: items.map(String) };
    throw new TypeError(`${path}: expected a set of only strings or only numbers`);
  }
  return { M: marshallItem(value as Record<string, unknown>, path) };
}

/** A plain object → a DynamoDB item in wire JSON. Undefined properties are left out. */
export function marshallItem(obj: Readonly<Record<string, unknown>>, path?: string): Record<string, AttributeValueJson> {
  const out: Record<string, AttributeValueJson> = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined) continue;
    out[key] = marshallValue(v, path === undefined ? key : `${path}.${key}`);
  }
  return out;
}
