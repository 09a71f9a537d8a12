// Unit tests for the agent's own span and tracer (src/telemetry/tracing/span.ts,
// src/telemetry/tracing/tracer.ts). They were written to behave like the
// OpenTelemetry SDK's SpanImpl/Tracer with an always-on sampler, so besides
// checking expected values directly, several tests run the same calls on a
// real SDK span (BasicTracerProvider + AlwaysOnSampler) and compare.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  context,
  createTraceState,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type HrTime,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  AgentSpan,
  isAttributeValue,
  msToHrTime,
  nowMs,
  spanDurationMs,
  spanStartMs,
  timeInputToMs,
  type SpanLimits,
} from '../../src/telemetry/tracing/span.js';
import { AgentTracer, AgentTracerProvider, newSpanId, newTraceId } from '../../src/telemetry/tracing/tracer.js';
import { spanLimitsFromEnv } from '../../src/config.js';

// ---------------------------------------------------------------- helpers

class RecordingProcessor implements SpanProcessor {
  readonly started: Array<{ span: unknown; ctx: Context }> = [];
  readonly ended: ReadableSpan[] = [];
  /** span.ended as seen from inside onEnd. */
  readonly endedFlagInOnEnd: boolean[] = [];
  flushes = 0;
  shutdowns = 0;
  onStart(span: unknown, ctx: Context): void {
    this.started.push({ span, ctx });
  }
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
    this.endedFlagInOnEnd.push(span.ended);
  }
  forceFlush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

const DEFAULT_LIMITS: SpanLimits = spanLimitsFromEnv({});

function agentSetup(limits: Partial<SpanLimits> = {}, scope = 'agent-test', version = '1.0.0') {
  const processor = new RecordingProcessor();
  const resource: Resource = resourceFromAttributes({ 'service.name': 'agent-span-test', 'faas.name': 'fn' });
  const fullLimits: SpanLimits = { ...DEFAULT_LIMITS, ...limits };
  const provider = new AgentTracerProvider(processor, fullLimits, resource);
  const tracer = provider.getTracer(scope, version);
  return { processor, resource, provider, tracer, limits: fullLimits };
}

function sdkSetup(limits: Partial<SpanLimits> = {}) {
  const exporter = new InMemorySpanExporter();
  const resource: Resource = resourceFromAttributes({ 'service.name': 'agent-span-test', 'faas.name': 'fn' });
  const provider = new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    resource,
    spanLimits: { ...DEFAULT_LIMITS, ...limits },
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('sdk-test', '1.0.0');
  return { exporter, provider, tracer, resource };
}

function asAgent(span: Span): AgentSpan {
  assert.ok(span instanceof AgentSpan, 'expected an AgentSpan');
  return span;
}

const hrMs = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

function assertClose(actual: number, expected: number, tolerance: number, message?: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${message ?? 'value'}: expected ${expected} ± ${tolerance}, got ${actual} (diff ${actual - expected})`,
  );
}

function ctxOf(traceIdHex: string, spanIdHex: string, traceState?: string): SpanContext {
  const sc: SpanContext = { traceId: traceIdHex, spanId: spanIdHex, traceFlags: TraceFlags.SAMPLED, isRemote: true };
  if (traceState !== undefined) sc.traceState = createTraceState(traceState);
  return sc;
}

const LINK_CTX = [1, 2, 3, 4, 5, 6].map((i) => ctxOf(String(i).repeat(32), String(i).repeat(16)));
const L = (i: number): SpanContext => LINK_CTX[i - 1]!;

/** What an exporter reads of a span, without times and ids. */
function exportedView(s: ReadableSpan) {
  return {
    name: s.name,
    kind: s.kind,
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
    links: s.links.map((l) => ({ ...l })),
    status: s.status,
    parentSpanContext: s.parentSpanContext,
    droppedAttributesCount: s.droppedAttributesCount,
    droppedEventsCount: s.droppedEventsCount,
    droppedLinksCount: s.droppedLinksCount,
    ended: s.ended,
  };
}

/** Runs `script` on an AgentSpan and on an SDK span started with the same arguments; returns both as exported. */
function sideBySide(
  limits: Partial<SpanLimits>,
  name: string,
  options: SpanOptions,
  script: (span: Span) => void,
  ctx: Context = ROOT_CONTEXT,
): { ours: ReadableSpan; sdk: ReadableSpan } {
  const a = agentSetup(limits);
  const s = sdkSetup(limits);
  const ourSpan = a.tracer.startSpan(name, options, ctx);
  const sdkSpan = s.tracer.startSpan(name, options, ctx);
  script(ourSpan);
  script(sdkSpan);
  assert.equal(a.processor.ended.length, 1, 'our span ended once');
  const finished = s.exporter.getFinishedSpans();
  assert.equal(finished.length, 1, 'SDK span ended once');
  return { ours: a.processor.ended[0]!, sdk: finished[0]! };
}

before(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

after(() => {
  context.disable();
});

// ---------------------------------------------------------------- 1. attributes

test('attributes: valid primitives and homogeneous arrays are kept, invalid values and empty keys are ignored', () => {
  const { tracer } = agentSetup();
  const span = asAgent(tracer.startSpan('attrs', { attributes: { 'init.s': 'x', 'init.bad': { a: 1 } as never } }, ROOT_CONTEXT));
  span.setAttribute('s', 'str');
  span.setAttribute('n', 42.5);
  span.setAttribute('zero', 0);
  span.setAttribute('b', false);
  span.setAttribute('empty', '');
  span.setAttribute('sa', ['a', 'b']);
  span.setAttribute('na', [1, 2, 3]);
  span.setAttribute('ba', [true, false]);
  span.setAttribute('withNull', ['a', null as never, 'b']);
  span.setAttribute('ea', []);
  // invalid
  span.setAttribute('obj', { a: 1 } as never);
  span.setAttribute('mixed', ['a', 1] as never);
  span.setAttribute('objArr', [{ a: 1 }] as never);
  span.setAttribute('nul', null as never);
  span.setAttribute('und', undefined);
  span.setAttribute('fn', (() => 1) as never);
  span.setAttribute('', 'empty key');
  span.setAttributes({ 'multi.ok': 'y', 'multi.bad': { x: 1 } as never, '': 'nope', 'multi.null': null as never });

  assert.deepStrictEqual(span.attributes, {
    'init.s': 'x',
    s: 'str',
    n: 42.5,
    zero: 0,
    b: false,
    empty: '',
    sa: ['a', 'b'],
    na: [1, 2, 3],
    ba: [true, false],
    withNull: ['a', null, 'b'],
    ea: [],
    'multi.ok': 'y',
  });
  assert.equal(span.droppedAttributesCount, 0, 'invalid values are ignored, not counted as dropped');
});

test('attributes: isAttributeValue accepts primitives and homogeneous arrays, rejects the rest', () => {
  for (const ok of ['x', '', 0, -1.5, true, false, [], ['a', 'b'], [1, 2], [true], ['a', null, 'b'], [null, 3]]) {
    assert.equal(isAttributeValue(ok), true, `expected valid: ${JSON.stringify(ok)}`);
  }
  for (const bad of [{}, { a: 1 }, ['a', 1], [1, true], [{}], [['a']], () => 1, Symbol('s'), 1n, new Date(0)]) {
    assert.equal(isAttributeValue(bad), false, `expected invalid: ${String(typeof bad === 'symbol' ? 'symbol' : JSON.stringify(bad, (_k, v) => (typeof v === 'bigint' ? 'bigint' : v)))}`);
  }
});

test('attributes: count limit drops extras and counts them; value-length limit truncates strings and string array elements; overwrite at the limit works', () => {
  const { tracer } = agentSetup({ attributeCountLimit: 4, attributeValueLengthLimit: 4 });
  const span = asAgent(tracer.startSpan('limits', { attributes: { c1: 'abcdefgh' } }, ROOT_CONTEXT));
  span.setAttribute('arr', ['abcdefgh', 'xy', null as never]);
  span.setAttribute('num', 123456789);
  span.setAttribute('bool', true);
  assert.equal(Object.keys(span.attributes).length, 4);
  // at the limit now
  span.setAttribute('extra1', 'v');
  span.setAttributes({ extra2: 1, extra3: [1] });
  span.setAttribute('invalidAtLimit', { a: 1 } as never); // invalid: ignored, not dropped
  assert.equal(span.droppedAttributesCount, 3);
  assert.equal('extra1' in span.attributes, false);
  assert.equal('extra2' in span.attributes, false);
  assert.equal('extra3' in span.attributes, false);
  // overwriting an existing key at the limit still works (and is truncated)
  span.setAttribute('c1', 'zzzzzzzz');
  span.setAttribute('num', 7);
  assert.equal(span.droppedAttributesCount, 3, 'overwrites are not drops');
  assert.deepStrictEqual(span.attributes, {
    c1: 'zzzz',
    arr: ['abcd', 'xy', null],
    num: 7,
    bool: true,
  });
});

test("attributes: a client span's own attributes are taken as they are within the limits, limited like any others beyond them", () => {
  const own = () => ({ 'http.request.method': 'GET', 'url.full': 'http://example.com/abcdefgh', 'server.address': 'example.com', 'server.port': 80 });
  const start = (limits: Partial<SpanLimits>, attributes: ReturnType<typeof own>, count = 4) => {
    const { tracer, processor } = agentSetup(limits);
    assert.ok(tracer instanceof AgentTracer);
    const span = asAgent(tracer.startClientSpan('GET', { attributes, count }, ROOT_CONTEXT));
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(processor.started.length, 1, 'onStart as for any span');
    return span;
  };

  const attributes = own();
  const kept = start({}, attributes);
  assert.equal(kept.attributes, attributes, 'within the default limits the span keeps the object');
  kept.setAttribute('http.response.status_code', 200);
  assert.deepStrictEqual(kept.attributes, { ...own(), 'http.response.status_code': 200 });
  assert.equal(kept.droppedAttributesCount, 0);

  const cut = start({ attributeValueLengthLimit: 20 }, own());
  assert.equal(cut.attributes['url.full'], 'http://example.com/a', 'a value-length limit still cuts them');

  const few = start({ attributeCountLimit: 2 }, own());
  assert.deepStrictEqual(few.attributes, { 'http.request.method': 'GET', 'url.full': 'http://example.com/abcdefgh' });
  assert.equal(few.droppedAttributesCount, 2, 'a count limit still drops and counts them');
  few.setAttribute('server.port', 81);
  assert.equal(few.droppedAttributesCount, 3);

  // the same attributes given through the API end up the same
  const { tracer } = agentSetup();
  const viaApi = asAgent(tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: own() }, ROOT_CONTEXT));
  assert.deepStrictEqual(viaApi.attributes, start({}, own()).attributes);
});

test('attributes: with a finite value-length limit the stored array is a copy of the caller\'s array', () => {
  const { tracer } = agentSetup({ attributeValueLengthLimit: 100 });
  const span = asAgent(tracer.startSpan('copy', {}, ROOT_CONTEXT));
  const arr = ['a', 'b'];
  span.setAttribute('arr', arr);
  arr.push('c');
  assert.deepStrictEqual(span.attributes['arr'], ['a', 'b']);
});

test(
  'attributes: setAttribute copies array values as the SDK does, also with the default (infinite) value-length limit',
  () => {
    const arrA = ['a', 'b'];
    const arrB = ['a', 'b'];
    const { ours, sdk } = sideBySide({}, 'alias', {}, (span) => {
      span.setAttribute('arr', span instanceof AgentSpan ? arrA : arrB);
      span.end();
    });
    arrA.push('mutated');
    arrB.push('mutated');
    assert.deepStrictEqual(sdk.attributes['arr'], ['a', 'b'], 'SDK reference behaviour');
    assert.deepStrictEqual(ours.attributes['arr'], ['a', 'b']);
  },
);

// ---------------------------------------------------------------- 2. status

test('status: UNSET is ignored, ERROR keeps a string message only for ERROR, OK is final', () => {
  const { tracer } = agentSetup();
  const span = asAgent(tracer.startSpan('status', {}, ROOT_CONTEXT));
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.UNSET });

  span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.ERROR, message: 'boom' });

  span.setStatus({ code: SpanStatusCode.UNSET, message: 'reset?' });
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.ERROR, message: 'boom' }, 'UNSET does not override');

  span.setStatus({ code: SpanStatusCode.ERROR, message: 42 as never });
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.ERROR }, 'a non-string message is dropped');

  span.setStatus({ code: SpanStatusCode.OK, message: 'fine' });
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.OK }, 'OK carries no message');

  span.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.OK }, 'OK is final');
});

// ---------------------------------------------------------------- 3. events

test('events: attributes, a time as 2nd or 3rd argument, count limit shifts the oldest and counts drops, per-event attribute limit', () => {
  const { tracer } = agentSetup({ eventCountLimit: 3, attributePerEventCountLimit: 2, attributeValueLengthLimit: 3 });
  const span = asAgent(tracer.startSpan('events', {}, ROOT_CONTEXT));
  span.addEvent('e1', { a: 1, s: 'abcdef', bad: { x: 1 } as never, '': 'k' });
  span.addEvent('e2', new Date(1_700_000_000_000));
  span.addEvent('e3', [1_700_000_001, 250_000_000]);
  assert.deepStrictEqual(
    span.events.map((e) => [e.name, e.attributes, e.droppedAttributesCount]),
    [
      ['e1', { a: 1, s: 'abc' }, 0],
      ['e2', {}, 0],
      ['e3', {}, 0],
    ],
  );
  assert.deepStrictEqual(span.events[1]!.time, [1_700_000_000, 0]);
  assert.deepStrictEqual(span.events[2]!.time, [1_700_000_001, 250_000_000]);
  assert.equal(span.droppedEventsCount, 0);

  span.addEvent('e4', { x: 'y' }, 1_700_000_002_500);
  assert.deepStrictEqual(span.events.map((e) => e.name), ['e2', 'e3', 'e4']);
  assert.equal(span.droppedEventsCount, 1);
  assert.deepStrictEqual(span.events[2]!.time, [1_700_000_002, 500_000_000]);
  assert.deepStrictEqual(span.events[2]!.attributes, { x: 'y' });

  span.addEvent('e5', { k1: 1, k2: 2, k3: 3, k4: ['abcdef'] });
  assert.deepStrictEqual(span.events.map((e) => e.name), ['e3', 'e4', 'e5']);
  assert.equal(span.droppedEventsCount, 2);
  assert.deepStrictEqual(span.events[2]!.attributes, { k1: 1, k2: 2 });
  assert.equal(span.events[2]!.droppedAttributesCount, 2);

  // an event without a time gets "now" by the wall clock (Date.now() has whole ms)
  const before = Date.now();
  span.addEvent('e6');
  const after = Date.now();
  const t = hrMs(span.events[2]!.time);
  assert.ok(t >= before - 1 && t <= after + 1, `event time ${t} not within [${before}, ${after}]`);
});

test('events: an event count limit of 0 drops every event', () => {
  const { tracer } = agentSetup({ eventCountLimit: 0 });
  const span = asAgent(tracer.startSpan('no-events', {}, ROOT_CONTEXT));
  span.addEvent('a');
  span.addEvent('b', { x: 1 });
  span.recordException(new Error('e'));
  assert.equal(span.events.length, 0);
  assert.equal(span.droppedEventsCount, 3);
});

test('events and links: same attributes, limits and drops as the SDK for the same calls', () => {
  const limits = { eventCountLimit: 2, attributePerEventCountLimit: 2, linkCountLimit: 2, attributePerLinkCountLimit: 1, attributeValueLengthLimit: 2 };
  const { ours, sdk } = sideBySide(limits, 'ev', { links: [{ context: L(1), attributes: { a: 'long', b: 2 } }] }, (span) => {
    span.addEvent('e1', { a: 'abc', b: [true], c: 1, bad: { o: 1 } as never });
    span.addEvent('e2', 123, 1_700_000_000_000);
    span.addEvent('e3', { s: ['xyz', 'q'] });
    span.addLink({ context: L(2) });
    span.addLinks([{ context: L(3), attributes: { bad: [1, 'x'] as never } }, { context: L(4), attributes: { z: 'zzz', y: 1 } }]);
    span.end();
  });
  assert.deepStrictEqual(exportedView(ours).events, exportedView(sdk).events);
  assert.deepStrictEqual(exportedView(ours).links, exportedView(sdk).links);
  assert.equal(ours.droppedEventsCount, sdk.droppedEventsCount);
  assert.equal(ours.droppedLinksCount, sdk.droppedLinksCount);
  assert.equal(ours.droppedEventsCount, 1);
  assert.equal(ours.droppedLinksCount, 2);
});

test(
  'events and links: attributes with null/undefined values are kept as the SDK keeps them',
  () => {
    const limits = { attributePerEventCountLimit: 2, attributePerLinkCountLimit: 2 };
    const { ours, sdk } = sideBySide(limits, 'nulls', {}, (span) => {
      span.addEvent('e', { a: null as never, b: undefined, c: 1 });
      span.addLink({ context: L(1), attributes: { a: null as never, b: 'x' } });
      span.end();
    });
    // The SDK: event attributes { a: null, b: undefined }, 1 dropped; link attributes { a: null, b: 'x' }.
    assert.deepStrictEqual(exportedView(sdk).events[0]!.attributes, { a: null, b: undefined });
    assert.deepStrictEqual(exportedView(ours).events, exportedView(sdk).events);
    assert.deepStrictEqual(exportedView(ours).links, exportedView(sdk).links);
  },
);

// ---------------------------------------------------------------- 4. links

test('links: at construction and via addLink/addLinks, count limit, per-link attribute limit, attributes omitted when empty', () => {
  const { tracer } = agentSetup({ linkCountLimit: 3, attributePerLinkCountLimit: 2 });
  const span = asAgent(
    tracer.startSpan(
      'links',
      {
        links: [
          { context: L(1), attributes: { a: 1 } },
          { context: L(2) },
          { context: L(3), attributes: { only: { invalid: true } as never } },
        ],
      },
      ROOT_CONTEXT,
    ),
  );
  assert.equal(span.links.length, 3);
  assert.deepStrictEqual(span.links[0], { context: L(1), attributes: { a: 1 } });
  assert.deepStrictEqual(span.links[1], { context: L(2) });
  assert.equal('attributes' in span.links[1]!, false, 'no attributes key for a link without attributes');
  assert.deepStrictEqual(span.links[2], { context: L(3) });
  assert.equal('attributes' in span.links[2]!, false, 'no attributes key when every attribute was invalid');
  assert.equal('droppedAttributesCount' in span.links[0]!, false, 'no droppedAttributesCount when nothing was dropped');
  assert.equal(span.droppedLinksCount, 0);

  span.addLink({ context: L(4), attributes: { a: 1, b: 2, c: 3, d: 4 } });
  assert.deepStrictEqual(span.links.map((l) => l.context), [L(2), L(3), L(4)]);
  assert.equal(span.droppedLinksCount, 1);
  assert.deepStrictEqual(span.links[2], { context: L(4), attributes: { a: 1, b: 2 }, droppedAttributesCount: 2 });

  span.addLinks([{ context: L(5) }, { context: L(6), attributes: { z: 'z' } }]);
  assert.deepStrictEqual(span.links.map((l) => l.context), [L(4), L(5), L(6)]);
  assert.equal(span.droppedLinksCount, 3);
  assert.deepStrictEqual(span.links[2], { context: L(6), attributes: { z: 'z' } });
});

test('links: a link count limit of 0 drops every link', () => {
  const { tracer } = agentSetup({ linkCountLimit: 0 });
  const span = asAgent(tracer.startSpan('no-links', { links: [{ context: L(1) }] }, ROOT_CONTEXT));
  span.addLink({ context: L(2) });
  span.addLinks([{ context: L(3) }, { context: L(4) }]);
  assert.equal(span.links.length, 0);
  assert.equal(span.droppedLinksCount, 4);
});

// ---------------------------------------------------------------- 5. recordException

test('recordException: Error, object with code, string → an "exception" event with exception.type/message/stacktrace as the SDK records it', () => {
  const err = new TypeError('bad input');
  const withCode = { code: 'ECONNRESET', name: 'NetError', message: 'socket reset' };
  const numericCode = { code: 42, message: 'numbered' };
  const nameOnly = { name: 'OnlyName' };
  const inputs: Array<[string, Parameters<Span['recordException']>[0], Attributes]> = [
    ['Error', err, { 'exception.type': 'TypeError', 'exception.message': 'bad input', 'exception.stacktrace': err.stack! }],
    ['object with string code', withCode, { 'exception.type': 'ECONNRESET', 'exception.message': 'socket reset' }],
    ['object with numeric code', numericCode, { 'exception.type': '42', 'exception.message': 'numbered' }],
    ['object with a name only', nameOnly, { 'exception.type': 'OnlyName' }],
    ['string', 'plain failure', { 'exception.message': 'plain failure' }],
  ];
  for (const [label, input, expected] of inputs) {
    const { ours, sdk } = sideBySide({}, 'exc', {}, (span) => {
      span.recordException(input, 1_700_000_000_250);
      span.recordException({} as never); // neither type nor message: no event
      span.end();
    });
    assert.equal(ours.events.length, 1, `${label}: one event`);
    assert.equal(ours.events[0]!.name, 'exception', label);
    assert.deepStrictEqual(ours.events[0]!.attributes, expected, label);
    assert.deepStrictEqual(ours.events[0]!.time, [1_700_000_000, 250_000_000], `${label}: time argument`);
    assert.deepStrictEqual(exportedView(ours).events, exportedView(sdk).events, `${label}: same as SDK`);
    assert.deepStrictEqual(ours.events[0]!.time, sdk.events[0]!.time, `${label}: same time as SDK`);
  }
});

test(
  'recordException: an empty string records no event, as in the SDK',
  () => {
    const { ours, sdk } = sideBySide({}, 'exc-empty', {}, (span) => {
      span.recordException('');
      span.end();
    });
    assert.equal(sdk.events.length, 0, 'SDK reference behaviour');
    assert.equal(ours.events.length, 0);
  },
);

// ---------------------------------------------------------------- 6. end()

test('end: onEnd exactly once, second end() is a no-op, nothing recorded after end, isRecording/ended flip', () => {
  const { tracer, processor } = agentSetup();
  const span = asAgent(tracer.startSpan('ending', { attributes: { a: 1 } }, ROOT_CONTEXT));
  assert.equal(span.isRecording(), true);
  assert.equal(span.ended, false);
  assert.equal(processor.ended.length, 0);

  span.end();
  assert.equal(processor.ended.length, 1);
  assert.equal(processor.ended[0], span);
  assert.deepStrictEqual(processor.endedFlagInOnEnd, [true], 'span is already ended when onEnd sees it');
  assert.equal(span.isRecording(), false);
  assert.equal(span.ended, true);
  const endMs = span.endMs;
  assert.ok(span.durationMs >= 0, `duration ${span.durationMs} is negative`);
  assert.ok(hrMs(span.duration) >= 0);

  span.end(Date.now() + 60_000);
  assert.equal(processor.ended.length, 1, 'second end() does not call onEnd');
  assert.equal(span.endMs, endMs, 'second end() does not move the end time');

  span.setAttribute('late', 1);
  span.setAttributes({ late2: 2 });
  span.addEvent('late');
  span.addLink({ context: L(1) });
  span.addLinks([{ context: L(2) }]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'late' });
  span.updateName('renamed');
  span.recordException(new Error('late'));
  assert.deepStrictEqual(span.attributes, { a: 1 });
  assert.equal(span.events.length, 0);
  assert.equal(span.links.length, 0);
  assert.deepStrictEqual(span.status, { code: SpanStatusCode.UNSET });
  assert.equal(span.name, 'ending');
  assert.equal(span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount, 0);
});

test('end: before end() the name can be updated; an end time before the start clamps the duration to 0', () => {
  const { tracer, processor } = agentSetup();
  const span = asAgent(tracer.startSpan('old', { startTime: new Date(1_700_000_001_000) }, ROOT_CONTEXT));
  span.updateName('new');
  assert.equal(span.name, 'new');
  span.end(new Date(1_700_000_000_500));
  assert.equal(span.durationMs, 0);
  assert.deepStrictEqual(span.duration, [0, 0]);
  assert.equal(span.endMs, span.startMs);
  assert.deepStrictEqual(span.endTime, span.startTime);
  assert.equal(spanDurationMs(processor.ended[0]!), 0);

  const s = sdkSetup();
  const sdkSpan = s.tracer.startSpan('old', { startTime: new Date(1_700_000_001_000) }, ROOT_CONTEXT);
  sdkSpan.end(new Date(1_700_000_000_500));
  const sdkRead = s.exporter.getFinishedSpans()[0]!;
  assert.deepStrictEqual(span.duration, sdkRead.duration, 'same clamped duration as the SDK');
  assert.deepStrictEqual(span.endTime, sdkRead.endTime, 'same clamped end time as the SDK');
});

// ---------------------------------------------------------------- 7. times

test('times: startTime as Date, epoch ms, performance.now() reading and HrTime give the expected epoch ms', () => {
  const { tracer } = agentSetup();
  const start = (t: SpanOptions['startTime']) => spanStartMs(asAgent(tracer.startSpan('t', { startTime: t }, ROOT_CONTEXT)));

  assertClose(start(new Date(1_700_000_000_123)), 1_700_000_000_123, 0.01, 'Date');
  assertClose(start(1_700_000_000_123.5), 1_700_000_000_123.5, 0.01, 'epoch ms');
  const perf = performance.now() - 5;
  // dated by the wall clock at the span's start, as the SDK does, not by performance.timeOrigin
  assertClose(start(perf), Date.now() - (performance.now() - perf), 1, 'performance.now() reading');
  assertClose(start([1_700_000_000, 123_456_789]), 1_700_000_000_123.456789, 0.01, 'HrTime');

  const lo = Date.now();
  const implicit = start(undefined);
  const hi = Date.now();
  assert.ok(implicit >= lo - 1 && implicit <= hi + 1, `implicit start ${implicit} not within [${lo}, ${hi}]`);
  assertClose(nowMs(), Date.now(), 100, 'nowMs is epoch ms');

  assertClose(timeInputToMs(new Date(5_000_000_000_000)), 5_000_000_000_000, 0.01);
  assertClose(timeInputToMs([2, 500_000_000]), 2_500, 0.01);
  assertClose(timeInputToMs(0), performance.timeOrigin, 0.01, '0 is a performance reading');
  const l2 = nowMs();
  const t2 = timeInputToMs(undefined);
  assert.ok(t2 >= l2 && t2 <= nowMs());
});

test('times: msToHrTime round-trips and never yields nanos >= 1e9', () => {
  assert.deepStrictEqual(msToHrTime(0), [0, 0]);
  assert.deepStrictEqual(msToHrTime(1_500), [1, 500_000_000]);
  assert.deepStrictEqual(msToHrTime(1_700_000_000_123), [1_700_000_000, 123_000_000]);
  assert.deepStrictEqual(msToHrTime(1999.9999999999), [2, 0], 'rounding up to a whole second carries');
  assert.deepStrictEqual(msToHrTime(0.000001), [0, 1]);
  const samples = [999.9999996, 1_000, 1_000.0000004, 59_999.99999999, performance.timeOrigin, nowMs()];
  for (let i = 0; i < 20_000; i++) samples.push(Math.random() * 2e12, Math.floor(Math.random() * 2e6) + 0.9999999 + Math.random() * 1e-7);
  for (const ms of samples) {
    const [s, ns] = msToHrTime(ms);
    assert.ok(Number.isInteger(s) && Number.isInteger(ns), `non-integer parts for ${ms}`);
    assert.ok(ns >= 0 && ns < 1e9, `nanos out of range for ${ms}: ${ns}`);
    assertClose(s * 1e3 + ns / 1e6, ms, 1e-3, `round trip of ${ms}`);
  }
});

test('times: startTime/endTime/duration HrTime getters agree with startMs/endMs', () => {
  const { tracer, processor } = agentSetup();
  const span = asAgent(tracer.startSpan('hr', { startTime: 1_700_000_000_100.25 }, ROOT_CONTEXT));
  assert.deepStrictEqual(span.endTime, [0, 0], 'no end time while open');
  assert.deepStrictEqual(span.duration, [-1, -1], 'no duration while open');
  assert.equal(span.durationMs, -1);
  assert.equal(span.endMs, -1);
  span.end([1_700_000_000, 600_750_000]);
  assert.deepStrictEqual(span.startTime, [1_700_000_000, 100_250_000]);
  assert.deepStrictEqual(span.endTime, [1_700_000_000, 600_750_000]);
  assertClose(hrMs(span.startTime), span.startMs, 0.001);
  assertClose(hrMs(span.endTime), span.endMs, 0.001);
  assertClose(hrMs(span.duration), span.endMs - span.startMs, 0.001);
  assertClose(span.durationMs, 500.5, 0.001);
  assertClose(spanDurationMs(processor.ended[0]!), 500.5, 0.001);
  assertClose(spanStartMs(processor.ended[0]!), 1_700_000_000_100.25, 0.001);

  // the helpers also read an SDK span, from its [s, ns] pairs
  const s = sdkSetup();
  s.tracer.startSpan('sdk', { startTime: [1_700_000_000, 100_250_000] }, ROOT_CONTEXT).end([1_700_000_000, 600_750_000]);
  const sdkRead = s.exporter.getFinishedSpans()[0]!;
  assertClose(spanStartMs(sdkRead), 1_700_000_000_100.25, 0.001);
  assertClose(spanDurationMs(sdkRead), 500.5, 0.001);
  assert.deepStrictEqual(span.duration, sdkRead.duration, 'same duration pair as the SDK');
});

// ---------------------------------------------------------------- 8. tracer

test('tracer: continues a valid parent (traceId, parent context, traceState), starts a fresh trace otherwise, root ignores the parent', () => {
  const { tracer, processor } = agentSetup();
  const parent = ctxOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'vendor=abc,other=1');
  const parentCtx = trace.setSpanContext(ROOT_CONTEXT, parent);

  const child = asAgent(tracer.startSpan('child', { kind: SpanKind.CLIENT }, parentCtx));
  assert.equal(child.spanContext().traceId, parent.traceId);
  assert.notEqual(child.spanContext().spanId, parent.spanId);
  assert.equal(child.parentSpanContext, parent);
  assert.equal(child.spanContext().traceState, parent.traceState);
  assert.equal(child.spanContext().traceState?.get('vendor'), 'abc');
  assert.equal(child.spanContext().traceFlags, TraceFlags.SAMPLED);
  assert.equal(child.kind, SpanKind.CLIENT);

  const fresh = asAgent(tracer.startSpan('fresh', {}, ROOT_CONTEXT));
  assert.equal(fresh.parentSpanContext, undefined);
  assert.ok(isSpanContextValid(fresh.spanContext()));
  assert.notEqual(fresh.spanContext().traceId, parent.traceId);
  assert.equal(fresh.spanContext().traceState, undefined);
  assert.equal(fresh.spanContext().traceFlags, TraceFlags.SAMPLED);
  assert.equal(fresh.kind, SpanKind.INTERNAL, 'default kind');

  const invalidParent = asAgent(tracer.startSpan('invalid-parent', {}, trace.setSpanContext(ROOT_CONTEXT, INVALID_SPAN_CONTEXT)));
  assert.equal(invalidParent.parentSpanContext, undefined);
  assert.ok(isSpanContextValid(invalidParent.spanContext()));

  const root = asAgent(tracer.startSpan('root', { root: true }, parentCtx));
  assert.equal(root.parentSpanContext, undefined);
  assert.notEqual(root.spanContext().traceId, parent.traceId);
  assert.equal(root.spanContext().traceState, undefined);

  // onStart receives the span and the context
  assert.equal(processor.started.length, 4);
  assert.equal(processor.started[0]!.span, child);
  assert.equal(processor.started[0]!.ctx, parentCtx);
  assert.equal(processor.started[1]!.span, fresh);
  assert.equal(processor.started[1]!.ctx, ROOT_CONTEXT);
  assert.equal(processor.started[3]!.span, root);
  assert.equal(trace.getSpan(processor.started[3]!.ctx), undefined, 'root: onStart gets the context without the parent');

  // same parent relationship as the SDK
  const s = sdkSetup();
  const sdkChild = s.tracer.startSpan('child', { kind: SpanKind.CLIENT }, parentCtx);
  const sdkRoot = s.tracer.startSpan('root', { root: true }, parentCtx);
  sdkChild.end();
  sdkRoot.end();
  const [sc, sr] = s.exporter.getFinishedSpans();
  assert.equal(sc!.parentSpanContext, child.parentSpanContext);
  assert.equal(sc!.spanContext().traceState, child.spanContext().traceState);
  assert.equal(sr!.parentSpanContext, root.parentSpanContext);
  assert.equal(sc!.spanContext().traceFlags, child.spanContext().traceFlags);
});

test('tracer: a context with tracing suppressed gives a non-recording span with an invalid context and no processor calls', () => {
  const { tracer, processor } = agentSetup();
  const parentCtx = trace.setSpanContext(ROOT_CONTEXT, ctxOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'));
  for (const ctx of [suppressTracing(ROOT_CONTEXT), suppressTracing(parentCtx)]) {
    const span = tracer.startSpan('suppressed', { attributes: { a: 1 } }, ctx);
    assert.equal(span instanceof AgentSpan, false);
    assert.equal(span.isRecording(), false);
    assert.deepStrictEqual(span.spanContext(), INVALID_SPAN_CONTEXT);
    assert.equal(isSpanContextValid(span.spanContext()), false);
    span.end();
  }
  const rootSuppressed = tracer.startSpan('root-suppressed', { root: true }, suppressTracing(parentCtx));
  assert.equal(rootSuppressed.isRecording(), false);
  assert.deepStrictEqual(rootSuppressed.spanContext(), INVALID_SPAN_CONTEXT);
  rootSuppressed.end();
  assert.equal(processor.started.length, 0);
  assert.equal(processor.ended.length, 0);

  // and recording again with a normal context
  const ok = tracer.startSpan('ok', {}, parentCtx);
  assert.equal(ok.isRecording(), true);
  assert.equal(processor.started.length, 1);
});

test('tracer: trace and span ids are lowercase hex of 32/16 chars, distinct over 10,000 draws, never all zeros', () => {
  const traceIds = new Set<string>();
  const spanIds = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const t = newTraceId();
    const s = newSpanId();
    assert.match(t, /^[0-9a-f]{32}$/);
    assert.match(s, /^[0-9a-f]{16}$/);
    assert.doesNotMatch(t, /^0+$/);
    assert.doesNotMatch(s, /^0+$/);
    traceIds.add(t);
    spanIds.add(s);
  }
  assert.equal(traceIds.size, 10_000);
  assert.equal(spanIds.size, 10_000);
  // every hex position is random: each one shows all 16 digits over the draws
  for (const [ids, len] of [[traceIds, 32], [spanIds, 16]] as const) {
    for (let pos = 0; pos < len; pos++) {
      const digits = new Set<string>();
      for (const id of ids) digits.add(id[pos]!);
      assert.equal(digits.size, 16, `position ${pos} of ${len}-char ids shows only ${[...digits].join('')}`);
    }
  }

  // ids of started spans too
  const { tracer } = agentSetup();
  const span = tracer.startSpan('ids', {}, ROOT_CONTEXT);
  assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
  assert.match(span.spanContext().spanId, /^[0-9a-f]{16}$/);
});

// ---------------------------------------------------------------- 9. startActiveSpan

test('startActiveSpan: all three overloads make the span active inside fn and return fn\'s value', async () => {
  const { tracer, processor } = agentSetup();
  assert.equal(trace.getActiveSpan(), undefined, 'nothing active before');

  let seen1: Span | undefined;
  const r1 = tracer.startActiveSpan('one', (span) => {
    seen1 = span;
    assert.equal(trace.getActiveSpan(), span);
    span.end();
    return 'first';
  });
  assert.equal(r1, 'first');
  assert.ok(seen1 instanceof AgentSpan);
  assert.equal(trace.getActiveSpan(), undefined, 'not active after fn');

  const r2 = tracer.startActiveSpan('two', { kind: SpanKind.SERVER, attributes: { x: 1 } }, (span) => {
    assert.equal(trace.getActiveSpan(), span);
    const a = asAgent(span);
    assert.equal(a.kind, SpanKind.SERVER);
    assert.deepStrictEqual(a.attributes, { x: 1 });
    // a nested span picks it up as its parent from the active context
    const nested = asAgent(tracer.startSpan('nested'));
    assert.equal(nested.parentSpanContext, span.spanContext());
    return 2;
  });
  assert.equal(r2, 2);

  const parent = ctxOf('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'k=v');
  const parentCtx = trace.setSpanContext(ROOT_CONTEXT, parent);
  const r3 = tracer.startActiveSpan('three', { kind: SpanKind.CONSUMER }, parentCtx, (span) => {
    assert.equal(trace.getActiveSpan(), span);
    const a = asAgent(span);
    assert.equal(a.parentSpanContext, parent);
    assert.equal(a.spanContext().traceId, parent.traceId);
    return { value: 3 };
  });
  assert.deepStrictEqual(r3, { value: 3 });

  // async fn: the span stays active across awaits and the promise is returned
  const r4 = await tracer.startActiveSpan('four', {}, async (span) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal(trace.getActiveSpan(), span);
    return 'async';
  });
  assert.equal(r4, 'async');

  // parent from the active context when no context is given (options + fn)
  const outer = tracer.startSpan('outer', {}, ROOT_CONTEXT);
  context.with(trace.setSpan(context.active(), outer), () => {
    tracer.startActiveSpan('inner', {}, (span) => {
      assert.equal(asAgent(span).parentSpanContext, outer.spanContext());
    });
  });

  assert.deepStrictEqual(
    processor.started.map((s) => (s.span as AgentSpan).name),
    ['one', 'two', 'nested', 'three', 'four', 'outer', 'inner'],
  );
});

// ---------------------------------------------------------------- 10. getTracer

test('getTracer: same name+version gives the same tracer; spans carry the instrumentation scope and the provider\'s resource', () => {
  const { provider, resource } = agentSetup();
  const t1: Tracer = provider.getTracer('lib', '1.2.3');
  assert.equal(provider.getTracer('lib', '1.2.3'), t1);
  assert.notEqual(provider.getTracer('lib', '1.2.4'), t1);
  assert.notEqual(provider.getTracer('other', '1.2.3'), t1);
  assert.notEqual(provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }), t1);
  assert.equal(
    provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }),
    provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }),
  );

  const span = asAgent(provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }).startSpan('s', {}, ROOT_CONTEXT));
  assert.deepStrictEqual(span.instrumentationScope, { name: 'lib', version: '1.2.3', schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const plain = asAgent(t1.startSpan('p', {}, ROOT_CONTEXT));
  assert.equal(plain.instrumentationScope.name, 'lib');
  assert.equal(plain.instrumentationScope.version, '1.2.3');
  assert.equal(plain.instrumentationScope.schemaUrl, undefined);
  assert.equal(span.resource, resource);
  assert.equal(span.resource.attributes['service.name'], 'agent-span-test');

  // same scope as the SDK records
  const s = sdkSetup();
  s.provider.getTracer('lib', '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }).startSpan('s', {}, ROOT_CONTEXT).end();
  assert.deepStrictEqual({ ...span.instrumentationScope }, { ...s.exporter.getFinishedSpans()[0]!.instrumentationScope });
});

// ---------------------------------------------------------------- 11. spanLimitsFromEnv

test('spanLimitsFromEnv: defaults, OTEL_SPAN_* over OTEL_ATTRIBUTE_*, invalid/negative/blank values ignored', () => {
  assert.deepStrictEqual(spanLimitsFromEnv({}), {
    attributeCountLimit: 128,
    attributeValueLengthLimit: Infinity,
    eventCountLimit: 128,
    linkCountLimit: 128,
    attributePerEventCountLimit: 128,
    attributePerLinkCountLimit: 128,
  });

  assert.deepStrictEqual(
    spanLimitsFromEnv({
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '7',
      OTEL_ATTRIBUTE_COUNT_LIMIT: '9',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '20',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '30',
      OTEL_SPAN_EVENT_COUNT_LIMIT: '3',
      OTEL_SPAN_LINK_COUNT_LIMIT: '4',
      OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '5',
      OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '6',
    }),
    {
      attributeCountLimit: 7,
      attributeValueLengthLimit: 20,
      eventCountLimit: 3,
      linkCountLimit: 4,
      attributePerEventCountLimit: 5,
      attributePerLinkCountLimit: 6,
    },
  );

  const general = spanLimitsFromEnv({ OTEL_ATTRIBUTE_COUNT_LIMIT: '9', OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: ' 30 ' });
  assert.equal(general.attributeCountLimit, 9, 'falls back to OTEL_ATTRIBUTE_COUNT_LIMIT');
  assert.equal(general.attributeValueLengthLimit, 30, 'falls back to OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (trimmed)');
  assert.equal(general.attributePerEventCountLimit, 128, 'per-event limit does not follow OTEL_ATTRIBUTE_COUNT_LIMIT');

  const invalidSpan = spanLimitsFromEnv({
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: 'lots',
    OTEL_ATTRIBUTE_COUNT_LIMIT: '11',
    OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '   ',
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '12',
  });
  assert.equal(invalidSpan.attributeCountLimit, 11, 'an invalid OTEL_SPAN_* value falls through to OTEL_ATTRIBUTE_*');
  assert.equal(invalidSpan.attributeValueLengthLimit, 12, 'a blank OTEL_SPAN_* value falls through to OTEL_ATTRIBUTE_*');

  assert.deepStrictEqual(
    spanLimitsFromEnv({
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '-1',
      OTEL_ATTRIBUTE_COUNT_LIMIT: 'abc',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '-5',
      OTEL_SPAN_EVENT_COUNT_LIMIT: ' ',
      OTEL_SPAN_LINK_COUNT_LIMIT: 'NaN',
      OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '-3',
      OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT: '1e',
    }),
    spanLimitsFromEnv({}),
  );

  const zero = spanLimitsFromEnv({ OTEL_SPAN_EVENT_COUNT_LIMIT: '0', OTEL_SPAN_LINK_COUNT_LIMIT: '0' });
  assert.equal(zero.eventCountLimit, 0, '0 is a valid limit');
  assert.equal(zero.linkCountLimit, 0, '0 is a valid limit');
});

// ---------------------------------------------------------------- 12. side by side with the SDK

test('side by side with the SDK: a scripted sequence of calls exports the same name, kind, attributes, events, links, status and dropped counts', () => {
  const limits: Partial<SpanLimits> = {
    attributeCountLimit: 6,
    attributeValueLengthLimit: 5,
    eventCountLimit: 3,
    linkCountLimit: 2,
    attributePerEventCountLimit: 2,
    attributePerLinkCountLimit: 2,
  };
  const parentCtx = trace.setSpanContext(ROOT_CONTEXT, ctxOf('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331', 'a=b'));
  const boom = new Error('kaboom');
  const options: SpanOptions = {
    kind: SpanKind.CLIENT,
    attributes: { 'init.s': 'initial-long', 'init.n': 1, 'init.bad': { o: 1 } as never, '': 'x', 'init.null': null as never },
    links: [
      { context: L(1), attributes: { la: 'abcdefgh', lb: 2, lc: 3 } },
      { context: L(2) },
    ],
  };
  const script = (span: Span) => {
    span.setAttribute('http.method', 'GET');
    span.setAttribute('http.url', 'https://example.com/path');
    span.setAttribute('arr', ['abcdefgh', 'ab', null as never]);
    span.setAttribute('mixed', ['a', 1] as never);
    span.setAttribute('obj', { nested: true } as never);
    span.setAttribute('nul', null as never);
    span.setAttribute('und', undefined as never);
    span.setAttribute('', 'empty');
    span.setAttributes({ 'bulk.ok': true, 'bulk.bad': [{}] as never, 'bulk.over1': 1, 'bulk.over2': 2 });
    span.setAttribute('http.method', 'POST-OVERWRITTEN');
    span.addEvent('start', { phase: 'connecting-long', n: 1, extra: 2, bad: { x: 1 } as never });
    span.addEvent('timed', 1_700_000_000_000);
    span.addEvent('timed2', { k: 'v' }, new Date(1_700_000_000_500));
    span.addLink({ context: L(3), attributes: { x: 'xxxxxxxx' } });
    span.addLinks([{ context: L(4), attributes: { bad: { o: 1 } as never } }]);
    span.setStatus({ code: SpanStatusCode.UNSET });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'first error' });
    span.updateName('renamed');
    span.recordException(boom);
    span.recordException({ code: 'E42', message: 'coded' });
    span.recordException('as string');
    span.setStatus({ code: SpanStatusCode.OK });
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
    span.end();
    span.setAttribute('after.end', 1);
    span.addEvent('after.end');
    span.updateName('after-end');
    span.end();
  };
  const { ours, sdk } = sideBySide(limits, 'scripted', options, script, parentCtx);
  const o = exportedView(ours);
  const k = exportedView(sdk);
  assert.deepStrictEqual(o, k);
  // and the comparison really covered something
  assert.equal(o.name, 'renamed');
  assert.equal(o.kind, SpanKind.CLIENT);
  assert.deepStrictEqual(o.status, { code: SpanStatusCode.OK });
  assert.ok(o.droppedAttributesCount > 0 && o.droppedEventsCount > 0 && o.droppedLinksCount > 0);
  assert.deepStrictEqual(o.events.map((e) => e.name), ['exception', 'exception', 'exception']);
  assert.equal(ours.spanContext().traceId, sdk.spanContext().traceId);
  assert.equal(ours.spanContext().traceState, sdk.spanContext().traceState);
  assert.equal(ours.resource.attributes['service.name'], sdk.resource.attributes['service.name']);
});

test('side by side with the SDK: default limits, many attributes and events', () => {
  const { ours, sdk } = sideBySide({}, 'defaults', { kind: SpanKind.PRODUCER }, (span) => {
    for (let i = 0; i < 140; i++) span.setAttribute(`k${i}`, i % 3 === 0 ? `v${i}` : i % 3 === 1 ? i : [`a${i}`, `b${i}`]);
    for (let i = 0; i < 135; i++) span.addEvent(`e${i}`, { i });
    for (let i = 0; i < 130; i++) span.addLink({ context: L((i % 6) + 1), attributes: { i } });
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  assert.deepStrictEqual(exportedView(ours), exportedView(sdk));
  assert.equal(ours.droppedAttributesCount, 12);
  assert.equal(ours.droppedEventsCount, 7);
  assert.equal(ours.droppedLinksCount, 2);
});

