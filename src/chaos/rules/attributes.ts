// Reading one attribute of a plain (unmarshalled) item, collecting messages of
// the form `<attribute>=<value>: expected <form>` so every bad value of an item
// is reported at once. The CLI rewrites the leading attribute name into its
// flag name, so every message starts with it.

export type Item = Readonly<Record<string, unknown>>;

const MAX_SHOWN = 60;

/** A value as it appears in a message: strings bare, others as JSON, long ones cut. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null) text = 'NULL';
  else if (value instanceof Uint8Array) text = '<binary>';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

/** `latencyMs=-1`: the attribute and its value as written. */
export function named(name: string, value: unknown): string {
  return `${name}=${show(value)}`;
}

/**
 * For attributes that must be numbers (N): `rate="0.5" (a string)` says the
 * type is what is wrong, since `rate=0.5: expected a number` would read as nonsense.
 */
export function namedNumber(name: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `${name}="${value}" (a string)`;
  }
  return named(name, value);
}

/** For BOOL attributes: `enabled="false" (a string)`, since `enabled=false: expected true or false` would read as nonsense. */
export function namedBoolean(name: string, value: unknown): string {
  return value === 'true' || value === 'false' ? `${name}="${value}" (a string)` : named(name, value);
}

/**
 * Only an absent attribute means "not set". A DynamoDB NULL is a value of the
 * wrong type for every attribute, so it rejects the item like any other wrong
 * type: read as "not set", `rate` NULL would have hit every call.
 */
export function present(item: Item, name: string): boolean {
  return item[name] !== undefined;
}

export class AttributeReader {
  readonly errors: string[] = [];

  constructor(private readonly item: Item) {}

  fail(message: string): undefined {
    this.errors.push(message);
    return undefined;
  }

  has(name: string): boolean {
    return present(this.item, name);
  }

  raw(name: string): unknown {
    return this.item[name];
  }

  string(name: string, expected: string, ok: (s: string) => boolean = (s) => s.trim() !== ''): string | undefined {
    if (!this.has(name)) return undefined;
    const v = this.item[name];
    if (typeof v !== 'string' || !ok(v)) return this.fail(`${named(name, v)}: expected ${expected}`);
    return v;
  }

  number(
    name: string,
    expected: string,
    ok: (n: number) => boolean = Number.isFinite,
  ): number | undefined {
    if (!this.has(name)) return undefined;
    const v = this.item[name];
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) return this.fail(`${namedNumber(name, v)}: expected ${expected}`);
    return v;
  }

  boolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const v = this.item[name];
    if (typeof v !== 'boolean') return this.fail(`${namedBoolean(name, v)}: expected true or false (BOOL)`);
    return v;
  }

  /** A list (L) or string set (SS): both unmarshall to arrays. */
  stringList(name: string, expected: string, ok: (s: string) => boolean = (s) => s.trim() !== ''): string[] | undefined {
    if (!this.has(name)) return undefined;
    const v = this.item[name];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && ok(x))) {
      return this.fail(`${named(name, v)}: expected ${expected}`);
    }
    return v as string[];
  }

  /** A map (M) whose values are all strings. */
  stringMap(name: string, expected: string): Record<string, string> | undefined {
    if (!this.has(name)) return undefined;
    const v = this.item[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) {
      return this.fail(`${named(name, v)}: expected ${expected}`);
    }
    const bad = Object.entries(v).find(([, x]) => typeof x !== 'string');
    if (bad) return this.fail(`${name}.${show(bad[0])}=${show(bad[1])}: expected ${expected}`);
    return { ...(v as Record<string, string>) };
  }

  /** Unknown attribute names, usually typos (`latency` for `latencyMs`). */
  unknown(known: ReadonlySet<string>, hint: string): void {
    for (const key of Object.keys(this.item)) {
      if (!known.has(key)) this.errors.push(`${show(key)}: unknown attribute; expected one of ${hint}`);
    }
  }
}
