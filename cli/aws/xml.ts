// A small pure XML reader for the answers of AWS's query protocol (STS,
// CloudFormation): elements, text, entities, CDATA, comments; attributes
// skipped. One linear pass with bounded depth: any input ends in a result or
// an XmlError. On it, the `<ErrorResponse>` document every query service sends.

export class XmlError extends Error {
  override name = 'XmlError';
}

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** The element's own text (entities decoded, CDATA kept verbatim), concatenated. */
  text: string;
}

const MAX_DEPTH = 64;
const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** `&lt;` `&#60;` `&#x3c;` and the other predefined entities; anything else after `&` is an error naming it. */
export function decodeEntities(s: string, at = 0): string {
  if (!s.includes('&')) return s;
  let out = '';
  let i = 0;
  for (;;) {
    const amp = s.indexOf('&', i);
    if (amp < 0) return out + s.slice(i);
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp);
    const ref = semi < 0 ? '' : s.slice(amp + 1, semi);
    let ch: string | undefined;
    if (/^#[0-9]{1,7}$/.test(ref)) ch = codePoint(Number(ref.slice(1)));
    else if (/^#x[0-9a-fA-F]{1,6}$/.test(ref)) ch = codePoint(parseInt(ref.slice(2), 16));
    else ch = Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref] : undefined;
    if (ch === undefined) throw new XmlError(`bad entity ${JSON.stringify(s.slice(amp, Math.min(s.length, semi < 0 ? amp + 12 : semi + 1)))} at offset ${at + amp}`);
    out += ch;
    i = semi + 1;
  }
}

function codePoint(n: number): string | undefined {
  if (n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}

/** Pure: the document's root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (why: string): never => {
    throw new XmlError(`not an XML document: ${why} at offset ${i}`);
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > i) {
      const text = xml.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text, i);
      else if (text.trim() !== '') fail('text outside the root element');
      i = textEnd;
      continue;
    }
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) fail('unterminated <?…?>');
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end < 0) fail('unterminated CDATA section');
      const top = stack[stack.length - 1] ?? fail('CDATA outside the root element');
      top.text += xml.slice(i + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      fail('a DOCTYPE or other declaration (not accepted)');
    } else if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const name = xml.slice(i + 2, end).trim();
      const open = stack.pop() ?? fail(`end tag </${name}> with no element open`);
      if (open.name !== name) fail(`end tag </${name}> closes <${open.name}>`);
      i = end + 1;
    } else {
      const end = xml.indexOf('>', i);
      if (end < 0) fail('unterminated start tag');
      const inner = xml.slice(i + 1, end);
      const name = NAME.exec(inner)?.[0] ?? fail('a tag without a name');
      const selfClosing = inner.endsWith('/');
      if (root !== undefined && stack.length === 0) fail(`a second root element <${name}>`);
      if (stack.length >= MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
      const el: XmlElement = { name, children: [], text: '' };
      stack[stack.length - 1]?.children.push(el);
      root ??= el;
      if (!selfClosing) stack.push(el);
      i = end + 1;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  return root ?? fail('no element');
}

export const child = (el: XmlElement | undefined, name: string) => el?.children.find((c) => c.name === name);
export const textOf = (el: XmlElement | undefined, name: string) => {
  const c = child(el, name);
  return c === undefined ? undefined : c.text.trim();
};

export interface QueryErrorDocument {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly requestId: string | undefined;
}

/** Pure: `<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error><RequestId>…`; undefined when the text is not one. */
export function parseQueryError(xml: string): QueryErrorDocument | undefined {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    return undefined;
  }
  const error = root.name === 'Error' ? root : child(root, 'Error');
  if (error === undefined) return undefined;
  return { code: textOf(error, 'Code'), message: textOf(error, 'Message'), requestId: textOf(root, 'RequestId') ?? textOf(error, 'RequestId') };
}
