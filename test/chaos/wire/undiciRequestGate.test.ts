// The gate put in place of a made request's handler, driven as undici's
// Request drives a handler (the wire tests drive it through real undici).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestGate } from '../../../src/chaos/wire/undiciRequestGate.js';
import type { UndiciHandler } from '../../../src/seam.js';

/** A handler that records its calls; onHeaders answers `headersAnswer`. */
function recorder(headersAnswer?: boolean): UndiciHandler & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onConnect: () => void log.push('connect'),
    onHeaders: (status: number) => (log.push(`headers ${status}`), headersAnswer as boolean),
    onData: (chunk: Buffer) => (log.push(`data ${chunk.toString()}`), true),
    onComplete: () => void log.push('complete'),
    onError: (err: Error) => void log.push(`error ${err.message}`),
  };
}

const noop = () => {};

describe('RequestGate', () => {
  test('shut: onConnect throws, so undici drops the request unwritten; its own error and anything else are swallowed', () => {
    const gate = new RequestGate(true);
    let stopped: unknown;
    try {
      gate.onConnect(noop);
    } catch (err) {
      stopped = err;
    }
    assert.ok(stopped instanceof Error);
    gate.onError(stopped as Error);
    gate.onError(new Error('connect refused'));
    const caller = recorder();
    gate.open(caller);
    assert.equal(gate.onHeaders(200, [], noop, 'OK'), false);
    assert.deepEqual(caller.log, []);
  });

  test('waiting: the response pauses at its headers, then everything is replayed in order and undici resumed', () => {
    const gate = new RequestGate(false);
    let resumed = 0;
    gate.onConnect(noop);
    assert.equal(gate.onHeaders(200, [], () => resumed++, 'OK'), false, 'undici is told to pause');
    const caller = recorder(true);
    gate.open(caller);
    assert.deepEqual(caller.log, ['connect', 'headers 200']);
    assert.equal(resumed, 1);
    assert.equal(gate.onData(Buffer.from('x')), true);
    gate.onComplete([]);
    assert.deepEqual(caller.log, ['connect', 'headers 200', 'data x', 'complete']);
  });

  test('waiting: a caller that pauses at the headers resumes undici itself', () => {
    const gate = new RequestGate(false);
    let resumed = 0;
    gate.onConnect(noop);
    gate.onHeaders(200, [], () => resumed++, 'OK');
    gate.open(recorder(false));
    assert.equal(resumed, 0);
  });

  test('waiting: a caller that aborts on its connect gets nothing more', () => {
    const gate = new RequestGate(false);
    let resumed = 0;
    // undici's abort, as the request sees it: the request's error comes back through the gate.
    gate.onConnect(() => gate.onError(new Error('aborted')));
    gate.onHeaders(200, [], () => resumed++, 'OK');
    const caller = recorder(true);
    caller.onConnect = (abort: (reason?: Error) => void) => {
      caller.log.push('connect');
      abort();
    };
    gate.open(caller);
    assert.deepEqual(caller.log, ['connect', 'error aborted']);
    assert.equal(resumed, 0);
  });

  test('waiting: an error before any response is replayed at the opening', () => {
    const gate = new RequestGate(false);
    gate.onError(new Error('ECONNREFUSED'));
    const caller = recorder();
    assert.deepEqual(caller.log, []);
    gate.open(caller);
    assert.deepEqual(caller.log, ['error ECONNREFUSED']);
  });

  test('opened at once: events go straight through, with the caller answers', () => {
    const gate = new RequestGate(false);
    const caller = recorder(false);
    gate.open(caller);
    gate.onConnect(noop);
    assert.equal(gate.onHeaders(404, [], noop, 'Not Found'), false);
    assert.deepEqual(caller.log, ['connect', 'headers 404']);
    gate.open(recorder());
    gate.onComplete(null);
    assert.deepEqual(caller.log, ['connect', 'headers 404', 'complete'], 'a second opening changes nothing');
  });
});
