import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptBody, corruptedLength } from '../../../src/chaos/wire/corruptBody.js';
import { hangBudgetMs, DEADLINE_MARGIN_MS, MAX_HANG_MS } from '../../../src/chaos/wire/hangBudget.js';
import { networkError } from '../../../src/chaos/wire/networkError.js';
import { bodyBytes, headerObject, rawHeaderBuffers, responseBytes } from '../../../src/chaos/wire/httpBytes.js';
import { cannedOutcome } from '../../../src/chaos/wire/cannedResponse.js';
import { jitteredDelay } from '../../../src/chaos/jitter.js';

describe('corruptBody', () => {
  const body = Buffer.from('{"a":"xyz","b":2,"c":[true,null],"d":{"e":"f"}}');
  test('truncate cuts in half', () => assert.equal(corruptBody(body, 'truncate').length, Math.floor(body.length / 2)));
  test('empty', () => assert.equal(corruptBody(body, 'empty').length, 0));
  test('garble keeps the length, changes bytes, breaks JSON', () => {
    const g = corruptBody(body, 'garble');
    assert.equal(g.length, body.length);
    assert.notDeepEqual(g, body);
    assert.throws(() => JSON.parse(g.toString()));
  });
  test('json: every value of another type, keys kept', () => {
    assert.deepEqual(JSON.parse(corruptBody(body, 'json').toString()), { a: 3, b: '2', c: ['true', false], d: { e: 1 } });
  });
  test('json on a non-JSON body still corrupts it', () => assert.notDeepEqual(corruptBody(Buffer.from('plain text'), 'json'), Buffer.from('plain text')));
  test('lengths known ahead', () => {
    assert.equal(corruptedLength('truncate', 11), 5);
    assert.equal(corruptedLength('garble', 11), 11);
    assert.equal(corruptedLength('empty', 11), 0);
    assert.equal(corruptedLength('json', 11), undefined);
  });
});

describe('hangBudgetMs', () => {
  test('the smallest of rule, remaining time minus margin and client timeout', () => {
    assert.equal(hangBudgetMs(5000, 1000), 1000 - DEADLINE_MARGIN_MS);
    assert.equal(hangBudgetMs(300, 10_000), 300);
    assert.equal(hangBudgetMs(undefined, 10_000, 200), 200);
    assert.equal(hangBudgetMs(undefined, Infinity), MAX_HANG_MS);
    assert.equal(hangBudgetMs(undefined, 50), 0);
  });
});

describe('networkError', () => {
  test('like Node: code, errno, syscall, address', () => {
    const e = networkError('ECONNREFUSED', '10.0.0.1', 443) as NodeJS.ErrnoException & { address?: string; port?: number };
    assert.equal(e.message, 'connect ECONNREFUSED 10.0.0.1:443');
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.errno, -111);
    assert.equal(e.syscall, 'connect');
    assert.equal(e.port, 443);
    assert.equal(networkError('ENOTFOUND', 'api.example.com', 443).message, 'getaddrinfo ENOTFOUND api.example.com');
    assert.equal(networkError('ECONNRESET', 'h', 1).message, 'read ECONNRESET');
  });
});

describe('responseBytes', () => {
  test('HTTP/1.1 status line, our framing headers, body', () => {
    const text = responseBytes({ status: 503, headers: { 'x-a': '1', 'Content-Length': '999' }, body: 'hé' }, 'GET').toString('utf8');
    assert.match(text, /^HTTP\/1\.1 503 Service Unavailable\r\nx-a: 1\r\ndate: .+\r\ncontent-length: 3\r\nconnection: close\r\n\r\nhé$/);
  });
  test('HEAD: headers only', () => {
    assert.match(responseBytes({ status: 404, headers: {}, body: 'x' }, 'HEAD').toString(), /\r\n\r\n$/);
  });
  test('a binary body (a view into a larger buffer) goes out byte for byte, with its own length', () => {
    const backing = Uint8Array.from([0xff, 0xa2, 0x80, 0x00, 0x61, 0xfe]);
    const body = backing.subarray(1, 5);
    const res = { status: 400, headers: { 'content-type': 'application/cbor' }, body };
    assert.deepEqual([...bodyBytes(res, 'POST')], [0xa2, 0x80, 0x00, 0x61]);
    assert.equal(bodyBytes(res, 'HEAD').length, 0);
    const bytes = responseBytes(res, 'POST');
    const split = bytes.indexOf('\r\n\r\n') + 4;
    assert.match(bytes.subarray(0, split).toString('latin1'), /\r\ncontent-length: 4\r\n/);
    assert.deepEqual([...bytes.subarray(split)], [0xa2, 0x80, 0x00, 0x61]);
    assert.equal(headerObject(res)['content-length'], '4');
    const raw = rawHeaderBuffers(res).map((b) => b.toString());
    assert.equal(raw[raw.indexOf('content-length') + 1], '4');
  });
});

describe('cannedOutcome', () => {
  const plain = { method: 'GET', headers: {}, aws: undefined };
  test('latency and corrupt let the real call proceed', () => {
    assert.equal(cannedOutcome({ type: 'latency', latencyMs: 1, jitterMs: 0 }, plain, 'R'), undefined);
    assert.equal(cannedOutcome({ type: 'corrupt', corruption: 'empty' }, plain, 'R'), undefined);
  });
  test('network errors', () => {
    assert.deepEqual(cannedOutcome({ type: 'error', error: { kind: 'network', code: 'EPIPE' } }, plain, 'R'), { kind: 'network', code: 'EPIPE' });
  });
  test('an HTTP status on an AWS call keeps exactly that status', () => {
    const o = cannedOutcome({ type: 'error', error: { kind: 'http', status: 403 } }, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' }, aws: { service: 'dynamodb', operation: 'GetItem' } }, 'R');
    assert.equal(o?.kind === 'response' ? o.response.status : 0, 403);
  });
});

describe('jitteredDelay', () => {
  test('latency ± jitter, never negative', () => {
    assert.equal(jitteredDelay(100, 50, () => 0), 50);
    assert.equal(jitteredDelay(100, 50, () => 1), 150);
    assert.equal(jitteredDelay(10, 50, () => 0), 0);
  });
});
