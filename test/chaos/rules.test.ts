import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileMatcher,
  compileRuleSet,
  decisionOf,
  describeReach,
  formatTarget,
  matchCall,
  parseTarget,
  RuleError,
  ruleToItem,
  shouldHit,
  stickyBucket,
  stickyValueOf,
  validateRuleItem,
  type HitContext,
} from '../../src/chaos/rules.js';
import { guardVerdict } from '../../src/chaos/guard.js';
import type { Rule, Target } from '../../src/chaos/ruleTypes.js';
import type { CallDescriptor } from '../../src/seam.js';
import { seededRandom as seeded } from '../helpers/seededRandom.js';

const BASE = { scope: 'orders-api', id: 'r1', target: 'aws:dynamodb:GetItem', fault: 'error', error: 'ThrottlingException' };

function ruleOf(item: Record<string, unknown>): Rule {
  const r = validateRuleItem(item);
  assert.ok(r.ok, `expected a valid rule, got ${JSON.stringify(r)}`);
  return r.rule;
}

function errorsOf(item: Record<string, unknown>): string[] {
  const r = validateRuleItem(item);
  assert.equal(r.ok, false, `expected ${JSON.stringify(item)} to be refused`);
  return r.ok ? [] : r.errors;
}

describe('parseTarget / formatTarget', () => {
  const valid: [string, Target, string][] = [
    ['aws:dynamodb:GetItem', { kind: 'aws', service: 'dynamodb', operation: 'GetItem' }, 'aws:dynamodb:GetItem'],
    ['AWS:DynamoDB:GetItem', { kind: 'aws', service: 'dynamodb', operation: 'GetItem' }, 'aws:dynamodb:GetItem'],
    ['aws:s3', { kind: 'aws', service: 's3', operation: undefined }, 'aws:s3'],
    ['aws:s3:*', { kind: 'aws', service: 's3', operation: undefined }, 'aws:s3'],
    ['aws:*', { kind: 'aws', service: '*', operation: undefined }, 'aws:*'],
    ['aws:cognito-idp:InitiateAuth', { kind: 'aws', service: 'cognito-idp', operation: 'InitiateAuth' }, 'aws:cognito-idp:InitiateAuth'],
    ['http:api.example.com', { kind: 'http', host: 'api.example.com', path: undefined }, 'http:api.example.com'],
    ['http:API.Example.com/', { kind: 'http', host: 'api.example.com', path: undefined }, 'http:api.example.com'],
    ['http:api.example.com/v1/*', { kind: 'http', host: 'api.example.com', path: '/v1/*' }, 'http:api.example.com/v1/*'],
    ['http:*.amazonaws.com', { kind: 'http', host: '*.amazonaws.com', path: undefined }, 'http:*.amazonaws.com'],
    ['http:*', { kind: 'http', host: '*', path: undefined }, 'http:*'],
    ['invocation', { kind: 'invocation' }, 'invocation'],
    ['*', { kind: 'any' }, '*'],
    ['  *  ', { kind: 'any' }, '*'],
  ];
  for (const [text, target, canonical] of valid) {
    test(`${JSON.stringify(text)} parses and formats as ${canonical}`, () => {
      assert.deepEqual(parseTarget(text), target);
      assert.equal(formatTarget(target), canonical);
      assert.deepEqual(parseTarget(canonical), target);
    });
  }

  const invalid: [string, string][] = [
    ['dynamodb', 'target=dynamodb: expected aws:<service>[:<Operation>] (e.g. aws:dynamodb:GetItem), http:<host>[/<path>]'],
    ['', 'target=: expected aws:<service>[:<Operation>]'],
    ['aws:', 'target=aws:: expected aws:<service>[:<Operation>] such as aws:dynamodb:GetItem'],
    ['aws:dynamodb:Get Item', 'target=aws:dynamodb:Get Item: expected aws:<service>[:<Operation>]'],
    ['aws:dynamodb:GetItem:x', 'target=aws:dynamodb:GetItem:x: expected aws:<service>[:<Operation>]'],
    ['aws:*:GetItem', 'target=aws:*:GetItem: expected a service with an operation (aws:dynamodb:GetItem)'],
    ['aws:dynamo_db', 'target=aws:dynamo_db: expected aws:<service>[:<Operation>]'],
    ['http:', 'target=http:: expected http:<host>[/<path>] with a host name'],
    ['http://api.example.com', 'target=http://api.example.com: expected http:<host>[/<path>] without a scheme'],
    ['https:api.example.com', 'target=https:api.example.com: expected http:<host>[/<path>] without a scheme (http: covers https too)'],
    ['http:localhost:8080/x', 'target=http:localhost:8080/x: expected a host without a port'],
    ['http:api.example.com/v1?x=1', 'target=http:api.example.com/v1?x=1: expected a path without spaces, query (?) or fragment (#)'],
    ['http:api example.com', 'target=http:api example.com: expected http:<host>[/<path>] with a host name'],
  ];
  for (const [text, message] of invalid) {
    test(`${JSON.stringify(text)} is refused: ${message}`, () => {
      assert.throws(
        () => parseTarget(text),
        (err: unknown) => err instanceof RuleError && err.message.startsWith(message),
      );
    });
  }
});

describe('validateRuleItem: valid forms', () => {
  const cases: [string, Record<string, unknown>, (r: Rule) => void][] = [
    ['defaults', BASE, (r) => {
      assert.equal(r.enabled, true);
      assert.equal(r.rate, 1);
      assert.equal(r.expiresAt, undefined);
      assert.equal(r.sticky, undefined);
      assert.equal(r.schedule, undefined);
      assert.equal(r.targetText, 'aws:dynamodb:GetItem');
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } });
    }],
    ['scope *', { ...BASE, scope: '*' }, (r) => assert.equal(r.scope, '*')],
    ['enabled false', { ...BASE, enabled: false }, (r) => assert.equal(r.enabled, false)],
    ['rate 0', { ...BASE, rate: 0 }, (r) => assert.equal(r.rate, 0)],
    ['rate 0.3', { ...BASE, rate: 0.3 }, (r) => assert.equal(r.rate, 0.3)],
    ['error HTTP status as text', { ...BASE, target: 'http:api.example.com', error: '503' }, (r) =>
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'http', status: 503 } })],
    ['error HTTP status as number', { ...BASE, target: '*', error: 429 }, (r) =>
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'http', status: 429 } })],
    ['error network', { ...BASE, target: 'http:api.example.com', error: 'ECONNRESET' }, (r) =>
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'network', code: 'ECONNRESET' } })],
    ['error AWS code on an amazonaws host', { ...BASE, target: 'http:dynamodb.*.amazonaws.com', error: 'ProvisionedThroughputExceededException' }, (r) =>
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' } })],
    ['error AWS code on the invocation', { ...BASE, target: 'invocation', error: 'InternalServerError' }, (r) =>
      assert.equal(r.target.kind, 'invocation')],
    ['error HTTP status on the invocation', { ...BASE, target: 'invocation', error: '502' }, (r) =>
      assert.deepEqual(r.fault, { type: 'error', error: { kind: 'http', status: 502 } })],
    ['latency', { ...BASE, fault: 'latency', error: undefined, latencyMs: 2000 }, (r) =>
      assert.deepEqual(r.fault, { type: 'latency', latencyMs: 2000, jitterMs: 0 })],
    ['latency with jitter on the invocation', { ...BASE, target: 'invocation', fault: 'latency', error: undefined, latencyMs: 0, jitterMs: 300 }, (r) =>
      assert.deepEqual(r.fault, { type: 'latency', latencyMs: 0, jitterMs: 300 })],
    ['timeout without a bound', { ...BASE, fault: 'timeout', error: undefined }, (r) =>
      assert.deepEqual(r.fault, { type: 'timeout', timeoutMs: undefined })],
    ['timeout with timeoutMs', { ...BASE, fault: 'timeout', error: undefined, timeoutMs: 3000 }, (r) =>
      assert.deepEqual(r.fault, { type: 'timeout', timeoutMs: 3000 })],
    ...(['truncate', 'garble', 'json', 'empty'] as const).map((c): [string, Record<string, unknown>, (r: Rule) => void] => [
      `corrupt ${c}`, { ...BASE, target: '*', fault: 'corrupt', error: undefined, corruption: c }, (r) =>
        assert.deepEqual(r.fault, { type: 'corrupt', corruption: c })]),
    ['respond', { ...BASE, target: 'http:api.example.com/v1/*', fault: 'respond', error: undefined, status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' }, (r) =>
      assert.deepEqual(r.fault, { type: 'respond', status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' })],
    ['respond with only a status', { ...BASE, fault: 'respond', error: undefined, status: 503 }, (r) =>
      assert.deepEqual(r.fault, { type: 'respond', status: 503, headers: {}, body: '' })],
    ['sticky header (lower-cased)', { ...BASE, sticky: 'header:X-User-Id' }, (r) => assert.deepEqual(r.sticky, { source: 'header', name: 'x-user-id' })],
    ['sticky event path', { ...BASE, sticky: 'event:detail.orderId' }, (r) => assert.deepEqual(r.sticky, { source: 'event', name: 'detail.orderId' })],
    ['sticky baggage', { ...BASE, sticky: 'baggage:user' }, (r) => assert.deepEqual(r.sticky, { source: 'baggage', name: 'user' })],
    ['flap', { ...BASE, flapOnSeconds: 30, flapOffSeconds: 60 }, (r) => assert.deepEqual(r.schedule, { kind: 'flap', onSeconds: 30, offSeconds: 60 })],
    ['flap of half a second', { ...BASE, flapOnSeconds: 0.5, flapOffSeconds: 1 }, (r) => assert.deepEqual(r.schedule, { kind: 'flap', onSeconds: 0.5, offSeconds: 1 })],
    ['firstN', { ...BASE, firstN: 3 }, (r) => assert.deepEqual(r.schedule, { kind: 'firstN', count: 3 })],
    ['audit fields and expiry', { ...BASE, expiresAt: 1767225600, createdAt: 1767224700, createdBy: 'arn:aws:iam::1:user/me', note: 'game day' }, (r) => {
      assert.equal(r.expiresAt, 1767225600);
      assert.equal(r.createdAt, 1767224700);
      assert.equal(r.createdBy, 'arn:aws:iam::1:user/me');
      assert.equal(r.note, 'game day');
    }],
  ];
  for (const [name, item, check] of cases) {
    test(name, () => {
      const clean = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
      check(ruleOf(clean));
    });
  }
});

describe('validateRuleItem: invalid forms name the attribute, the value and the expected form', () => {
  const E = { ...BASE, error: undefined };
  const cases: [string, Record<string, unknown>, string][] = [
    ['missing scope', { ...BASE, scope: undefined }, 'scope: required (a function name (letters, digits, - and _) or * for every function)'],
    ['bad scope', { ...BASE, scope: 'orders api' }, 'scope=orders api: expected a function name (letters, digits, - and _) or * for every function'],
    ['scope not a string', { ...BASE, scope: 7 }, 'scope=7: expected a function name'],
    ['missing id', { ...BASE, id: undefined }, 'id: required'],
    ['reserved id', { ...BASE, id: '#mine' }, 'id=#mine: expected a rule id without spaces, not starting with # (reserved for #switch and #guard)'],
    ['id with a space', { ...BASE, id: 'a b' }, 'id=a b: expected a rule id without spaces'],
    ['enabled not BOOL', { ...BASE, enabled: 'false' }, 'enabled="false" (a string): expected true or false (BOOL)'],
    ['enabled a number', { ...BASE, enabled: 0 }, 'enabled=0: expected true or false (BOOL)'],
    ['error status given as N is accepted, but an S status is not marked as a string', { ...BASE, error: '99' }, 'error=99: expected an AWS error code'],
    ['corruption given as a numeric string is shown bare', { ...E, fault: 'corrupt', corruption: '5' }, 'corruption=5: expected one of truncate'],
    ['missing target', { ...BASE, target: undefined }, 'target: required (aws:<service>[:<Operation>], http:<host>[/<path>], invocation or *)'],
    ['bad target', { ...BASE, target: 'dynamo' }, 'target=dynamo: expected aws:<service>[:<Operation>]'],
    ['missing fault', { ...BASE, fault: undefined }, 'fault: required (one of error, latency, timeout, corrupt, respond)'],
    ['bad fault', { ...BASE, fault: 'explode' }, 'fault=explode: expected one of error, latency, timeout, corrupt, respond'],
    ['rate above 1', { ...BASE, rate: 1.5 }, 'rate=1.5: expected a number between 0 and 1'],
    ['rate below 0', { ...BASE, rate: -0.1 }, 'rate=-0.1: expected a number between 0 and 1'],
    ['rate as a string', { ...BASE, rate: '0.5' }, 'rate="0.5" (a string): expected a number between 0 and 1'],
    ['rate as words', { ...BASE, rate: 'half' }, 'rate=half: expected a number between 0 and 1'],
    ['missing error', E, 'error: required when fault=error (an AWS error code like ThrottlingException, an HTTP status like 503, or a network error like ECONNRESET)'],
    ['bad error', { ...BASE, error: 'oops' }, 'error=oops: expected an AWS error code like ThrottlingException, an HTTP status like 503, or a network error like ECONNRESET'],
    ['error status out of range', { ...BASE, error: '200' }, 'error=200: expected an HTTP error status from 400 to 599, e.g. 503'],
    ['error number not a status', { ...BASE, error: 5.5 }, 'error=5.5: expected an HTTP error status from 400 to 599'],
    ['unknown network error', { ...BASE, error: 'EFOO' }, 'error=EFOO: expected a network error among ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE, ENOTFOUND, EAI_AGAIN'],
    ['AWS code on a plain HTTP host', { ...BASE, target: 'http:api.example.com', error: 'ThrottlingException' }, 'error=ThrottlingException: an AWS error code needs an aws: target'],
    ['network error on the invocation', { ...BASE, target: 'invocation', error: 'ECONNRESET' }, "error=ECONNRESET: not valid with target=invocation; expected an AWS error code or an HTTP status, reported as the function's error"],
    ['error attribute with another fault', { ...BASE, fault: 'latency', latencyMs: 5 }, 'error=ThrottlingException: only valid with fault=error (this rule has fault=latency)'],
    ['missing latencyMs', { ...E, fault: 'latency' }, 'latencyMs: required when fault=latency (whole milliseconds from 0 to 900000, e.g. 2000)'],
    ['negative latencyMs', { ...E, fault: 'latency', latencyMs: -1 }, 'latencyMs=-1: expected whole milliseconds from 0 to 900000'],
    ['fractional latencyMs', { ...E, fault: 'latency', latencyMs: 2.5 }, 'latencyMs=2.5: expected whole milliseconds from 0 to 900000'],
    ['latencyMs beyond 15 minutes', { ...E, fault: 'latency', latencyMs: 900_001 }, 'latencyMs=900001: expected whole milliseconds from 0 to 900000'],
    ['bad jitterMs', { ...E, fault: 'latency', latencyMs: 5, jitterMs: 'lots' }, 'jitterMs=lots: expected whole milliseconds from 0 to 900000'],
    ['latencyMs with fault=timeout', { ...E, fault: 'timeout', latencyMs: 5 }, 'latencyMs=5: only valid with fault=latency (this rule has fault=timeout)'],
    ['timeoutMs 0', { ...E, fault: 'timeout', timeoutMs: 0 }, 'timeoutMs=0: expected whole milliseconds from 1 to 900000'],
    ['timeoutMs with fault=error', { ...BASE, timeoutMs: 100 }, 'timeoutMs=100: only valid with fault=timeout (this rule has fault=error)'],
    ['missing corruption', { ...E, fault: 'corrupt' }, 'corruption: required when fault=corrupt (one of truncate, garble, json, empty)'],
    ['bad corruption', { ...E, fault: 'corrupt', corruption: 'shred' }, 'corruption=shred: expected one of truncate, garble, json, empty'],
    ['corruption with fault=latency', { ...E, fault: 'latency', latencyMs: 1, corruption: 'garble' }, 'corruption=garble: only valid with fault=corrupt'],
    ['corrupt on the invocation', { ...E, target: 'invocation', fault: 'corrupt', corruption: 'garble' }, 'fault=corrupt: not valid with target=invocation; expected latency (delay before the handler runs) or error'],
    ['timeout on the invocation', { ...E, target: 'invocation', fault: 'timeout' }, 'fault=timeout: not valid with target=invocation'],
    ['respond on the invocation', { ...E, target: 'invocation', fault: 'respond', status: 200 }, 'fault=respond: not valid with target=invocation'],
    ['missing status', { ...E, fault: 'respond' }, 'status: required when fault=respond (an HTTP status from 100 to 599, e.g. 200)'],
    ['bad status', { ...E, fault: 'respond', status: 42 }, 'status=42: expected an HTTP status from 100 to 599, e.g. 200'],
    ['headers not a map', { ...E, fault: 'respond', status: 200, headers: ['a'] }, 'headers=["a"]: expected a map of header names to string values'],
    ['header value not a string', { ...E, fault: 'respond', status: 200, headers: { 'retry-after': 5 } }, 'headers.retry-after=5: expected a map of header names to string values'],
    ['bad header name', { ...E, fault: 'respond', status: 200, headers: { 'bad name': 'x' } }, 'headers.bad name: expected an HTTP header name such as content-type'],
    ['header value on two lines', { ...E, fault: 'respond', status: 200, headers: { a: 'x\r\ny: z' } }, 'headers.a=x\r\ny: z: expected a header value on one line'],
    ['body not a string', { ...E, fault: 'respond', status: 200, body: { a: 1 } }, 'body={"a":1}: expected a string (the response body as sent)'],
    ['status with fault=error', { ...BASE, status: 200 }, 'status=200: only valid with fault=respond (this rule has fault=error)'],
    ['sticky without a source', { ...BASE, sticky: 'x-user-id' }, 'sticky=x-user-id: expected header:<name>, event:<dot.path> or baggage:<key>'],
    ['sticky unknown source', { ...BASE, sticky: 'cookie:session' }, 'sticky=cookie:session: expected header:<name>, event:<dot.path> or baggage:<key>'],
    ['sticky bad header', { ...BASE, sticky: 'header:x user' }, 'sticky=header:x user: expected header:<name> with an HTTP header name'],
    ['sticky bad path', { ...BASE, sticky: 'event:detail..id' }, 'sticky=event:detail..id: expected event:<dot.path> into the event'],
    ['sticky not a string', { ...BASE, sticky: 5 }, 'sticky=5: expected header:<name>'],
    ['flapOnSeconds alone', { ...BASE, flapOnSeconds: 30 }, 'flapOffSeconds: required with flapOnSeconds'],
    ['flapOffSeconds alone', { ...BASE, flapOffSeconds: 30 }, 'flapOnSeconds: required with flapOffSeconds'],
    ['flap zero', { ...BASE, flapOnSeconds: 0, flapOffSeconds: 30 }, 'flapOnSeconds=0: expected a number of seconds above 0, e.g. 30'],
    ['flap and firstN', { ...BASE, flapOnSeconds: 1, flapOffSeconds: 1, firstN: 2 }, 'firstN: cannot be combined with flapOnSeconds/flapOffSeconds; choose one schedule'],
    ['firstN zero', { ...BASE, firstN: 0 }, 'firstN=0: expected a whole number of calls of at least 1, e.g. 3'],
    ['firstN fractional', { ...BASE, firstN: 1.5 }, 'firstN=1.5: expected a whole number of calls of at least 1'],
    ['expiresAt in milliseconds', { ...BASE, expiresAt: 1767225600000 }, 'expiresAt=1767225600000: expected epoch seconds (a whole number such as 1767225600; this looks like milliseconds)'],
    ['expiresAt not a number', { ...BASE, expiresAt: 'tomorrow' }, 'expiresAt=tomorrow: expected epoch seconds'],
    ['expiresAt zero', { ...BASE, expiresAt: 0 }, 'expiresAt=0: expected epoch seconds above 0'],
    ['createdAt negative', { ...BASE, createdAt: -1 }, 'createdAt=-1: expected epoch seconds'],
    ['createdBy not a string', { ...BASE, createdBy: 5 }, 'createdBy=5: expected a string naming who wrote the rule'],
    ['note not a string', { ...BASE, note: ['x'] }, 'note=["x"]: expected a string'],
    ['unknown attribute (typo)', { ...BASE, latency: 5 }, 'latency: unknown attribute; expected one of scope, id, enabled, target, fault, rate'],
    // DynamoDB NULL is a value of the wrong type, never "not set": `rate` NULL must not mean rate 1.
    ['rate NULL', { ...BASE, rate: null }, 'rate=NULL: expected a number between 0 and 1'],
    ['enabled NULL', { ...BASE, enabled: null }, 'enabled=NULL: expected true or false (BOOL)'],
    ['target NULL', { ...BASE, target: null }, 'target=NULL: expected aws:<service>[:<Operation>]'],
    ['note NULL', { ...BASE, note: null }, 'note=NULL: expected a string'],
    ['expiresAt NULL', { ...BASE, expiresAt: null }, 'expiresAt=NULL: expected epoch seconds'],
    ['latencyMs NULL', { ...E, fault: 'latency', latencyMs: null }, 'latencyMs=NULL: expected whole milliseconds'],
    ['target longer than 1024 characters, shown cut', { ...BASE, target: `http:a.example.com/${'x'.repeat(1006)}` },
      `target=http:a.example.com/${'x'.repeat(40)}…: expected at most 1024 characters (this one has 1025)`],
  ];
  for (const [name, item, message] of cases) {
    test(`${name} → ${message.split(':')[0]}`, () => {
      const clean = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
      const errors = errorsOf(clean);
      assert.ok(errors.some((e) => e.startsWith(message)), `${JSON.stringify(errors)}\nshould include a message starting with\n${JSON.stringify(message)}`);
    });
  }

  test('every bad attribute of an item is reported at once', () => {
    const errors = errorsOf({ scope: 'a b', id: 'x', target: 'nope', fault: 'latency', latencyMs: -1, rate: 2 });
    assert.equal(errors.length, 4, JSON.stringify(errors));
  });

  test('a non-object is refused without throwing', () => {
    for (const v of [null, 'x', 5, ['a']]) assert.equal(validateRuleItem(v as unknown as Record<string, unknown>).ok, false);
  });
});

describe('ruleToItem', () => {
  const items: Record<string, unknown>[] = [
    BASE,
    { ...BASE, scope: '*', enabled: false, rate: 0.25, expiresAt: 1767225600, createdAt: 1767224700, createdBy: 'me', note: 'n' },
    { ...BASE, target: 'http:api.example.com/v1/*', error: '503', sticky: 'header:x-user-id', firstN: 2 },
    { ...BASE, target: 'http:api.example.com', error: 'ECONNRESET', flapOnSeconds: 30, flapOffSeconds: 60 },
    { scope: 'f', id: 'l', target: 'invocation', fault: 'latency', latencyMs: 100, jitterMs: 20, sticky: 'event:detail.orderId' },
    { scope: 'f', id: 't', target: 'aws:s3', fault: 'timeout', timeoutMs: 2000 },
    { scope: 'f', id: 't2', target: 'aws:*', fault: 'timeout' },
    { scope: 'f', id: 'c', target: '*', fault: 'corrupt', corruption: 'json', sticky: 'baggage:user' },
    { scope: 'f', id: 'p', target: 'http:x.test', fault: 'respond', status: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' },
  ];
  for (const item of items) {
    test(`round-trips ${item.id} (${item.fault} on ${item.target})`, () => {
      const rule = ruleOf(item);
      const written = ruleToItem(rule);
      assert.deepEqual(ruleOf(written), rule);
      assert.deepEqual(ruleToItem(ruleOf(written)), written);
    });
  }

  test('writes error as a string, as docs/rules.md has it', () => {
    assert.equal(ruleToItem(ruleOf({ ...BASE, target: '*', error: 503 })).error, '503');
  });
});

describe('compileRuleSet', () => {
  const good = { ...BASE };
  test('no items: no rules, no kill switch, default guard', () => {
    const set = compileRuleSet([]);
    assert.deepEqual(set.rules, []);
    assert.equal(set.killSwitch, false);
    assert.equal(set.guard.productionLock, false);
    assert.deepEqual(set.problems, []);
  });

  const switchCases: [string, Record<string, unknown>, boolean, number][] = [
    ['enabled=false stands', { scope: '*', id: '#switch', enabled: false }, true, 0],
    ['enabled=true does not', { scope: '*', id: '#switch', enabled: true }, false, 0],
    ['without enabled it stands', { scope: '*', id: '#switch' }, true, 0],
    ['with a malformed enabled it stands, and says so', { scope: '*', id: '#switch', enabled: 'no' }, true, 1],
    ['#switch outside scope * is just a bad rule id', { scope: 'orders', id: '#switch', enabled: false }, false, 1],
  ];
  for (const [name, item, kill, problems] of switchCases) {
    test(`kill switch: ${name}`, () => {
      const set = compileRuleSet([good, item]);
      assert.equal(set.killSwitch, kill);
      assert.equal(set.problems.length, problems, JSON.stringify(set.problems));
      assert.equal(set.rules.length, 1);
    });
  }

  test('the #guard item gives the guardrails', () => {
    const set = compileRuleSet([{ scope: '*', id: '#guard', maxRate: 0.2, productionLock: true }, good]);
    assert.equal(set.guard.maxRate, 0.2);
    assert.equal(set.guard.productionLock, true);
    assert.deepEqual(set.problems, []);
  });

  test('a malformed #guard refuses every fault and is reported', () => {
    const set = compileRuleSet([{ scope: '*', id: '#guard', maxRate: 2 }, good]);
    assert.equal(set.problems.length, 1);
    assert.match(set.problems[0]!, /^guardrails \*\/#guard: maxRate=2: expected a number between 0 and 1; no faults anywhere until it is fixed$/);
    const v = guardVerdict(set.guard, 'orders-api', undefined);
    assert.equal(v.allowed, false);
    assert.ok(!v.allowed && v.reason.includes('maxRate=2'));
  });

  test('malformed items go to problems, one line each naming scope/id and the attribute; good ones stay', () => {
    const set = compileRuleSet([
      good,
      { ...BASE, id: 'bad-rate', rate: 3 },
      { ...BASE, id: 'bad-two', rate: 3, fault: 'explode' },
      { id: 'no-scope', target: '*', fault: 'latency', latencyMs: 1 },
      null as unknown as Record<string, unknown>,
      { ...BASE, scope: '*', id: 'g' },
    ]);
    assert.deepEqual(set.rules.map((r) => `${r.scope}/${r.id}`), ['orders-api/r1', '*/g']);
    assert.equal(set.problems.length, 4);
    assert.equal(set.problems[0], 'rule orders-api/bad-rate: rate=3: expected a number between 0 and 1');
    assert.match(set.problems[1]!, /^rule orders-api\/bad-two: fault=explode: .*; rate=3: /);
    assert.match(set.problems[2]!, /^rule undefined\/no-scope: scope: required/);
    assert.match(set.problems[3]!, /^item NULL: expected an object/);
  });

  test('never throws on odd values', () => {
    const odd: unknown[] = [{ scope: '*', id: '#guard', allowedFunctions: { a: 1 } }, { scope: {}, id: [], target: 1, fault: true }, { toString: null }];
    assert.doesNotThrow(() => compileRuleSet(odd as Record<string, unknown>[]));
  });
});

describe('compileMatcher', () => {
  const NOW = 1_767_225_600_000;
  const aws = (service: string, operation: string, host = `${service}.eu-west-1.amazonaws.com`): CallDescriptor => ({ kind: 'aws', service, operation, host, path: '/' });
  const http = (host: string, path = '/'): CallDescriptor => ({ kind: 'http', host, path });
  const INVOCATION: CallDescriptor = { kind: 'invocation' };
  const rule = (scope: string, id: string, target: string, extra: Record<string, unknown> = {}) => ({
    scope, id, target, fault: 'latency', latencyMs: 1, ...extra,
  });
  const matchId = (items: Record<string, unknown>[], call: CallDescriptor, fn = 'orders', now = NOW) => {
    const set = compileRuleSet(items);
    assert.deepEqual(set.problems, []);
    const m = compileMatcher(set, fn)(call, now);
    return m === undefined ? undefined : `${m.scope}/${m.id}`;
  };

  const everything = [
    rule('*', 'any', '*'),
    rule('*', 'host', 'http:dynamodb.*.amazonaws.com'),
    rule('*', 'hostpath', 'http:api.example.com/v1/*'),
    rule('*', 'api-host', 'http:api.example.com'),
    rule('*', 'aws-any', 'aws:*'),
    rule('*', 'ddb', 'aws:dynamodb'),
    rule('*', 'ddb-get', 'aws:dynamodb:GetItem'),
    rule('*', 'inv', 'invocation'),
  ];

  const precedence: [string, Record<string, unknown>[], CallDescriptor, string | undefined][] = [
    ['aws operation beats aws service', everything, aws('dynamodb', 'GetItem'), '*/ddb-get'],
    ['operation compared without case', everything, aws('dynamodb', 'getitem'), '*/ddb-get'],
    ['aws service beats aws:*', everything, aws('dynamodb', 'PutItem'), '*/ddb'],
    ['aws:* beats http host', everything, aws('s3', 'GetObject'), '*/aws-any'],
    ['http host+path beats http host', everything, http('api.example.com', '/v1/orders'), '*/hostpath'],
    ['http host when the path does not match', everything, http('api.example.com', '/v2/orders'), '*/api-host'],
    ['* last for http', everything, http('other.test'), '*/any'],
    ['aws rules never match plain http', [rule('*', 'a', 'aws:*')], http('api.example.com'), undefined],
    ['invocation only matches the invocation', everything, INVOCATION, '*/inv'],
    ['* does not match the invocation', [rule('*', 'any', '*')], INVOCATION, undefined],
    ['invocation rule does not match calls', [rule('*', 'inv', 'invocation')], http('x.test'), undefined],
    ['an http rule matches an aws call by host', [rule('*', 'h', 'http:dynamodb.*.amazonaws.com')], aws('dynamodb', 'Query'), '*/h'],
    ['an http host glob does not match another service', [rule('*', 'h', 'http:dynamodb.*.amazonaws.com')], aws('sqs', 'SendMessage'), undefined],
    ['host compared without case', [rule('*', 'h', 'http:API.example.com')], http('api.EXAMPLE.com'), '*/h'],
    ['host glob is anchored', [rule('*', 'h', 'http:example.com')], http('api.example.com'), undefined],
    ['host glob * spans dots', [rule('*', 'h', 'http:*.example.com')], http('a.b.example.com'), '*/h'],
    ['path glob * spans slashes', [rule('*', 'h', 'http:x.test/v1/*')], http('x.test', '/v1/a/b/c'), '*/h'],
    ['path glob is anchored', [rule('*', 'h', 'http:x.test/v1/*')], http('x.test', '/api/v1/a'), undefined],
    ['path is case-sensitive', [rule('*', 'h', 'http:x.test/V1/*')], http('x.test', '/v1/a'), undefined],
    ['exact path', [rule('*', 'h', 'http:x.test/health')], http('x.test', '/health'), '*/h'],
    ['dots in a glob are literal', [rule('*', 'h', 'http:x.test')], http('xxtest'), undefined],
    ['own scope beats * even when less specific', [rule('*', 'g', 'aws:dynamodb:GetItem'), rule('orders', 'o', '*')], aws('dynamodb', 'GetItem'), 'orders/o'],
    ['other functions\' rules are ignored', [rule('payments', 'p', '*')], http('x.test'), undefined],
    ['same specificity: ordered by id', [rule('*', 'b', 'aws:s3'), rule('*', 'a', 'aws:s3')], aws('s3', 'GetObject'), '*/a'],
    ['disabled rules are skipped', [rule('orders', 'off', 'aws:s3', { enabled: false }), rule('*', 'on', 'aws:*')], aws('s3', 'GetObject'), '*/on'],
    ['expired rules are skipped', [rule('orders', 'old', 'aws:s3', { expiresAt: NOW / 1000 }), rule('*', 'live', 'aws:*', { expiresAt: NOW / 1000 + 1 })], aws('s3', 'GetObject'), '*/live'],
    ['a host glob needs its literal parts', [rule('*', 'h', 'http:*.example.com')], http('example.com'), undefined],
    ['a host glob with * in the middle', [rule('*', 'h', 'http:sqs.*.amazonaws.com')], aws('sqs', 'SendMessage'), '*/h'],
    ['a literal host of another length', [rule('*', 'h', 'http:api.example.com')], http('api.example.co'), undefined],
    ['a call without a host misses http rules', [rule('*', 'h', 'http:*')], { kind: 'aws', service: 's3', operation: 'GetObject' }, undefined],
  ];
  for (const [name, items, call, expected] of precedence) {
    test(name, () => assert.equal(matchId(items, call), expected));
  }

  test('expiry is judged at the time passed in', () => {
    const items = [rule('orders', 'r', '*', { expiresAt: NOW / 1000 + 60 })];
    assert.equal(matchId(items, http('x.test'), 'orders', NOW + 59_999), 'orders/r');
    assert.equal(matchId(items, http('x.test'), 'orders', NOW + 60_000), undefined);
  });

  test('the kill switch stops every match', () => {
    const items = [...everything, { scope: '*', id: '#switch', enabled: false }];
    for (const call of [aws('dynamodb', 'GetItem'), http('x.test'), INVOCATION]) assert.equal(matchId(items, call), undefined);
    assert.deepEqual(matchCall(compileRuleSet(items), 'orders', http('x.test'), NOW), []);
  });

  test('matchCall lists every matching rule, most specific first', () => {
    const set = compileRuleSet([...everything, rule('orders', 'own', 'http:*')]);
    assert.deepEqual(
      matchCall(set, 'orders', aws('dynamodb', 'GetItem'), NOW).map((r) => r.id),
      ['own', 'ddb-get', 'ddb', 'aws-any', 'host', 'any'],
    );
    assert.deepEqual(matchCall(set, 'orders', INVOCATION, NOW).map((r) => r.id), ['inv']);
  });

  test('with 50 non-matching rules nothing matches, and the matcher agrees with matchCall', () => {
    const items = Array.from({ length: 50 }, (_, i) => rule('*', `r${i}`, i % 2 ? `aws:svc${i}:Op${i}` : `http:host${i}.test/p/*`));
    const set = compileRuleSet(items);
    const m = compileMatcher(set, 'orders');
    for (const call of [aws('dynamodb', 'GetItem'), http('api.example.com', '/v1'), http('host2.test', '/q')]) {
      assert.equal(m(call, NOW), undefined);
      assert.deepEqual(matchCall(set, 'orders', call, NOW), []);
    }
    assert.equal(m(http('host2.test', '/p/x'), NOW)?.id, 'r2');
  });
});

describe('compileMatcher against a plain reference', () => {
  // Written the slow, obvious way on purpose: globs by recursion, no RegExp, no precompiling.
  function globMatch(glob: string, text: string): boolean {
    if (glob === '') return text === '';
    if (glob[0] === '*') return globMatch(glob.slice(1), text) || (text !== '' && globMatch(glob, text.slice(1)));
    return text !== '' && glob[0] === text[0] && globMatch(glob.slice(1), text.slice(1));
  }
  function targetMatches(t: Target, call: CallDescriptor): boolean {
    switch (t.kind) {
      case 'invocation':
        return call.kind === 'invocation';
      case 'any':
        return call.kind !== 'invocation';
      case 'aws':
        return call.kind === 'aws' && (t.service === '*' || t.service === call.service) &&
          (t.operation === undefined || t.operation.toLowerCase() === call.operation?.toLowerCase());
      case 'http':
        return call.kind !== 'invocation' && call.host !== undefined && globMatch(t.host, call.host.toLowerCase()) &&
          (t.path === undefined || (call.path !== undefined && globMatch(t.path, call.path)));
    }
  }
  const specificity = (t: Target) =>
    t.kind === 'aws' ? (t.operation ? 5 : t.service !== '*' ? 4 : 3) : t.kind === 'http' ? (t.path ? 2 : 1) : t.kind === 'any' ? 0 : 6;
  function reference(rules: readonly Rule[], fn: string, call: CallDescriptor, nowMs: number): Rule | undefined {
    const live = rules.filter((r) => r.enabled && (r.scope === fn || r.scope === '*') && (r.expiresAt === undefined || r.expiresAt * 1000 > nowMs) && targetMatches(r.target, call));
    live.sort((a, b) => (a.scope === fn ? 0 : 1) - (b.scope === fn ? 0 : 1) || specificity(b.target) - specificity(a.target) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return live[0];
  }

  test('agrees on 3,000 seeded random rule sets and calls', () => {
    const random = seeded(20261123);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const services = ['dynamodb', 'sqs', 's3'];
    const ops = ['GetItem', 'PutItem', 'SendMessage', 'GetObject'];
    const hosts = ['api.example.com', 'dynamodb.eu-west-1.amazonaws.com', 'sqs.us-east-1.amazonaws.com', 'x.test', 'API.Example.com'];
    const hostGlobs = ['api.example.com', '*.example.com', 'dynamodb.*.amazonaws.com', '*.amazonaws.com', '*', 'x.test', 'x.*', '*test'];
    const paths = ['/', '/v1/orders', '/v1/orders/7', '/v2/x', '/health'];
    const pathGlobs = ['/v1/*', '/v1/orders/*', '/health', '/*/orders', '/*'];
    const targets = () =>
      pick([
        () => `aws:${pick(services)}:${pick(ops)}`,
        () => `aws:${pick(services)}`,
        () => 'aws:*',
        () => `http:${pick(hostGlobs)}${pick(pathGlobs)}`,
        () => `http:${pick(hostGlobs)}`,
        () => '*',
        () => 'invocation',
      ])();
    const NOW = 1_800_000_000_000;
    let matched = 0;
    for (let round = 0; round < 3000; round++) {
      const items = Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) => ({
        scope: pick(['orders', '*', 'payments']),
        id: `r${Math.floor(random() * 6)}-${i}`,
        target: targets(),
        fault: 'latency',
        latencyMs: 1,
        enabled: random() > 0.1,
        ...(random() < 0.2 ? { expiresAt: NOW / 1000 + pick([-1, 0, 1]) } : {}),
      }));
      const set = compileRuleSet(items);
      assert.deepEqual(set.problems, []);
      const kind = pick(['aws', 'http', 'invocation'] as const);
      const service = pick(services);
      const call: CallDescriptor =
        kind === 'invocation'
          ? { kind }
          : kind === 'aws'
            ? { kind, service, operation: pick(ops), host: pick(hosts), path: pick(paths) }
            : { kind, host: pick(hosts), path: pick(paths) };
      const expected = reference(set.rules, 'orders', call, NOW);
      const got = compileMatcher(set, 'orders')(call, NOW);
      assert.equal(got, expected, `round ${round}: ${JSON.stringify(items)} with ${JSON.stringify(call)}`);
      if (got !== undefined) matched++;
    }
    // Both outcomes must be common, or the comparison proves little.
    assert.ok(matched > 600 && matched < 2400, `${matched} of 3000 rounds matched`);
  });
});

describe('shouldHit', () => {
  const NOW = 1_767_225_600_000;
  const ctx = (over: Partial<HitContext> = {}): HitContext => ({
    random: () => assert.fail('random must not be consulted'),
    nowMs: NOW,
    stickyValue: undefined,
    counters: new Map(),
    ...over,
  });

  test('rate 1 always hits and rate 0 never, without drawing', () => {
    assert.equal(shouldHit(ruleOf(BASE), ctx()), true);
    assert.equal(shouldHit(ruleOf({ ...BASE, rate: 0 }), ctx()), false);
  });

  test('rate 0.3 with a seeded PRNG: observed within ±5% over 2,000 calls', () => {
    const rule = ruleOf({ ...BASE, rate: 0.3 });
    const c = ctx({ random: seeded(42) });
    let hits = 0;
    for (let i = 0; i < 2000; i++) if (shouldHit(rule, c)) hits++;
    assert.ok(Math.abs(hits / 2000 - 0.3) <= 0.05, `observed ${hits / 2000}`);
  });

  test('a rate override (guardrail cap) replaces the rule rate', () => {
    const rule = ruleOf(BASE);
    const c = ctx({ random: seeded(7), rate: 0.1 });
    let hits = 0;
    for (let i = 0; i < 2000; i++) if (shouldHit(rule, c)) hits++;
    assert.ok(Math.abs(hits / 2000 - 0.1) <= 0.05, `observed ${hits / 2000}`);
    assert.equal(shouldHit(rule, ctx({ rate: 0 })), false);
  });

  describe('sticky', () => {
    const sticky = ruleOf({ ...BASE, rate: 0.3, sticky: 'header:x-user-id' });

    test('the same value gets the same decision across 1,000 calls, and random is never drawn', () => {
      for (const value of ['user-1', 'user-2', 'user-3', 'user-42', 'order-9']) {
        const first = shouldHit(sticky, ctx({ stickyValue: value }));
        for (let i = 0; i < 1000; i++) assert.equal(shouldHit(sticky, ctx({ stickyValue: value, nowMs: NOW + i })), first);
      }
    });

    test('the decision does not depend on the function: the same rule id and value decide', () => {
      const other = ruleOf({ ...BASE, scope: 'payments', rate: 0.3, sticky: 'baggage:user' });
      for (let i = 0; i < 200; i++) {
        const v = `user-${i}`;
        assert.equal(shouldHit(sticky, ctx({ stickyValue: v })), shouldHit(other, ctx({ stickyValue: v })));
      }
    });

    test('about rate of all values are hit', () => {
      let hits = 0;
      for (let i = 0; i < 10_000; i++) if (shouldHit(sticky, ctx({ stickyValue: `user-${i}` }))) hits++;
      assert.ok(Math.abs(hits / 10_000 - 0.3) <= 0.03, `observed ${hits / 10_000}`);
    });

    test('another rule id picks other values', () => {
      let same = 0;
      for (let i = 0; i < 1000; i++) {
        const a = stickyBucket('rule-a', `user-${i}`) < 0.5;
        const b = stickyBucket('rule-b', `user-${i}`) < 0.5;
        if (a === b) same++;
      }
      assert.ok(same > 400 && same < 600, `agreement ${same}/1000 should be near half`);
    });

    test('a call without a value is spared', () => {
      assert.equal(shouldHit(ruleOf({ ...BASE, sticky: 'header:x-user-id' }), ctx()), false);
    });

    test('buckets lie in [0, 1)', () => {
      for (let i = 0; i < 1000; i++) {
        const b = stickyBucket(`r${i}`, `v${i * 7}`);
        assert.ok(b >= 0 && b < 1);
      }
    });
  });

  test('flap: on for onSeconds, off for offSeconds, anchored at createdAt', () => {
    const createdAt = 1_767_225_000;
    const flap = ruleOf({ ...BASE, flapOnSeconds: 30, flapOffSeconds: 60, createdAt });
    const at = (s: number) => shouldHit(flap, ctx({ nowMs: (createdAt + s) * 1000 }));
    const phases: [number, boolean][] = [
      [0, true], [29.999, true], [30, false], [89.999, false], [90, true], [119, true], [120, false], [900, true], [-61, true], [-1, false],
    ];
    for (const [s, on] of phases) assert.equal(at(s), on, `at ${s}s after createdAt`);
  });

  test('flap without createdAt is anchored at epoch 0', () => {
    const flap = ruleOf({ ...BASE, flapOnSeconds: 10, flapOffSeconds: 10 });
    assert.equal(shouldHit(flap, ctx({ nowMs: 1_000_000_005_000 })), true);
    assert.equal(shouldHit(flap, ctx({ nowMs: 1_000_000_015_000 })), false);
  });

  test('firstN: the first N hits, then none, counted per rule', () => {
    const a = ruleOf({ ...BASE, id: 'a', firstN: 3 });
    const b = ruleOf({ ...BASE, id: 'b', firstN: 1 });
    const c = ctx();
    const seen = Array.from({ length: 5 }, () => shouldHit(a, c));
    assert.deepEqual(seen, [true, true, true, false, false]);
    assert.equal(shouldHit(b, c), true);
    assert.equal(shouldHit(b, c), false);
    // A copy of the rule (the engine caps rates by copying) shares the count.
    assert.equal(shouldHit({ ...a, rate: 1 }, c), false);
  });

  test('firstN counts only hits: misses by rate do not use it up', () => {
    const rule = ruleOf({ ...BASE, rate: 0.5, firstN: 2 });
    const draws = [0.9, 0.1, 0.9, 0.2, 0.1];
    let i = 0;
    const c = ctx({ random: () => draws[i++]! });
    assert.deepEqual(draws.map(() => shouldHit(rule, c)), [false, true, false, true, false]);
  });

  test('firstN does not count calls made while a flap is off', () => {
    // firstN and flap cannot be combined in one rule; a flap miss must not touch counters either.
    const flap = ruleOf({ ...BASE, flapOnSeconds: 1, flapOffSeconds: 1, createdAt: 0 });
    const c = ctx({ nowMs: 1500 });
    assert.equal(shouldHit(flap, c), false);
    assert.equal(c.counters.size, 0);
  });
});

describe('stickyValueOf', () => {
  const event = {
    headers: { 'X-User-Id': 'u-1', Accept: 'json' },
    multiValueHeaders: { 'X-Tenant': ['t-1', 't-2'] },
    detail: { orderId: 'o-9', count: 3, flag: false, nested: { list: [{ id: 'deep' }] } },
    Records: [{ body: '{"orderId":"o-sqs"}' }],
  };
  const cases: [string, Parameters<typeof stickyValueOf>[1], string | undefined][] = [
    ['header:x-user-id', { headers: { 'x-user-id': 'direct' } }, 'direct'],
    ['header:x-user-id', { headers: { 'X-USER-ID': ['first', 'second'] } }, 'first'],
    ['header:x-user-id', { event }, 'u-1'],
    ['header:x-tenant', { event }, 't-1'],
    ['header:x-missing', { event }, undefined],
    ['header:x-user-id', {}, undefined],
    ['event:detail.orderId', { event }, 'o-9'],
    ['event:detail.count', { event }, '3'],
    ['event:detail.flag', { event }, 'false'],
    ['event:detail.nested.list.0.id', { event }, 'deep'],
    ['event:detail.nested', { event }, undefined],
    ['event:detail.missing.x', { event }, undefined],
    ['event:Records.0.body.orderId', { event }, 'o-sqs'],
    ['event:detail.orderId', { event: 'not an object' }, undefined],
    ['event:detail.orderId', {}, undefined],
    ['baggage:user', { baggage: new Map([['user', 'b-1']]) }, 'b-1'],
    ['baggage:user', { baggage: new Map([['User', 'b-1']]) }, undefined],
    ['baggage:user', {}, undefined],
  ];
  for (const [text, source, expected] of cases) {
    test(`${text} from ${Object.keys(source).join('+') || 'nothing'} → ${expected}`, () => {
      const r = validateRuleItem({ ...BASE, sticky: text });
      assert.ok(r.ok && r.rule.sticky);
      assert.equal(stickyValueOf(r.rule.sticky, source), expected);
    });
  }
});

describe('describeReach', () => {
  const cases: [Record<string, unknown>, string[] | undefined, RegExp[]][] = [
    [BASE, undefined, [/^functions: orders-api only$/, /^calls: AWS SDK dynamodb GetItem calls \(aws:dynamodb:GetItem\)$/, /SDK raises ThrottlingException and retries/, /^chance: every matching call$/, /^expires: never/]],
    [{ ...BASE, scope: '*', rate: 0.3 }, ['a', 'b'], [/^functions: every function \(scope \*\), e\.g\. a, b$/, /^chance: 30% of matching calls$/]],
    [BASE, ['payments'], [/orders-api is not among the known functions \(payments\)/]],
    [{ ...BASE, target: 'http:api.example.com/v1/*', error: '503' }, undefined, [/^calls: HTTP\(S\) calls to host api\.example\.com with path \/v1\/\*/, /HTTP 503 response/]],
    [{ ...BASE, target: '*', error: 'ECONNRESET' }, undefined, [/every outgoing AWS SDK and HTTP\(S\) call \(not the invocation itself\)/, /connection fails with ECONNRESET/]],
    [{ ...BASE, target: 'invocation', fault: 'latency', error: undefined, latencyMs: 500, jitterMs: 100 }, undefined, [/the invocation itself/, /500 ms \(± up to 100 ms\) added before the handler runs/]],
    [{ ...BASE, target: 'invocation', error: '502' }, undefined, [/invocation fails with an error carrying status 502/]],
    [{ ...BASE, sticky: 'header:x-user-id', rate: 0.1 }, undefined, [/^chance: 10% of header:x-user-id values, always the same ones/]],
    [{ ...BASE, flapOnSeconds: 30, flapOffSeconds: 90 }, undefined, [/^schedule: on for 30s, then off for 1m 30s, repeating$/]],
    [{ ...BASE, firstN: 2 }, undefined, [/^schedule: only the first 2 hit\(s\)/]],
    [{ ...BASE, expiresAt: 1767225600 }, undefined, [/^expires: 2026-01-01T00:00:00\.000Z$/]],
    [{ ...BASE, enabled: false }, undefined, [/^disabled: /]],
    [{ ...BASE, fault: 'timeout', error: undefined, timeoutMs: 1000 }, undefined, [/hangs until the client's own timeout or the function's remaining time or 1000 ms/]],
    [{ ...BASE, fault: 'corrupt', error: undefined, corruption: 'garble' }, undefined, [/corrupted \(garble\)/]],
    [{ ...BASE, fault: 'respond', error: undefined, status: 200, body: 'ok' }, undefined, [/recorded one \(status 200, 0 header\(s\), 2-character body\)/]],
  ];
  for (const [item, known, patterns] of cases) {
    test(`${item.target} ${item.fault} ${JSON.stringify(known ?? '')}`, () => {
      const lines = describeReach(ruleOf(item), known);
      for (const p of patterns) assert.ok(lines.some((l) => p.test(l)), `${JSON.stringify(lines, null, 1)}\nshould have a line matching ${p}`);
    });
  }

  test('with the time, says how long is left', () => {
    const lines = describeReach(ruleOf({ ...BASE, expiresAt: 1767225600 }), undefined, 1767225600_000 - 872_000);
    assert.ok(lines.includes('expires: 2026-01-01T00:00:00.000Z (in 14m 32s)'), JSON.stringify(lines));
  });
});

test('decisionOf carries the rule id, scope, target text and fault', () => {
  const rule = ruleOf({ ...BASE, target: 'aws:DynamoDB:GetItem' });
  assert.deepEqual(decisionOf(rule), {
    ruleId: 'r1',
    scope: 'orders-api',
    targetText: 'aws:DynamoDB:GetItem',
    fault: { type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } },
  });
});

describe('the bounds users read about are the bounds the code enforces', () => {
  test('docs/rules.md and the CLI help state the target length; docs/rules.md states the rule count', async () => {
    const { readFileSync } = await import('node:fs');
    const { MAX_TARGET_LENGTH } = await import('../../src/chaos/rules/target.js');
    const { MAX_RULE_ITEMS } = await import('../../src/chaos/rules/ruleSet.js');
    const readme = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');
    const cli = readFileSync(new URL('../../cli/commands/chaos/set.ts', import.meta.url), 'utf8');
    assert.match(readme, new RegExp(`\`target\`: at most ${MAX_TARGET_LENGTH} characters`));
    assert.match(cli, new RegExp(`at most ${MAX_TARGET_LENGTH} characters`));
    assert.match(readme, new RegExp(`at most ${MAX_RULE_ITEMS.toLocaleString('en-US')} items per function`));
  });
});
