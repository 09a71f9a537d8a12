// Which fetch() calls fail before any dispatcher sees them (src/instrument/fetchRefusal.ts):
// the port scan agrees with the URL parser on whether a URL names a port fetch blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BAD_PORTS, explicitHttpPort, failsBeforeDispatch } from '../../src/instrument/fetchRefusal.js';

/** The oracle: the WHATWG URL parser's port, for an http(s) URL that parses. */
function parsedBadPort(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  return u.port !== '' && BAD_PORTS.has(Number(u.port));
}

const ports = fc.oneof(fc.constantFrom(...BAD_PORTS), fc.integer({ min: 0, max: 70000 }));
const hosts = fc.constantFrom('127.0.0.1', 'example.com', '[::1]', '[2001:db8::1]', 'user:pw@host', 'a:1@host', 'host');
const tails = fc.constantFrom('', '/', '/p:6000', '?q=:1', '#x:2', '/a/b?c=d');

test('a URL names a blocked port exactly when the URL parser says so', () => {
  fc.assert(
    fc.property(fc.constantFrom('http', 'https', 'ws', 'ftp'), hosts, fc.option(ports, { nil: undefined }), fc.constantFrom('', '0', '00'), tails, (scheme, host, port, zeros, tail) => {
      const url = `${scheme}://${host}${port === undefined ? '' : `:${zeros}${port}`}${tail}`;
      const scanned = explicitHttpPort(url);
      assert.equal(scanned !== undefined && BAD_PORTS.has(scanned), parsedBadPort(url), url);
    }),
    { numRuns: 3000 },
  );
});

test('an aborted signal, on init or on a Request, fails before dispatch; a live one does not', () => {
  const aborted = AbortSignal.abort();
  assert.equal(failsBeforeDispatch('http://127.0.0.1:8080/', { signal: aborted }), true);
  assert.equal(failsBeforeDispatch(new Request('http://127.0.0.1:8080/', { signal: aborted }), undefined), true);
  assert.equal(failsBeforeDispatch('http://127.0.0.1:8080/', { signal: new AbortController().signal }), false);
  assert.equal(failsBeforeDispatch(new URL('http://127.0.0.1:6000/'), undefined), true);
  assert.equal(failsBeforeDispatch('https://example.com/x', undefined), false);
});
