// Faults on a real DynamoDBClient talking to dynalite on 127.0.0.1: the SDK
// must see the service's own wire errors and apply its own retry policy.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SpanStatusCode } from '@opentelemetry/api';
import { createTable, putItem, startDynalite } from '../../helpers/ruleTable.js';
import { useWireFaults } from '../../helpers/wireFaults.js';

describe('DynamoDB faults at the wire (dynalite)', () => {
  let seen = 0;
  let ddb: DynamoDBClient;
  const wire = useWireFaults(startDynalite, {
    reset: () => (seen = 0),
    async setUp(dynamo) {
      dynamo.server.on('request', () => seen++);
      ddb = client();
      await createTable(ddb, 'tbl', ['pk']);
      await putItem(ddb, 'tbl', { pk: { S: 'a' }, n: { N: '1' } });
    },
    tearDown: () => ddb.destroy(),
  });
  const { engine } = wire;
  const client = (extra: Record<string, unknown> = {}) =>
    wire.server.client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      ...extra,
    });

  test('the call is described to the rule engine as an AWS call', async () => {
    await ddb.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }));
    assert.deepEqual(engine.calls, [{ kind: 'aws', service: 'dynamodb', operation: 'GetItem', host: '127.0.0.1', path: '/' }]);
  });

  test('ProvisionedThroughputExceededException: the named exception, status 400, SDK retries, server sees nothing', async () => {
    engine.reset((c) => (c.operation === 'GetItem' ? { type: 'error', error: { kind: 'aws', code: 'ProvisionedThroughputExceededException' } } : undefined));
    const err = await ddb.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ProvisionedThroughputExceededException, String(err));
    assert.equal(err.$metadata.httpStatusCode, 400);
    const maxAttempts = await ddb.config.maxAttempts();
    assert.ok(maxAttempts >= 3);
    assert.equal(err.$metadata.attempts, maxAttempts, 'every attempt the retry policy of the SDK allows');
    assert.match(err.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(seen, 0, 'dynalite saw no request');
    assert.equal(engine.injectedFaults.length, maxAttempts);
    const spans = wire.otel.spans().filter((s) => s.name === 'DynamoDB.GetItem');
    assert.equal(spans.length, maxAttempts, 'one client span per attempt');
    for (const s of spans) {
      assert.equal(s.attributes['http.response.status_code'], 400);
      assert.equal(s.attributes['rpc.system.name'], 'aws-api');
      assert.match(String(s.attributes['aws.request_id']), /^[0-9a-f-]{36}$/);
      assert.equal(s.status.code, SpanStatusCode.ERROR);
      assert.equal(s.events.find((e) => e.name === 'chaos.fault')?.attributes?.['faultline.chaos.rule_id'], 'r1');
    }
  });

  test('ThrottlingException with maxAttempts 2', async () => {
    const c = client({ maxAttempts: 2 });
    engine.reset(() => ({ type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as {
      name: string;
      $metadata: { attempts: number; httpStatusCode: number };
      $retryable?: { throttling?: boolean };
    };
    c.destroy();
    assert.equal(err.name, 'ThrottlingException');
    assert.equal(err.$metadata.attempts, 2);
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(seen, 0);
  });

  test('a fault that hits only the first attempt: the SDK retry succeeds against the real server', async () => {
    let n = 0;
    engine.reset(() => (n++ === 0 ? { type: 'error', error: { kind: 'aws', code: 'InternalServerError' } } : undefined));
    const out = await ddb.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }));
    assert.deepEqual(out.Item, { pk: { S: 'a' }, n: { N: '1' } });
    assert.equal(out.$metadata.attempts, 2);
    assert.equal(seen, 1);
  });

  test('HTTP 503 on an AWS call: the SDK sees the service error with that status', async () => {
    const c = client({ maxAttempts: 1 });
    engine.reset(() => ({ type: 'error', error: { kind: 'http', status: 503 } }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as {
      name: string;
      $metadata: { httpStatusCode: number };
    };
    c.destroy();
    assert.equal(err.$metadata.httpStatusCode, 503);
    assert.equal(err.name, 'ServiceUnavailable');
  });

  test('latency: the real call still happens and succeeds', async () => {
    engine.reset(() => ({ type: 'latency', latencyMs: 150, jitterMs: 0 }));
    const t0 = Date.now();
    const out = await ddb.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }));
    assert.equal(out.Item?.pk?.S, 'a');
    assert.ok(Date.now() - t0 >= 140, 'the call was held back'); // lower bound only: never flaky on a slow machine
    assert.equal(seen, 1);
  });

  test('timeout: the SDK requestTimeout (throwOnRequestTimeout) fires, as on a hung socket', async () => {
    const c = client({ maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as Error;
    c.destroy();
    assert.equal(err.name, 'TimeoutError');
    assert.match(err.message, /exceeded the configured 200 ms requestTimeout/);
    assert.equal(seen, 0);
  });

  test('timeout: the SDK socketTimeout fires on the idle socket', async () => {
    const c = client({ maxAttempts: 1, requestHandler: { socketTimeout: 200 } });
    engine.reset(() => ({ type: 'timeout', timeoutMs: undefined }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as Error;
    c.destroy();
    assert.equal(err.name, 'TimeoutError');
    assert.match(err.message, /socket timed out after 200 ms/);
    assert.equal(seen, 0);
  });

  test('timeout with timeoutMs shorter than the client timeout: fails as ETIMEDOUT', async () => {
    const c = client({ maxAttempts: 1, requestHandler: { requestTimeout: 60_000 } });
    engine.reset(() => ({ type: 'timeout', timeoutMs: 100 }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as {
      code?: string;
    };
    c.destroy();
    assert.equal(err.code, 'ETIMEDOUT');
  });

  test('corrupt truncate: the SDK fails to deserialize the real response', async () => {
    const c = client({ maxAttempts: 1 });
    engine.reset(() => ({ type: 'corrupt', corruption: 'truncate' }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as Error;
    c.destroy();
    assert.ok(err instanceof Error);
    assert.match(`${err.name} ${err.message}`, /JSON|Deserializ|Unexpected end/i);
    assert.equal(seen, 1, 'the real call happened');
  });

  test('network error ECONNRESET: the SDK retries it as transient', async () => {
    const c = client({ maxAttempts: 2 });
    engine.reset(() => ({ type: 'error', error: { kind: 'network', code: 'ECONNRESET' } }));
    const err = (await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e)) as {
      code?: string;
      $metadata?: { attempts?: number };
    };
    c.destroy();
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(err.$metadata?.attempts, 2);
    assert.equal(seen, 0);
  });

  test('keep-alive: after faults, the pooled connection still serves real calls', async () => {
    engine.reset(() => ({ type: 'error', error: { kind: 'aws', code: 'ThrottlingException' } }));
    const c = client({ maxAttempts: 1 });
    await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } })).catch(() => undefined);
    engine.reset();
    for (let i = 0; i < 3; i++) {
      const out = await c.send(new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' } } }));
      assert.equal(out.Item?.pk?.S, 'a');
    }
    c.destroy();
    assert.equal(seen, 3);
  });
});
