// Every log line is one JSON object with each key once: the agent's own fields
// (timestamp, level, message, requestId, traceId, spanId, function, service,
// coldStart) are never repeated by a user's field, and a key both appended for
// the invocation and passed with the call is written once, with the call's value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { wrap } from '../../src/wrap.js';
import { logger } from '../../src/index.js';
import { lambdaContext } from '../helpers/memorySink.js';
import { installTestAgent } from '../helpers/agent.js';

const RESERVED = ['timestamp', 'level', 'message', 'requestId', 'traceId', 'spanId', 'function', 'service', 'coldStart'];

/** Top-level keys of a compact JSON object line, duplicates included (string values only, as the test writes). */
function topLevelKeys(line: string): string[] {
  // JSON.parse keeps the last of duplicate keys, so re-serialising shortens a line that had any.
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(JSON.stringify(parsed).length, line.length, `a key is repeated in ${line}`);
  return Object.keys(parsed);
}

test('the sample shop pattern: appendKeys({orderId}) then info(msg, {orderId}) writes orderId once', async (t) => {
  const { sink } = installTestAgent(t);
  const h = wrap(async () => {
    logger.appendKeys({ orderId: 'o-1' });
    logger.info('order received', { orderId: 'o-2', amount: '7' });
  });
  await h({}, lambdaContext('req-1') as any);
  const line = sink.lines.find((l) => l.includes('order received'))!;
  topLevelKeys(line);
  assert.equal(JSON.parse(line).orderId, 'o-2', "the call's value wins");
});

test('any appended keys and call fields, reserved names included, give each key once', async (t) => {
  const { sink } = installTestAgent(t);
  const key = fc.oneof(fc.constantFrom(...RESERVED, 'orderId', 'user', 'a'), fc.string({ minLength: 1, maxLength: 6 }));
  const fields = fc.dictionary(key, fc.string({ maxLength: 8 }), { maxKeys: 6 });
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fields, fields, async (appended, called) => {
      sink.clear();
      const id = `req-${n++}`;
      await wrap(async () => {
        logger.appendKeys(appended);
        logger.info('m', called);
      })({}, lambdaContext(id) as any);
      const line = sink.lines.find((l) => l.includes('"message":"m"'))!;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      topLevelKeys(line);
      assert.equal(parsed.requestId, id, 'the agent keeps its own requestId');
      assert.equal(parsed.message, 'm');
      for (const [k, v] of Object.entries(called)) if (!RESERVED.includes(k) && k !== '__proto__') assert.equal(parsed[k], v);
    }),
    { numRuns: 200 },
  );
});
