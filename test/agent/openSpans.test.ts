// The open client spans of an invocation (src/invocationState.ts OpenSpans):
// a set with O(1) add and delete, compared here with a real Set under random operations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Span } from '@opentelemetry/api';
import { OpenSpans } from '../../src/invocationState.js';
import { seededRandom } from '../helpers/seededRandom.js';

const fakeSpan = (n: number) => ({ n }) as unknown as Span;

test('OpenSpans behaves as a Set under 20,000 random adds and deletes', () => {
  const random = seededRandom(3);
  const pool = Array.from({ length: 50 }, (_, i) => fakeSpan(i));
  const open = new OpenSpans();
  const model = new Set<Span>();
  for (let i = 0; i < 20_000; i++) {
    const span = pool[Math.floor(random() * pool.length)]!;
    if (random() < 0.55) {
      open.add(span);
      model.add(span);
    } else {
      assert.equal(open.delete(span), model.delete(span), `delete #${i}`);
    }
    assert.equal(open.size, model.size);
  }
  assert.deepEqual(new Set(open), model);
});

test('iteration is a snapshot, so spans can be removed while ending them; clear empties it', () => {
  const open = new OpenSpans();
  const spans = [fakeSpan(1), fakeSpan(2), fakeSpan(3)];
  for (const s of spans) open.add(s);
  const seen: Span[] = [];
  for (const s of open) {
    seen.push(s);
    open.delete(s);
  }
  assert.equal(seen.length, 3);
  assert.equal(open.size, 0);
  for (const s of spans) open.add(s);
  open.clear();
  assert.equal(open.size, 0);
  assert.equal(open.delete(spans[0]!), false, 'a cleared span is no longer held');
  open.add(spans[0]!);
  assert.equal(open.size, 1, 'and can be added again');
});

test('a span held by one invocation is not removed by another', () => {
  const a = new OpenSpans();
  const b = new OpenSpans();
  const s1 = fakeSpan(1);
  const s2 = fakeSpan(2);
  a.add(s1);
  b.add(s2);
  assert.equal(b.delete(s1), false);
  assert.equal(a.size, 1);
});
