// What an `invocation`-target fault does to the invocation (src/chaos/invocationFaults.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InjectedInvocationError, invocationEffect } from '../../src/chaos/invocationFaults.js';
import type { Fault } from '../../src/chaos/ruleTypes.js';
import type { FaultDecision } from '../../src/seam.js';

const decision = (fault: Fault): FaultDecision => ({ ruleId: 'slow', scope: 'orders', targetText: 'invocation', fault });

test('latency: a wait of latency ± jitter, whole ms, never negative', () => {
  assert.deepEqual(invocationEffect(decision({ type: 'latency', latencyMs: 200, jitterMs: 50 }), () => 0), { waitMs: 150 });
  assert.deepEqual(invocationEffect(decision({ type: 'latency', latencyMs: 200, jitterMs: 50 }), () => 0.999), { waitMs: 250 });
  assert.deepEqual(invocationEffect(decision({ type: 'latency', latencyMs: 10, jitterMs: 50 }), () => 0), { waitMs: 0 });
});

test('error: an InjectedInvocationError named after the error, naming the rule', () => {
  const cases: [Fault, string][] = [
    [{ type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } }, 'ThrottlingException'],
    [{ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }, 'ECONNRESET'],
    [{ type: 'error', error: { kind: 'http', status: 503 } }, 'HTTP503'],
  ];
  for (const [fault, name] of cases) {
    const effect = invocationEffect(decision(fault), Math.random);
    assert.ok(effect !== undefined && 'error' in effect);
    assert.ok(effect.error instanceof InjectedInvocationError);
    assert.equal(effect.error.name, name);
    assert.equal(effect.error.message, 'faultline chaos: invocation failed by rule orders/slow');
  }
});

test('faults that act on calls only have no effect on the invocation', () => {
  assert.equal(invocationEffect(decision({ type: 'timeout', timeoutMs: 100 }), Math.random), undefined);
  assert.equal(invocationEffect(decision({ type: 'corrupt', corruption: 'truncate' } as Fault), Math.random), undefined);
});
