// The `target` attribute: which calls a rule hits. Pure.
import { show } from './attributes.js';
import { RuleError } from './ruleError.js';
import { canonicalService, unknownServiceMessage } from './serviceNames.js';
import type { Target } from '../ruleTypes.js';

const TARGET_FORMS = 'aws:<service>[:<Operation>] (e.g. aws:dynamodb:GetItem), http:<host>[/<path>] (e.g. http:api.example.com/v1/*), invocation or *';

const SERVICE = /^[a-z0-9][a-z0-9-]*$/;
const OPERATION = /^[A-Za-z][A-Za-z0-9]*$/;
const HOST = /^[a-z0-9*_][a-z0-9*_.-]*$/;
const PATH_BAD = /[\s?#]/;

export type TargetResult = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly error: string };

/**
 * The longest target accepted, in characters: far above any host name (253)
 * plus a real path, and small enough that a rule's cost stays negligible.
 */
export const MAX_TARGET_LENGTH = 1024;

// show() cuts a long value, so a message about a huge target stays short.
const bad = (text: string, expected: string): TargetResult => ({ ok: false, error: `target=${show(text)}: expected ${expected}` });

/** Like parseTarget, but returns the message instead of throwing. */
export function tryParseTarget(text: string): TargetResult {
  if (text.length > MAX_TARGET_LENGTH) {
    return bad(text, `at most ${MAX_TARGET_LENGTH} characters (this one has ${text.length})`);
  }
  const t = text.trim();
  if (t === '*') return { ok: true, target: { kind: 'any' } };
  if (t.toLowerCase() === 'invocation') return { ok: true, target: { kind: 'invocation' } };
  const lower = t.toLowerCase();
  if (lower.startsWith('aws:')) return parseAws(text, t.slice(4));
  if (lower.startsWith('https:') || lower.startsWith('http://')) {
    return bad(text, 'http:<host>[/<path>] without a scheme (http: covers https too), e.g. http:api.example.com/v1/*');
  }
  if (lower.startsWith('http:')) return parseHttp(text, t.slice(5));
  return bad(text, TARGET_FORMS);
}

function parseAws(text: string, rest: string): TargetResult {
  const parts = rest.split(':');
  const expected = 'aws:<service>[:<Operation>] such as aws:dynamodb:GetItem, aws:s3 or aws:*';
  if (parts.length > 2) return bad(text, expected);
  const service = (parts[0] ?? '').toLowerCase();
  const op = parts[1];
  if (service === '*') {
    if (op !== undefined && op !== '*') return bad(text, `a service with an operation (aws:dynamodb:${op}); aws:* takes no operation`);
    return { ok: true, target: { kind: 'aws', service: '*', operation: undefined } };
  }
  if (!SERVICE.test(service)) return bad(text, `${expected}; the service is the SDK's service id (dynamodb, s3, sqs, lambda)`);
  // Aliases (cloudwatch, sfn, eventbridge) become the name the call carries on the wire.
  const canonical = canonicalService(service);
  if (canonical === undefined) return { ok: false, error: `target=${text}: ${unknownServiceMessage(service)}` };
  if (op === undefined || op === '*') return { ok: true, target: { kind: 'aws', service: canonical, operation: undefined } };
  if (!OPERATION.test(op)) return bad(text, `${expected}; the operation is an API name such as GetItem or SendMessage`);
  return { ok: true, target: { kind: 'aws', service: canonical, operation: op } };
}

function parseHttp(text: string, rest: string): TargetResult {
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const pathRest = slash < 0 ? '' : rest.slice(slash);
  if (host.includes(':')) {
    return bad(text, 'a host without a port (calls are matched by host and path), e.g. http:localhost/orders/*');
  }
  if (!HOST.test(host)) return bad(text, 'http:<host>[/<path>] with a host name such as api.example.com or *.amazonaws.com');
  if (PATH_BAD.test(pathRest)) return bad(text, 'a path without spaces, query (?) or fragment (#), e.g. http:api.example.com/v1/*');
  // `http:host` and `http:host/` both mean every path.
  const path = pathRest === '' || pathRest === '/' ? undefined : pathRest;
  return { ok: true, target: { kind: 'http', host, path } };
}

/** `aws:dynamodb:GetItem`, `http:api.example.com/v1/*`, `invocation`, `*` → Target. Throws RuleError naming the text and the expected forms. */
export function parseTarget(text: string): Target {
  const r = tryParseTarget(text);
  if (!r.ok) throw new RuleError(r.error);
  return r.target;
}

/** The canonical text of a target; parseTarget(formatTarget(t)) equals t. */
export function formatTarget(t: Target): string {
  switch (t.kind) {
    case 'aws':
      return t.operation === undefined ? `aws:${t.service}` : `aws:${t.service}:${t.operation}`;
    case 'http':
      return `http:${t.host}${t.path ?? ''}`;
    case 'invocation':
      return 'invocation';
    case 'any':
      return '*';
  }
}

/**
 * Higher is more specific, for ordering rules within a scope: an AWS operation,
 * an AWS service, any AWS call, an HTTP host with a path, an HTTP host, any call.
 * The invocation is a call kind of its own, so its rank only orders it among itself.
 */
export function targetSpecificity(t: Target): number {
  switch (t.kind) {
    case 'invocation':
      return 6;
    case 'aws':
      return t.operation !== undefined ? 5 : t.service !== '*' ? 4 : 3;
    case 'http':
      return t.path !== undefined ? 2 : 1;
    case 'any':
      return 0;
  }
}
