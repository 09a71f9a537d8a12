import { test } from 'node:test';
import assert from 'node:assert/strict';
import { traceHeaderFrom } from '../../cli/local/gateway.js';

test('the front door keeps the caller trace in the invocation X-Ray header', () => {
  const xray = traceHeaderFrom({ 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' });
  assert.match(xray, /^Root=1-5759e988-bd862e3fe1be46a994272793;Parent=[0-9a-f]{16};Sampled=1$/);
  assert.equal(
    traceHeaderFrom({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
    'Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1',
  );
  assert.match(traceHeaderFrom({ 'x-amzn-trace-id': 'Root=garbage' }), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/);
});
