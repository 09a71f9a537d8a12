// One rule item (plain, unmarshalled) → a Rule, or every reason it is not one.
// The CLI validates through this same function, so a rule the CLI accepts is a
// rule the agent understands. Pure.
import { AttributeReader, named, show, type Item } from './attributes.js';
import { tryParseTarget } from './target.js';
import type {
  Corruption,
  ErrorSpec,
  Fault,
  FaultType,
  NetworkErrorCode,
  Rule,
  Schedule,
  StickyKey,
  Target,
} from '../ruleTypes.js';

export const FAULT_TYPES: readonly FaultType[] = ['error', 'latency', 'timeout', 'corrupt', 'respond'];
export const CORRUPTIONS: readonly Corruption[] = ['truncate', 'garble', 'json', 'empty'];
export const NETWORK_ERRORS: readonly NetworkErrorCode[] = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'];

/** Lambda's longest timeout: no delay beyond it can mean anything. */
export const MAX_DELAY_MS = 900_000;

const ERROR_FORMS = 'an AWS error code like ThrottlingException, an HTTP status like 503, or a network error like ECONNRESET';

/** The attributes that belong to one fault type only. */
const FAULT_ATTRIBUTES: Readonly<Record<string, FaultType>> = {
  error: 'error',
  latencyMs: 'latency',
  jitterMs: 'latency',
  timeoutMs: 'timeout',
  corruption: 'corrupt',
  status: 'respond',
  headers: 'respond',
  body: 'respond',
};

export const RULE_ATTRIBUTES: readonly string[] = [
  'scope', 'id', 'enabled', 'target', 'fault', 'rate',
  'error', 'latencyMs', 'jitterMs', 'timeoutMs', 'corruption', 'status', 'headers', 'body',
  'sticky', 'flapOnSeconds', 'flapOffSeconds', 'firstN',
  'expiresAt', 'createdBy', 'createdAt', 'note',
];
const KNOWN = new Set(RULE_ATTRIBUTES);

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const RULE_ID = /^[^\s#][^\s]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const AWS_CODE = /^[A-Z][A-Za-z0-9_.]*$/;
const NETWORK_CODE = /^E[A-Z_]+$/;
const STATUS = /^\d{3}$/;
const EVENT_PATH = /^[^.\s]+(\.[^.\s]+)*$/;
/** Epoch seconds beyond this are almost certainly milliseconds (year 5138). */
const MAX_EPOCH_SECONDS = 1e11;

const wholeMs = (min: number) => (n: number) => Number.isInteger(n) && n >= min && n <= MAX_DELAY_MS;

/** `ThrottlingException` / `503` / `ECONNRESET` → ErrorSpec, or the message. */
export function parseErrorSpec(value: unknown): { ok: true; spec: ErrorSpec } | { ok: false; error: string } {
  // `error` is a string (S) even for a status, so a numeric string is the expected type here.
  const fail = (expected = ERROR_FORMS) => ({ ok: false as const, error: `${named('error', value)}: expected ${expected}` });
  let text: string;
  if (typeof value === 'number') text = String(value);
  else if (typeof value === 'string') text = value.trim();
  else return fail();
  if (STATUS.test(text)) {
    const status = Number(text);
    if (status < 400 || status > 599) return fail('an HTTP error status from 400 to 599, e.g. 503');
    return { ok: true, spec: { kind: 'http', status } };
  }
  if (typeof value === 'number') return fail('an HTTP error status from 400 to 599, e.g. 503');
  if (NETWORK_CODE.test(text)) {
    if ((NETWORK_ERRORS as readonly string[]).includes(text)) {
      return { ok: true, spec: { kind: 'network', code: text as NetworkErrorCode } };
    }
    return fail(`a network error among ${NETWORK_ERRORS.join(', ')}`);
  }
  if (AWS_CODE.test(text)) return { ok: true, spec: { kind: 'aws', code: text } };
  return fail();
}

/** ErrorSpec → the text stored in the `error` attribute (always a string, as docs/rules.md has it). */
export function formatErrorSpec(spec: ErrorSpec): string {
  switch (spec.kind) {
    case 'aws':
    case 'network':
      return spec.code;
    case 'http':
      return String(spec.status);
  }
}

/** `header:x-user-id`, `event:detail.orderId`, `baggage:user` → StickyKey, or the message. */
export function parseStickyKey(value: unknown): { ok: true; key: StickyKey } | { ok: false; error: string } {
  const expected = 'header:<name>, event:<dot.path> or baggage:<key>, e.g. header:x-user-id or event:detail.orderId';
  const fail = (why = expected) => ({ ok: false as const, error: `${named('sticky', value)}: expected ${why}` });
  if (typeof value !== 'string') return fail();
  const i = value.indexOf(':');
  if (i < 0) return fail();
  const source = value.slice(0, i).trim().toLowerCase();
  const name = value.slice(i + 1).trim();
  switch (source) {
    case 'header':
      if (!HEADER_NAME.test(name)) return fail('header:<name> with an HTTP header name, e.g. header:x-user-id');
      return { ok: true, key: { source, name: name.toLowerCase() } };
    case 'event':
      if (!EVENT_PATH.test(name)) return fail('event:<dot.path> into the event, e.g. event:detail.orderId');
      return { ok: true, key: { source, name } };
    case 'baggage':
      if (!HEADER_NAME.test(name)) return fail('baggage:<key> with a W3C baggage key, e.g. baggage:user');
      return { ok: true, key: { source, name } };
    default:
      return fail();
  }
}

export function formatStickyKey(key: StickyKey): string {
  return `${key.source}:${key.name}`;
}

export type RuleVerdict = { ok: true; rule: Rule } | { ok: false; errors: string[] };

/**
 * Validates a plain rule item: every attribute of docs/rules.md, plus the
 * extensions (fault `respond` with `status`/`headers`/`body`, `sticky`,
 * `flapOnSeconds`/`flapOffSeconds`, `firstN`). Never throws. Each message
 * starts with the attribute's name and says what was expected.
 */
export function validateRuleItem(item: Item): RuleVerdict {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { ok: false, errors: [`item=${show(item)}: expected an object with scope, id, target and fault`] };
  }
  const r = new AttributeReader(item);

  const scope = required(r, 'scope', 'a function name (letters, digits, - and _) or * for every function', (s) => s === '*' || FUNCTION_NAME.test(s));
  const id = required(r, 'id', 'a rule id without spaces, not starting with # (reserved for #switch and #guard)', (s) => RULE_ID.test(s));
  const enabled = r.boolean('enabled') ?? true;

  const targetText = required(r, 'target', 'aws:<service>[:<Operation>], http:<host>[/<path>], invocation or *');
  let target: Target | undefined;
  if (targetText !== undefined) {
    const parsed = tryParseTarget(targetText);
    if (parsed.ok) target = parsed.target;
    else r.fail(parsed.error);
  }

  const faultType = required(r, 'fault', `one of ${FAULT_TYPES.join(', ')}`, (s) => (FAULT_TYPES as readonly string[]).includes(s)) as
    | FaultType
    | undefined;
  const rate = r.number('rate', 'a number between 0 and 1', (n) => n >= 0 && n <= 1) ?? 1;

  // Attributes that only mean something for another fault type.
  if (faultType !== undefined) {
    for (const [name, owner] of Object.entries(FAULT_ATTRIBUTES)) {
      if (owner !== faultType && r.has(name)) {
        r.fail(`${named(name, r.raw(name))}: only valid with fault=${owner} (this rule has fault=${faultType})`);
      }
    }
  }
  const fault = faultType === undefined ? undefined : readFault(r, faultType, target);

  const sticky = readSticky(r);
  const schedule = readSchedule(r);
  const expiresAt = r.number(
    'expiresAt',
    'epoch seconds (a whole number such as 1767225600; this looks like milliseconds)',
    (n) => n <= MAX_EPOCH_SECONDS,
  );
  if (expiresAt !== undefined && expiresAt <= 0) r.fail(`expiresAt=${expiresAt}: expected epoch seconds above 0`);
  const createdAt = r.number('createdAt', 'epoch seconds, e.g. 1767225600', (n) => n >= 0 && n <= MAX_EPOCH_SECONDS);
  const createdBy = r.string('createdBy', 'a string naming who wrote the rule', () => true);
  const note = r.string('note', 'a string', () => true);
  r.unknown(KNOWN, RULE_ATTRIBUTES.join(', '));

  if (r.errors.length > 0 || scope === undefined || id === undefined || target === undefined || targetText === undefined || fault === undefined) {
    return { ok: false, errors: r.errors };
  }
  return {
    ok: true,
    rule: {
      scope,
      id,
      enabled,
      target,
      targetText: targetText.trim(),
      fault,
      rate,
      expiresAt,
      sticky,
      schedule,
      createdBy,
      createdAt,
      note,
    },
  };
}

function required(r: AttributeReader, name: string, expected: string, ok?: (s: string) => boolean): string | undefined {
  if (!r.has(name)) return r.fail(`${name}: required (${expected})`);
  return r.string(name, expected, ok);
}

function readFault(r: AttributeReader, type: FaultType, target: Target | undefined): Fault | undefined {
  if (target?.kind === 'invocation' && type !== 'latency' && type !== 'error') {
    return r.fail(
      `fault=${type}: not valid with target=invocation; expected latency (delay before the handler runs) or error (thrown instead of running it)`,
    );
  }
  switch (type) {
    case 'error': {
      if (!r.has('error')) return r.fail(`error: required when fault=error (${ERROR_FORMS})`);
      const parsed = parseErrorSpec(r.raw('error'));
      if (!parsed.ok) return r.fail(parsed.error);
      const spec = parsed.spec;
      if (target?.kind === 'invocation' && spec.kind === 'network') {
        return r.fail(
          `error=${spec.code}: not valid with target=invocation; expected an AWS error code or an HTTP status, reported as the function's error`,
        );
      }
      if (spec.kind === 'aws' && target?.kind === 'http' && !target.host.includes('amazonaws.com')) {
        return r.fail(
          `error=${spec.code}: an AWS error code needs an aws: target (or an http: host under amazonaws.com); ` +
            `for target=http:${target.host}${target.path ?? ''} use an HTTP status like 503 or a network error like ECONNRESET`,
        );
      }
      return { type: 'error', error: spec };
    }
    case 'latency': {
      if (!r.has('latencyMs')) return r.fail(`latencyMs: required when fault=latency (whole milliseconds from 0 to ${MAX_DELAY_MS}, e.g. 2000)`);
      const expected = `whole milliseconds from 0 to ${MAX_DELAY_MS}`;
      const latencyMs = r.number('latencyMs', expected, wholeMs(0));
      const jitterMs = r.number('jitterMs', expected, wholeMs(0)) ?? 0;
      return latencyMs === undefined ? undefined : { type: 'latency', latencyMs, jitterMs };
    }
    case 'timeout': {
      const before = r.errors.length;
      const timeoutMs = r.number('timeoutMs', `whole milliseconds from 1 to ${MAX_DELAY_MS}`, wholeMs(1));
      return r.errors.length > before ? undefined : { type: 'timeout', timeoutMs };
    }
    case 'corrupt': {
      if (!r.has('corruption')) return r.fail(`corruption: required when fault=corrupt (one of ${CORRUPTIONS.join(', ')})`);
      const corruption = r.string('corruption', `one of ${CORRUPTIONS.join(', ')}`, (s) => (CORRUPTIONS as readonly string[]).includes(s));
      return corruption === undefined ? undefined : { type: 'corrupt', corruption: corruption as Corruption };
    }
    case 'respond': {
      if (!r.has('status')) return r.fail('status: required when fault=respond (an HTTP status from 100 to 599, e.g. 200)');
      const status = r.number('status', 'an HTTP status from 100 to 599, e.g. 200', (n) => Number.isInteger(n) && n >= 100 && n <= 599);
      const before = r.errors.length;
      const rawHeaders = r.stringMap('headers', 'a map of header names to string values, e.g. {"content-type": "application/json"}');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(rawHeaders ?? {})) {
        if (!HEADER_NAME.test(k)) r.fail(`headers.${show(k)}: expected an HTTP header name such as content-type`);
        else if (/[\r\n]/.test(v)) r.fail(`headers.${k}=${show(v)}: expected a header value on one line`);
        else headers[k.toLowerCase()] = v;
      }
      const body = r.string('body', 'a string (the response body as sent)', () => true) ?? '';
      if (status === undefined || r.errors.length > before) return undefined;
      return { type: 'respond', status, headers, body };
    }
  }
}

function readSticky(r: AttributeReader): StickyKey | undefined {
  if (!r.has('sticky')) return undefined;
  const parsed = parseStickyKey(r.raw('sticky'));
  return parsed.ok ? parsed.key : r.fail(parsed.error);
}

function readSchedule(r: AttributeReader): Schedule | undefined {
  const secs = 'a number of seconds above 0, e.g. 30';
  const on = r.number('flapOnSeconds', secs, (n) => n > 0);
  const off = r.number('flapOffSeconds', secs, (n) => n > 0);
  const count = r.number('firstN', 'a whole number of calls of at least 1, e.g. 3', (n) => Number.isInteger(n) && n >= 1);
  const hasOn = r.has('flapOnSeconds');
  const hasOff = r.has('flapOffSeconds');
  if (hasOn !== hasOff) {
    const missing = hasOn ? 'flapOffSeconds' : 'flapOnSeconds';
    return r.fail(`${missing}: required with ${hasOn ? 'flapOnSeconds' : 'flapOffSeconds'} (a flap is on for flapOnSeconds, then off for flapOffSeconds)`);
  }
  if (hasOn && r.has('firstN')) {
    return r.fail('firstN: cannot be combined with flapOnSeconds/flapOffSeconds; choose one schedule');
  }
  if (on !== undefined && off !== undefined) return { kind: 'flap', onSeconds: on, offSeconds: off };
  if (count !== undefined) return { kind: 'firstN', count };
  return undefined;
}

/** The plain item the CLI writes for a rule; validateRuleItem(ruleToItem(rule)) gives the rule back. */
export function ruleToItem(rule: Rule): Record<string, unknown> {
  const item: Record<string, unknown> = {
    scope: rule.scope,
    id: rule.id,
    enabled: rule.enabled,
    target: rule.targetText,
    fault: rule.fault.type,
  };
  if (rule.rate !== 1) item.rate = rule.rate;
  const f = rule.fault;
  switch (f.type) {
    case 'error':
      item.error = formatErrorSpec(f.error);
      break;
    case 'latency':
      item.latencyMs = f.latencyMs;
      if (f.jitterMs !== 0) item.jitterMs = f.jitterMs;
      break;
    case 'timeout':
      if (f.timeoutMs !== undefined) item.timeoutMs = f.timeoutMs;
      break;
    case 'corrupt':
      item.corruption = f.corruption;
      break;
    case 'respond':
      item.status = f.status;
      if (Object.keys(f.headers).length > 0) item.headers = { ...f.headers };
      item.body = f.body;
      break;
  }
  if (rule.sticky !== undefined) item.sticky = formatStickyKey(rule.sticky);
  if (rule.schedule?.kind === 'flap') {
    item.flapOnSeconds = rule.schedule.onSeconds;
    item.flapOffSeconds = rule.schedule.offSeconds;
  } else if (rule.schedule?.kind === 'firstN') {
    item.firstN = rule.schedule.count;
  }
  if (rule.expiresAt !== undefined) item.expiresAt = rule.expiresAt;
  if (rule.createdBy !== undefined) item.createdBy = rule.createdBy;
  if (rule.createdAt !== undefined) item.createdAt = rule.createdAt;
  if (rule.note !== undefined) item.note = rule.note;
  return item;
}
