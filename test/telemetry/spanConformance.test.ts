// Conformance of the agent's own span (src/telemetry/tracing/span.ts) with the OpenTelemetry SDK's
// (@opentelemetry/sdk-trace-base): each case drives an AgentSpan and an SDK span through the
// same calls, with the same span limits read from the environment as config.ts reads them,
// and compares what an exporter sees. Fixed cases name each rule; fast-check drives random
// call sequences. Where the agent deliberately differs, a test below names the difference and
// its reason, and fails if either side changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type SpanStatus,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { spanLimitsFromEnv } from '../../src/config.js';
import { AgentSpan, type SpanLimits } from '../../src/telemetry/tracing/span.js';
import { AgentTracerProvider } from '../../src/telemetry/tracing/tracer.js';
import { createRedactor, REDACTED } from '../../src/telemetry/redaction/redact.js';

type Env = Record<string, string>;

class Collect implements SpanProcessor {
  readonly ended: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const resource = resourceFromAttributes({ 'service.name': 'conformance' });

/** The limits both spans get: read from OTEL_* variables by the agent's config, as in production. */
function limitsOf(env: Env): SpanLimits {
  const problems: string[] = [];
  const limits = spanLimitsFromEnv(env, problems as never);
  assert.deepEqual(problems, [], 'the test sets only valid limits');
  return limits;
}

function pair(env: Env, redacting = false) {
  const limits = limitsOf(env);
  const ours = new Collect();
  const redactor = redacting ? createRedactor([]) : undefined;
  const agent = new AgentTracerProvider(ours, limits, resource, redactor).getTracer('conformance');
  const exporter = new InMemorySpanExporter();
  const sdk = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    resource,
    spanLimits: { ...limits },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer('conformance');
  return { agent, sdk, ours, exporter };
}

type Script = (span: Span) => void;

/** Where a script leaves a span open, both end at this time, so end times compare too. */
const END = new Date(1_900_000_000_000);

/** Runs the script on both spans, started alike; returns both spans and both as exporters see them. */
function run(env: Env, options: SpanOptions, script: Script, redacting = false) {
  const p = pair(env, redacting);
  const a = p.agent.startSpan('op', options, ROOT_CONTEXT);
  const s = p.sdk.startSpan('op', options, ROOT_CONTEXT);
  script(a);
  script(s);
  if (a.isRecording()) a.end(END);
  if (s.isRecording()) s.end(END);
  assert.equal(p.ours.ended.length, 1, 'the agent span reached its processor once');
  assert.equal(p.exporter.getFinishedSpans().length, 1, 'the SDK span reached its processor once');
  return { ours: p.ours.ended[0]!, sdk: p.exporter.getFinishedSpans()[0]!, agentSpan: a, sdkSpan: s };
}

/** What an exporter reads of a span, ids and times left out (times compared where given). */
function view(s: ReadableSpan) {
  return {
    name: s.name,
    kind: s.kind,
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
    links: s.links.map((l) => ({ ...l })),
    status: s.status,
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
    ended: s.ended,
  };
}

function conforms(env: Env, options: SpanOptions, script: Script) {
  const r = run(env, options, script);
  assert.deepStrictEqual(view(r.ours), view(r.sdk));
  return r;
}

const ctx = (n: number): SpanContext => ({
  traceId: n.toString(16).padStart(32, '0'),
  spanId: n.toString(16).padStart(16, '0'),
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
});

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
after(() => {
  context.disable();
});

// Values a caller may hand setAttribute and friends, valid and not.
const VALUES: ReadonlyArray<[string, unknown]> = [
  ['string', 'value-longer-than-limits'],
  ['empty string', ''],
  ['number', 42],
  ['NaN', NaN],
  ['boolean', false],
  ['string array', ['abcdefgh', 'ab']],
  ['number array with null', [1, null, 3]],
  ['empty array', []],
  ['null', null],
  ['undefined', undefined],
  ['object', { nested: true }],
  ['mixed array', ['a', 1]],
  ['nested array', [['a']]],
  ['array of objects', [{}]],
  ['function', () => 1],
  ['symbol', Symbol('s')],
  ['bigint', 10n],
  ['Date', new Date(0)],
];

describe('attributes', () => {
  const limitEnvs: ReadonlyArray<[string, Env]> = [
    ['defaults', {}],
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT=3', { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3' }],
    ['OTEL_ATTRIBUTE_COUNT_LIMIT=2 (the general fallback)', { OTEL_ATTRIBUTE_COUNT_LIMIT: '2' }],
    ['OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT=0', { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '0' }],
    ['OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT=4', { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4' }],
    ['OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=3 (the general fallback)', { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3' }],
    ['OTEL_SPAN_ over OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '6', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '2' }],
    ['length limit 0 (no cut)', { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0' }],
  ];
  for (const [label, env] of limitEnvs) {
    test(`${label}: every value kind through setAttribute, setAttributes and the start options`, () => {
      const initial: Attributes = {};
      VALUES.forEach(([, v], i) => (initial[`init.${i}`] = v as never));
      const r = conforms(env, { attributes: initial }, (span) => {
        for (const [kind, v] of VALUES) span.setAttribute(`one.${kind}`, v as never);
        const bulk: Attributes = {};
        for (const [kind, v] of VALUES) bulk[`bulk.${kind}`] = v as never;
        span.setAttributes(bulk);
        span.setAttribute('', 'empty key');
        // Overwriting a key already held is allowed at the limit and not counted as a drop.
        span.setAttribute('init.0', 'overwritten');
        span.setAttribute('one.string', 'overwritten');
      });
      assert.ok(Object.keys(r.sdk.attributes).length > 0 || env.OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT === '0', 'the case recorded something');
    });
  }

  test('a stored array is a copy: the caller changing it later changes neither span', () => {
    const forAgent = ['a', 'b'];
    const forSdk = ['a', 'b'];
    const r = conforms({}, {}, (span) => span.setAttribute('arr', span instanceof AgentSpan ? forAgent : forSdk));
    forAgent.push('later');
    forSdk.push('later');
    assert.deepStrictEqual(view(r.ours), view(r.sdk));
  });
});

describe('status precedence', () => {
  const U: SpanStatus = { code: SpanStatusCode.UNSET };
  const OK: SpanStatus = { code: SpanStatusCode.OK, message: 'ok message is dropped' };
  const E1: SpanStatus = { code: SpanStatusCode.ERROR, message: 'first' };
  const E2: SpanStatus = { code: SpanStatusCode.ERROR, message: 'second' };
  const E_NO_MSG: SpanStatus = { code: SpanStatusCode.ERROR };
  const E_BAD_MSG = { code: SpanStatusCode.ERROR, message: 42 } as unknown as SpanStatus;
  const cases: ReadonlyArray<[string, SpanStatus[], SpanStatus]> = [
    ['nothing set stays UNSET', [], { code: SpanStatusCode.UNSET }],
    ['UNSET alone is ignored', [U], { code: SpanStatusCode.UNSET }],
    ['ERROR keeps its message', [E1], { code: SpanStatusCode.ERROR, message: 'first' }],
    ['a later ERROR replaces an ERROR', [E1, E2], { code: SpanStatusCode.ERROR, message: 'second' }],
    ['UNSET after ERROR is ignored', [E1, U], { code: SpanStatusCode.ERROR, message: 'first' }],
    ['OK over ERROR', [E1, OK], { code: SpanStatusCode.OK }],
    ['OK is final: ERROR after OK is ignored', [OK, E1], { code: SpanStatusCode.OK }],
    ['UNSET after OK is ignored', [OK, U], { code: SpanStatusCode.OK }],
    ['a message only with ERROR (OK drops it)', [OK], { code: SpanStatusCode.OK }],
    ['ERROR without a message', [E_NO_MSG], { code: SpanStatusCode.ERROR }],
    ['a non-string message is dropped', [E_BAD_MSG], { code: SpanStatusCode.ERROR }],
  ];
  for (const [label, statuses, expected] of cases) {
    test(label, () => {
      const r = conforms({}, {}, (span) => statuses.forEach((s) => span.setStatus(s)));
      assert.deepStrictEqual(r.sdk.status, expected, 'SDK reference');
    });
  }
});

describe('events', () => {
  const T0 = 1_700_000_000_000;
  const cases: ReadonlyArray<[string, Env, Script]> = [
    ['attributes, and a time as 2nd or 3rd argument', {}, (span) => {
      span.addEvent('attrs', { a: 'x', n: 1, bad: { o: 1 } as never, nul: null as never, '': 'empty key' }, T0);
      span.addEvent('time 2nd', new Date(T0));
      span.addEvent('time 2nd ms', T0 + 5);
      span.addEvent('time 2nd hr', [1_700_000_001, 500_000_000]);
      span.addEvent('attrs and time', { k: 'v' }, new Date(T0 + 10));
      span.addEvent('time twice: 3rd wins', new Date(T0 + 1), new Date(T0 + 2));
    }],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT=2 keeps the newest and counts the dropped', { OTEL_SPAN_EVENT_COUNT_LIMIT: '2' }, (span) => {
      for (let i = 0; i < 5; i++) span.addEvent(`e${i}`, { i }, T0 + i);
    }],
    ['OTEL_SPAN_EVENT_COUNT_LIMIT=0 drops every event', { OTEL_SPAN_EVENT_COUNT_LIMIT: '0' }, (span) => {
      span.addEvent('a', T0);
      span.addEvent('b', T0);
      span.recordException(new Error('x'), T0);
    }],
    ['OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT=2 and a value length limit', { OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '2', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3' }, (span) => {
      span.addEvent('e', { a: 'abcdef', b: ['abcdef', 'x'], c: 3, d: 4, bad: {} as never }, T0);
    }],
    ['event attributes that are not an object are ignored', {}, (span) => {
      span.addEvent('string attrs', 'abc' as never, T0);
      span.addEvent('null attrs', null as never, T0);
      span.addEvent('array attrs', ['x', 'y'] as never, T0);
    }],
  ];
  for (const [label, env, script] of cases) {
    test(label, () => {
      const r = conforms(env, {}, script);
      assert.deepStrictEqual(
        r.ours.events.map((e) => e.time),
        r.sdk.events.map((e) => e.time),
        'event times given as Date, epoch ms or [s, ns] are the same',
      );
    });
  }

  test('an event without a time is stamped between the calls around it, on both spans', () => {
    const { agent, sdk, ours, exporter } = pair({});
    for (const [tracer, done] of [[agent, () => ours.ended[0]!], [sdk, () => exporter.getFinishedSpans()[0]!]] as const) {
      const span = tracer.startSpan('t', {}, ROOT_CONTEXT);
      const before = Date.now();
      span.addEvent('now');
      const afterMs = Date.now();
      span.end();
      const t = done().events[0]!.time;
      const ms = t[0] * 1e3 + t[1] / 1e6;
      assert.ok(ms >= before - 1 && ms <= afterMs + 1, `${ms} within [${before}, ${afterMs}]`);
    }
  });
});

describe('links', () => {
  const cases: ReadonlyArray<[string, Env, Link[], Script]> = [
    ['at start and via addLink/addLinks; attributes omitted when empty', {}, [{ context: ctx(1), attributes: { a: 1 } }, { context: ctx(2) }], (span) => {
      span.addLink({ context: ctx(3), attributes: {} });
      span.addLinks([{ context: ctx(4), attributes: { bad: { o: 1 } as never } }, { context: ctx(5), attributes: { s: 'x' } }]);
    }],
    ['OTEL_SPAN_LINK_COUNT_LIMIT=2 keeps the newest and counts the dropped', { OTEL_SPAN_LINK_COUNT_LIMIT: '2' }, [{ context: ctx(1) }, { context: ctx(2) }], (span) => {
      span.addLink({ context: ctx(3) });
      span.addLink({ context: ctx(4) });
    }],
    ['OTEL_SPAN_LINK_COUNT_LIMIT=0 drops every link', { OTEL_SPAN_LINK_COUNT_LIMIT: '0' }, [{ context: ctx(1) }], (span) => {
      span.addLink({ context: ctx(2) });
    }],
    ['OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT=1 and a value length limit', { OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '1', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '2' }, [{ context: ctx(1), attributes: { a: 'abc', b: 'abc' } }], (span) => {
      span.addLink({ context: ctx(2), attributes: { x: ['abc'], y: 1, z: 2 } });
    }],
    ['link attributes that are not an object are ignored', {}, [], (span) => {
      span.addLink({ context: ctx(1), attributes: 'abc' as never });
    }],
  ];
  for (const [label, env, links, script] of cases) test(label, () => void conforms(env, { links }, script));
});

describe('end, and everything after it', () => {
  test('a second end() is ignored: one export, the first end time kept', () => {
    const r = conforms({}, { startTime: new Date(1_000) }, (span) => {
      span.end(new Date(2_000));
      span.end(new Date(3_000));
    });
    assert.deepStrictEqual(r.ours.endTime, r.sdk.endTime);
    assert.deepStrictEqual(r.ours.duration, r.sdk.duration);
    assert.deepStrictEqual(r.sdk.endTime, [2, 0], 'SDK reference');
  });

  test('an end time before the start gives a zero duration', () => {
    const r = conforms({}, { startTime: new Date(5_000) }, (span) => span.end(new Date(4_000)));
    assert.deepStrictEqual(r.ours.duration, r.sdk.duration);
    assert.deepStrictEqual(r.ours.endTime, r.sdk.endTime);
  });

  test('after end(): attributes, events, links, status, name and exceptions are all ignored; isRecording is false', () => {
    const r = conforms({}, {}, (span) => {
      span.setAttribute('before', 1);
      assert.equal(span.isRecording(), true);
      span.end();
      assert.equal(span.isRecording(), false);
      span.setAttribute('after', 1);
      span.setAttributes({ after2: 2 });
      span.addEvent('after');
      span.addLink({ context: ctx(1) });
      span.addLinks([{ context: ctx(2) }]);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'after' });
      span.updateName('after');
      span.recordException(new Error('after'));
    });
    assert.equal(r.ours.name, 'op');
    assert.equal(r.agentSpan.isRecording(), r.sdkSpan.isRecording());
  });

  test('updateName before end renames', () => {
    const r = conforms({}, {}, (span) => span.updateName('renamed'));
    assert.equal(r.sdk.name, 'renamed');
  });
});

describe('recordException', () => {
  class Coded extends Error {
    constructor(public code: unknown) {
      super('coded');
    }
  }
  const named = new Error('named');
  named.name = 'CustomError';
  const noStack = new Error('no stack');
  noStack.stack = undefined;
  const cases: ReadonlyArray<[string, unknown]> = [
    ['an Error', new Error('boom')],
    ['an Error with a name', named],
    ['an Error without a stack', noStack],
    ['a code (string) wins over the name', new Coded('E42')],
    ['a numeric code is a string', new Coded(500)],
    ['a code of 0 falls back to the name', new Coded(0)],
    ['a plain object with message', { message: 'plain' }],
    ['a plain object with name only', { name: 'OnlyName' }],
    ['a string is the message', 'as string'],
    ['an empty string records nothing', ''],
    ['an empty object records nothing', {}],
    ['an Error with an empty message still has its type', new Error('')],
  ];
  for (const [label, exception] of cases) {
    test(label, () => void conforms({}, {}, (span) => span.recordException(exception as never, new Date(1_700_000_000_000))));
  }
  test('null and undefined record nothing', () => {
    const r = conforms({}, {}, (span) => {
      span.recordException(null as never);
      span.recordException(undefined as never);
    });
    assert.equal(r.sdk.events.length, 0);
  });
});

// ---------------------------------------------------------------- random call sequences

const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'http.url', '');
const valueArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.constantFrom<unknown>(null, undefined, { o: 1 }, ['a', 1], [[1]], Symbol.for('s')),
);
const attrsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 4 }) as fc.Arbitrary<Attributes>;
const timeArb = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }).map((ms) => new Date(ms)),
  fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }),
);
const statusArb = fc.record({
  code: fc.constantFrom(SpanStatusCode.UNSET, SpanStatusCode.OK, SpanStatusCode.ERROR),
  message: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
});
const linkArb = fc.record({ context: fc.integer({ min: 1, max: 9 }).map(ctx), attributes: fc.option(attrsArb, { nil: undefined }) });

// Each call as data, so a counterexample prints as the calls that broke conformance.
type Op = { call: keyof Span; args: unknown[] };
const op = (call: keyof Span) => (args: unknown[]): Op => ({ call, args });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.tuple(keyArb, valueArb).map(op('setAttribute')),
  attrsArb.map((a) => op('setAttributes')([a])),
  fc.tuple(fc.string({ maxLength: 5 }), fc.option(attrsArb, { nil: undefined }), timeArb).map(([n, a, t]) => op('addEvent')(a === undefined ? [n, t] : [n, a, t])),
  linkArb.map((l) => op('addLink')([l])),
  fc.array(linkArb, { maxLength: 3 }).map((ls) => op('addLinks')([ls])),
  statusArb.map((st) => op('setStatus')([st])),
  fc.string({ maxLength: 6 }).map((n) => op('updateName')([n])),
  fc.tuple(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      // Plain objects: one without a prototype makes the SDK throw (see the deliberate differences).
      fc.record({ name: fc.string({ maxLength: 4 }), message: fc.string({ maxLength: 4 }), code: fc.option(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { nil: undefined }) }).map((e) => ({ ...e })),
    ),
    timeArb,
  ).map(op('recordException')),
  timeArb.map((t) => op('end')([t])),
);
const apply = (span: Span, o: Op): void => void (span[o.call] as (...a: unknown[]) => unknown).apply(span, o.args);
const limitEnvArb = fc.record(
  {
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: fc.integer({ min: 0, max: 4 }).map(String),
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: fc.integer({ min: 0, max: 6 }).map(String),
    OTEL_SPAN_EVENT_COUNT_LIMIT: fc.integer({ min: 0, max: 3 }).map(String),
    OTEL_SPAN_LINK_COUNT_LIMIT: fc.integer({ min: 0, max: 3 }).map(String),
    OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: fc.integer({ min: 0, max: 3 }).map(String),
    OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: fc.integer({ min: 0, max: 3 }).map(String),
  },
  { requiredKeys: [] },
);

test('random sequences of calls, under random limits, export the same span', () => {
  fc.assert(
    fc.property(
      limitEnvArb,
      fc.option(attrsArb, { nil: undefined }),
      fc.array(linkArb, { maxLength: 3 }),
      fc.array(opArb, { maxLength: 25 }),
      (env, attributes, links, ops) => {
        const options: SpanOptions = { kind: SpanKind.CONSUMER, startTime: new Date(1_600_000_000_000), links };
        if (attributes !== undefined) options.attributes = attributes;
        const r = run(env as Env, options, (span) => ops.forEach((o) => apply(span, o)));
        assert.deepStrictEqual(view(r.ours), view(r.sdk));
        assert.deepStrictEqual(r.ours.events.map((e) => e.time), r.sdk.events.map((e) => e.time));
        assert.deepStrictEqual(r.ours.endTime, r.sdk.endTime);
      },
    ),
    { numRuns: 300 },
  );
});

// ---------------------------------------------------------------- deliberate differences

describe('where the agent deliberately differs from the SDK', () => {
  test('redaction (never leak): with the agent\'s redactor, sensitive keys, credentials in strings, names, status messages and exceptions are scrubbed; the SDK records them as given', () => {
    const secret = 'hunter2-s3cr3t';
    const r = run(
      {},
      { attributes: { password: secret } },
      (span) => {
        span.setAttribute('authorization', 'Bearer abc.def.ghi');
        span.setAttribute('note', `login with password=${secret}`);
        span.updateName(`GET /?token=${secret}`);
        span.setStatus({ code: SpanStatusCode.ERROR, message: `failed: password=${secret}` });
        span.recordException(new Error(`boom: token=${secret}`), new Date(0));
      },
      true,
    );
    assert.equal(r.ours.attributes['password'], REDACTED);
    assert.equal(r.ours.attributes['authorization'], REDACTED);
    assert.equal(r.sdk.attributes['password'], secret);
    const exported = JSON.stringify(view(r.ours));
    assert.ok(!exported.includes(secret), `the agent span carries no credential: ${exported}`);
    assert.ok(JSON.stringify(view(r.sdk)).includes(secret), 'the SDK records what it is given');
  });

  test('recordException of an object with neither type nor message and no prototype (never hurt the function): the agent records nothing; the SDK throws formatting it into a warning', () => {
    const bare = Object.assign(Object.create(null) as object, { name: '', message: '' });
    const { agent, sdk } = pair({});
    const a = agent.startSpan('t', {}, ROOT_CONTEXT);
    assert.doesNotThrow(() => a.recordException(bare as never));
    a.end();
    assert.equal((a as AgentSpan).events.length, 0);
    const s = sdk.startSpan('t', {}, ROOT_CONTEXT);
    assert.throws(() => s.recordException(bare as never), TypeError, 'SDK reference: if this no longer throws, the SDK fixed it and this note can go');
    s.end();
  });

  test('processor hooks (the agent\'s processors — span lines, OTLP — act in onEnd only): the agent calls onStart and onEnd, not the SDK\'s onEnding', () => {
    const calls = { agent: [] as string[], sdk: [] as string[] };
    const recorder = (into: string[]): SpanProcessor => ({
      onStart: () => void into.push('onStart'),
      onEnding: () => void into.push('onEnding'),
      onEnd: () => void into.push('onEnd'),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    });
    new AgentTracerProvider(recorder(calls.agent), limitsOf({}), resource).getTracer('x').startSpan('t', {}, ROOT_CONTEXT).end();
    new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [recorder(calls.sdk)] }).getTracer('x').startSpan('t', {}, ROOT_CONTEXT).end();
    assert.deepStrictEqual(calls.sdk, ['onStart', 'onEnding', 'onEnd'], 'SDK reference');
    assert.deepStrictEqual(calls.agent, ['onStart', 'onEnd']);
  });

  test('times (speed: a span per outgoing call): kept as epoch ms in a double, so an [s, ns] input comes back within 1 µs, not to the nanosecond', () => {
    const hr: HrTime = [1_700_000_000, 123_456_789];
    const r = run({}, { startTime: hr }, (span) => span.addEvent('e', hr));
    assert.deepStrictEqual(r.sdk.startTime, hr, 'the SDK keeps the HrTime as given');
    for (const t of [r.ours.startTime, r.ours.events[0]!.time]) {
      assert.equal(t[0], hr[0]);
      assert.ok(Math.abs(t[1] - hr[1]) <= 1_000, `within 1 µs: ${t[1]} vs ${hr[1]}`);
    }
    assert.notDeepStrictEqual(r.ours.startTime, hr, 'not exact: if this passes, times are kept exactly now and this note can go');
  });

});
