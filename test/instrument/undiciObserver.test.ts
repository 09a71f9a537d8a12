// The handler put between undici and the caller's handler (src/instrument/undici/observers.ts):
// records the outcome on the client span and is, to undici, the caller's handler.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import { observingHandler } from '../../src/instrument/undici/observers.js';
import type { UndiciHandler } from '../../src/seam.js';
import type { ClientSpan } from '../../src/instrument/clientSpan.js';
import { setupOtel } from './otel.js';

const otel = setupOtel();
after(() => otel.shutdown());

function clientSpan(): ClientSpan {
  return { span: otel.tracer.startSpan('GET'), invocation: undefined, ended: false };
}

test('legacy API: every callback reaches the caller with its own this; the span gets status and ends once', () => {
  const calls: string[] = [];
  const inner = {
    body: 'kept on the caller',
    onConnect(this: { body: string }, abort: unknown) {
      calls.push(`connect ${typeof abort} ${this.body}`);
    },
    onHeaders(status: number) {
      calls.push(`headers ${status}`);
      return false;
    },
    onData(chunk: Buffer) {
      calls.push(`data ${chunk.toString()}`);
      return false;
    },
    onComplete() {
      calls.push('complete');
    },
    onError() {
      calls.push('error');
    },
    onResponseStarted() {
      calls.push('started');
    },
    onBodySent(chunk: string) {
      calls.push(`sent ${chunk}`);
    },
  } satisfies UndiciHandler;
  const cs = clientSpan();
  const h = observingHandler(inner, cs, false);
  h.onConnect!(() => {});
  (h.onBodySent as (c: string) => void)('x');
  (h.onResponseStarted as () => void)();
  assert.equal(h.onHeaders!(503, [], () => {}, 'Service Unavailable'), false, "the caller's return value");
  assert.equal(h.onData!(Buffer.from('b')), false);
  h.onComplete!(null);
  assert.deepEqual(calls, ['connect function kept on the caller', 'sent x', 'started', 'headers 503', 'data b', 'complete']);
  assert.equal(cs.ended, true);
  const span = otel.spans().find((s) => s.spanContext().spanId === cs.span.spanContext().spanId)!;
  assert.equal(span.attributes['http.response.status_code'], 503);
  assert.equal(span.status.code, SpanStatusCode.ERROR);
});

test('legacy API: the optional callbacks (onBodySent, onRequestSent, onResponseStarted, onUpgrade) are there exactly when the caller has them', () => {
  const optional = ['onBodySent', 'onRequestSent', 'onResponseStarted', 'onUpgrade'] as const;
  for (let shape = 0; shape < 1 << optional.length; shape++) {
    const calls: string[] = [];
    const inner: UndiciHandler = { who: 'the caller', onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError() {} };
    optional.forEach((name, i) => {
      if ((shape & (1 << i)) !== 0) {
        inner[name] = function (this: { who: string }, ...a: unknown[]) {
          calls.push(`${name}(${a.join(',')}) on ${this.who}`);
          return name;
        };
      }
    });
    const h = observingHandler(inner, clientSpan(), false);
    for (const [i, name] of optional.entries()) {
      const has = (shape & (1 << i)) !== 0;
      assert.equal(typeof h[name], has ? 'function' : 'undefined', `${name} with shape ${shape}`);
      if (has) {
        const args = name === 'onBodySent' ? ['chunk'] : name === 'onUpgrade' ? [101] : [];
        assert.equal((h[name] as (...a: unknown[]) => unknown)(...args), name, "the caller's return value");
        assert.equal(calls.at(-1), `${name}(${args.join(',')}) on the caller`);
      }
    }
  }
});

test('legacy API: onUpgrade is offered only when the caller has one (undici requires it for upgrade requests)', () => {
  const base = { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError() {} };
  assert.equal(typeof observingHandler(base, clientSpan(), false).onUpgrade, 'undefined');
  let upgraded = 0;
  const cs = clientSpan();
  const h = observingHandler({ ...base, onUpgrade: () => void upgraded++ }, cs, false);
  (h.onUpgrade as (...a: unknown[]) => void)(101, [], {});
  assert.equal(upgraded, 1);
  assert.equal(cs.ended, true, 'an upgraded connection ends the span');
});

test('legacy API: an error is recorded and ends the span; optional callbacks the caller lacks are absent, as undici would see them', () => {
  let seen: unknown;
  const cs = clientSpan();
  const h = observingHandler({ onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError: (e: Error) => (seen = e) }, cs, false);
  assert.equal(h.onRequestSent, undefined);
  const err = Object.assign(new Error('socket hang up'), { code: 'UND_ERR_SOCKET' });
  h.onError!(err);
  assert.equal(seen, err);
  assert.equal(cs.ended, true);
  const span = otel.spans().find((s) => s.spanContext().spanId === cs.span.spanContext().spanId)!;
  assert.equal(span.attributes['error.type'], 'UND_ERR_SOCKET');
  assert.equal(span.events[0]?.name, 'exception');
});

test('controller API (undici 7): status recorded, span ended at the end of the response, calls forwarded', () => {
  const calls: string[] = [];
  const inner: UndiciHandler = {
    onRequestStart: () => calls.push('start'),
    onResponseStart: (_c, status) => void calls.push(`response ${status}`),
    onResponseData: (_c, chunk) => void calls.push(`data ${chunk.toString()}`),
    onResponseEnd: () => void calls.push('end'),
    onResponseError: () => void calls.push('error'),
  };
  const cs = clientSpan();
  const h = observingHandler(inner, cs, true);
  const controller = {} as never;
  h.onRequestStart!(controller, {});
  h.onResponseStart!(controller, 200, { 'x-amzn-requestid': 'req-1' });
  h.onResponseData!(controller, Buffer.from('b'));
  assert.equal(cs.ended, false);
  h.onResponseEnd!(controller, {});
  assert.deepEqual(calls, ['start', 'response 200', 'data b', 'end']);
  const span = otel.spans().find((s) => s.spanContext().spanId === cs.span.spanContext().spanId)!;
  assert.equal(span.attributes['aws.request_id'], 'req-1');
});
