// The chaos commands' table context: the one-line messages for AWS failures,
// the settings refused before any request, and the wait for a new table to
// become ACTIVE (against a real HTTP server standing in for DynamoDB).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { EndpointError } from '../../src/awsEndpoint.js';
import { AwsNetworkError, AwsServiceError } from '../../cli/aws/awsError.js';
import { OperationError, UsageError } from '../../cli/common.js';
import { waitForActive } from '../../cli/chaos/ruleTable.js';
import { createTableContext, explainAwsError, fixedTableContext, withTable, type TableContext } from '../../cli/chaos/tableContext.js';
import { closeServer, listen } from '../helpers/targetServer.js';

const servers: Server[] = [];
after(async () => {
  for (const s of servers) await closeServer(s);
});

/** A DynamoDB stand-in answering the n-th request with `script(n, target)`. */
async function dynamo(script: (n: number, target: string) => { status: number; body: unknown }): Promise<{ url: string; targets: string[] }> {
  const targets: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']);
      targets.push(target);
      const a = script(targets.length - 1, target);
      res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(a.body));
    });
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${await listen(server)}`, targets };
}

const KEYS = { accessKeyId: 'AKIDCTX', secretAccessKey: 's', sessionToken: undefined };
const open = (url: string): Promise<TableContext> =>
  fixedTableContext({ endpoint: url, region: 'eu-west-1', credentials: KEYS, table: 'rules', tuning: { maxAttempts: 1 } });

const CTX = { table: 'rules', region: 'eu-west-1', profile: undefined };
const ddbError = (name: string, message = 'm', status = 400) => new AwsServiceError(name, message, status, 'req');

test('every kind of AWS failure is one line saying what to do', () => {
  const cred = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  const cases: Array<[string, unknown, Partial<typeof CTX> & { endpoint?: URL }, string]> = [
    ['table not found', ddbError('ResourceNotFoundException'), {}, 'table rules not found in eu-west-1: run faultline chaos init --table rules'],
    ['table not found, no region', ddbError('ResourceNotFoundException'), { region: undefined }, 'table rules not found in <default region>: run faultline chaos init --table rules'],
    ['no credentials', cred, {}, 'no AWS credentials from the default credential chain: pass --profile NAME, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY'],
    ['no credentials in a profile', cred, { profile: 'gameday' } as never, 'no AWS credentials from profile gameday: pass --profile NAME, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY'],
    ['no region', new EndpointError('NoRegion', 'no AWS region: pass --region or set AWS_REGION'), {}, 'no AWS region: pass --region REGION or set AWS_REGION'],
    ['bad region', new EndpointError('BadRegion', 'region "evil.com/" is not an AWS region name (such as eu-west-1)'), {},
      'region "evil.com/" is not an AWS region name (such as eu-west-1): pass --region REGION or set AWS_REGION'],
    ['bad endpoint', new EndpointError('BadEndpoint', 'AWS_ENDPOINT_URL_DYNAMODB=ftp://x: expected an http:// or https:// URL'), {},
      'AWS_ENDPOINT_URL_DYNAMODB=ftp://x: expected an http:// or https:// URL'],
    ['unrecognized client', ddbError('UnrecognizedClientException'), {}, 'AWS rejected the credentials (UnrecognizedClientException): refresh them or pass another --profile'],
    ['bad signature', ddbError('InvalidSignatureException'), {}, 'AWS rejected the credentials (InvalidSignatureException): refresh them or pass another --profile'],
    ['expired token', ddbError('ExpiredTokenException'), {}, 'AWS rejected the credentials (ExpiredTokenException): refresh them or pass another --profile'],
    ['access denied', ddbError('AccessDeniedException', 'User: x is not authorized to perform: dynamodb:Scan'), {},
      'access denied to table rules in eu-west-1: User: x is not authorized to perform: dynamodb:Scan'],
    ['refused', new AwsNetworkError('ECONNREFUSED', 'ECONNREFUSED: connect'), { endpoint: new URL('http://127.0.0.1:8000') }, 'cannot reach DynamoDB at http://127.0.0.1:8000 (ECONNREFUSED)'],
    ['no such host', new AwsNetworkError('ENOTFOUND', 'ENOTFOUND'), { endpoint: new URL('https://dynamodb.eu-west-1.amazonaws.com') },
      'cannot reach DynamoDB at https://dynamodb.eu-west-1.amazonaws.com (ENOTFOUND)'],
    ['timeout', new AwsNetworkError('TimeoutError', 'no answer'), { endpoint: new URL('http://127.0.0.1:8000/base') }, 'cannot reach DynamoDB at http://127.0.0.1:8000/base (timeout)'],
    ['TLS failure', new AwsNetworkError('CERT_HAS_EXPIRED', 'certificate has expired'), { endpoint: new URL('https://ddb.example.test') },
      'cannot reach DynamoDB at https://ddb.example.test (CERT_HAS_EXPIRED)'],
    ['anything else', ddbError('ValidationException', 'One or more parameter values were invalid'), {},
      'DynamoDB request on table rules failed: ValidationException: One or more parameter values were invalid'],
  ];
  for (const [name, err, ctx, message] of cases) {
    const explained = explainAwsError(err, { ...CTX, ...ctx });
    assert.ok(explained instanceof OperationError, name);
    assert.equal(explained.message, message, name);
  }
  const usage = new UsageError('u');
  assert.equal(explainAwsError(usage, CTX), usage);
});

test('no region, a bad region or a bad endpoint is refused before any request, naming the setting', async () => {
  const cases: Array<[Record<string, string>, string | undefined, RegExp]> = [
    [{}, undefined, /^no AWS region: pass --region REGION or set AWS_REGION$/],
    [{}, 'us-east-1.evil.com', /^region "us-east-1\.evil\.com" is not an AWS region name/],
    [{ AWS_REGION: 'EU-WEST-1' }, undefined, /^region "EU-WEST-1" is not an AWS region name/],
    [{ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: 'localhost:8000' }, undefined, /^AWS_ENDPOINT_URL_DYNAMODB=localhost:8000: expected an http/],
  ];
  const savedConfig = process.env.AWS_CONFIG_FILE;
  process.env.AWS_CONFIG_FILE = '/nonexistent/faultline-test-config';
  try {
    for (const [env, region, message] of cases) {
      await assert.rejects(createTableContext({ table: 'rules', region }, { ...env, AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' }), (err: unknown) => {
        assert.ok(err instanceof OperationError, String(err));
        assert.match(err.message, message);
        return true;
      });
    }
  } finally {
    if (savedConfig === undefined) delete process.env.AWS_CONFIG_FILE;
    else process.env.AWS_CONFIG_FILE = savedConfig;
  }
  await assert.rejects(createTableContext({ region: 'eu-west-1' }, {}), (err: unknown) => err instanceof UsageError);
});

test('withTable names the endpoint the client used and the region in force', async () => {
  const s = await dynamo(() => ({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' } }));
  const ctx = await createTableContext({ table: 'rules' }, { AWS_REGION: 'ap-south-2', AWS_ENDPOINT_URL_DYNAMODB: s.url, AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' });
  try {
    assert.equal(ctx.region, 'ap-south-2');
    await assert.rejects(withTable(ctx, (c) => c.client.call('Scan', { TableName: c.table })), {
      message: 'table rules not found in ap-south-2: run faultline chaos init --table rules',
    });
  } finally {
    ctx.client.destroy();
  }
});

test('waiting for ACTIVE: DescribeTable at once, then after 1 s, 2 s, …; not found and CREATING are waited for', async () => {
  const statuses = ['missing', 'CREATING', 'CREATING', 'ACTIVE'];
  const s = await dynamo((n) =>
    statuses[n] === 'missing'
      ? { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'not found' } }
      : { status: 200, body: { Table: { TableName: 'rules', TableStatus: statuses[n] } } },
  );
  const ctx = await open(s.url);
  let t = 0;
  const sleeps: number[] = [];
  try {
    await waitForActive(ctx, 120, { now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) });
  } finally {
    ctx.client.destroy();
  }
  assert.deepEqual(s.targets, Array(4).fill('DynamoDB_20120810.DescribeTable'));
  assert.deepEqual(sleeps, [1000, 2000, 4000]);
});

test('waiting for ACTIVE is bounded by maxWaitSeconds, the waits growing to 5 s', async () => {
  const s = await dynamo(() => ({ status: 200, body: { Table: { TableStatus: 'CREATING' } } }));
  const ctx = await open(s.url);
  let t = 0;
  const sleeps: number[] = [];
  try {
    await assert.rejects(
      waitForActive(ctx, 20, { now: () => t, sleep: async (ms) => void (sleeps.push(ms), (t += ms)) }),
      (err: unknown) => err instanceof OperationError && /^table rules is not ACTIVE after 20s \(CREATING\)/.test(err.message),
    );
  } finally {
    ctx.client.destroy();
  }
  assert.deepEqual(sleeps, [1000, 2000, 4000, 5000, 5000, 3000]);
  assert.equal(t, 20_000);
  assert.equal(s.targets.length, sleeps.length + 1);
});

test('waiting for ACTIVE ends at once on any other failure', async () => {
  const s = await dynamo(() => ({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'not authorized to perform: dynamodb:DescribeTable' } }));
  const ctx = await open(s.url);
  const sleeps: number[] = [];
  try {
    await assert.rejects(waitForActive(ctx, 120, { sleep: async (ms) => void sleeps.push(ms) }), { name: 'AccessDeniedException' });
  } finally {
    ctx.client.destroy();
  }
  assert.deepEqual(sleeps, []);
  assert.equal(s.targets.length, 1);
});
