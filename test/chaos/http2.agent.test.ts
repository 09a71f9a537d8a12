// A Kinesis rule from the rule table, as a function meets it: the agent
// (wrap) reading its rules from dynalite, the Kinesis client with its default
// HTTP/2 handler calling a real HTTP/2 server on 127.0.0.1. The faulted
// operation raises the named exception after the SDK's retries and never
// reaches the server; the other operation goes out with the invocation's trace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-kinesis';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { createAgent, installAgent } from '../../src/agent.js';
import { wrap } from '../../src/wrap.js';
import { MemorySink, lambdaContext, TEST_ENV } from '../helpers/memorySink.js';
import { createRuleTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamo } from '../helpers/ruleTable.js';
import { startHttp2Target, type Http2Target } from '../helpers/http2Server.js';

let dynamo: LocalDynamo;
let target: Http2Target;

before(async () => {
  dynamo = await startDynalite();
  target = await startHttp2Target();
});
after(async () => {
  await target.close();
  await dynamo.close();
});

test('a Kinesis rule from the table: PutRecord raises ProvisionedThroughputExceededException after the SDK retries, nothing reaches the server, the rest is traced', async () => {
  const admin = dynamo.client();
  const table = await context.with(suppressTracing(context.active()), () =>
    createRuleTable(admin, [
      {
        scope: { S: 'orders' },
        id: { S: 'kinesis-throttle' },
        enabled: { BOOL: true },
        target: { S: 'aws:kinesis:PutRecord' },
        fault: { S: 'error' },
        error: { S: 'ProvisionedThroughputExceededException' },
      },
    ]),
  );
  admin.destroy();
  const sink = new MemorySink();
  installAgent(
    createAgent({
      env: {
        ...TEST_ENV,
        FAULTLINE_CHAOS_TABLE: table,
        FAULTLINE_CHAOS_REFRESH_MS: '60000',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      sink,
      captureConsole: false,
    }),
  );
  // The default handler: NodeHttp2Handler, one HTTP/2 session per request.
  const kinesis = new KinesisClient({ endpoint: target.origin, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS });
  after(() => {
    kinesis.destroy();
    installAgent(null);
  });

  const handler = wrap(async () => {
    const streamsBefore = target.streams;
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'p', Data: Buffer.from('x') })).then(
      () => ({ ok: true as const }),
      (e: unknown) => ({ ok: false as const, error: e as ProvisionedThroughputExceededException }),
    );
    const putStreams = target.streams - streamsBefore;
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }));
    return { put, putStreams };
  });
  // The first invocation waits for the rules (bounded); on a loaded machine they may come a moment later.
  let n = 0;
  let result: Awaited<ReturnType<typeof handler>>;
  do result = await handler({}, lambdaContext(`req-k-${++n}`) as never);
  while (n < 200 && result.put.ok);
  const requestId = `req-k-${n}`;

  assert.equal(result.put.ok, false);
  const err = (result.put as { error: ProvisionedThroughputExceededException }).error;
  assert.ok(err instanceof ProvisionedThroughputExceededException, String(err));
  const maxAttempts = await kinesis.config.maxAttempts();
  assert.equal(err.$metadata.attempts, maxAttempts, 'retried per the SDK, then raised');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(result.putStreams, 0, 'no PutRecord stream reached the server');

  const spans = sink.spans().filter((s) => s.requestId === requestId && s.kind === 'CLIENT');
  const puts = spans.filter((s) => s.name === 'Kinesis.PutRecord');
  assert.equal(puts.length, maxAttempts, 'one span per attempt');
  for (const s of puts) {
    assert.equal(s.attributes['rpc.method'], 'Kinesis/PutRecord');
    assert.equal(s.attributes['http.response.status_code'], 400);
    assert.equal(s.attributes['network.protocol.version'], '2');
    assert.ok(s.events.some((e: { name: string; attributes: Record<string, unknown> }) => e.name === 'chaos.fault' && e.attributes['faultline.chaos.rule_id'] === 'kinesis-throttle'));
  }
  const describe = spans.find((s) => s.name === 'Kinesis.DescribeStreamSummary');
  assert.equal(describe?.attributes['http.response.status_code'], 200);
  const seen = target.seen.at(-1)!;
  assert.equal(seen.headers['x-amz-target'], 'Kinesis_20131202.DescribeStreamSummary');
  assert.equal(seen.headers.traceparent, `00-${describe.traceId}-${describe.spanId}-01`);
  const injected = sink.logs().filter((l) => l.message === 'chaos fault injected' && l.requestId === requestId);
  assert.equal(injected.length, maxAttempts);
  assert.equal(injected[0]!['faultline.chaos.error'], 'ProvisionedThroughputExceededException');
  assert.equal(sink.metrics().find((m) => m.requestId === requestId)?.FaultsInjected, maxAttempts);
});
