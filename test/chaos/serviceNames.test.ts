// Rule targets name services the way people do (SDK client ids, signing names,
// common names), and a rule written with any of them hits the call the SDK
// client really sends: checked against every installed @aws-sdk/client-*,
// whose requests go to a real HTTP server on 127.0.0.1 and are identified by
// the agent's own wire parser.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  CANONICAL_SERVICES,
  canonicalService,
  serviceNameTable,
  suggestServices,
} from '../../src/chaos/rules/serviceNames.js';
import { compileRuleSet, matchCall, parseTarget, tryParseTarget, validateRuleItem } from '../../src/chaos/rules.js';
import { awsCallOf } from '../../src/instrument/awsCall.js';

const require = createRequire(import.meta.url);

describe('canonicalService', () => {
  const table: [string, string][] = [
    ['cloudwatch', 'monitoring'],
    ['monitoring', 'monitoring'],
    ['CloudWatch', 'monitoring'],
    ['sfn', 'states'],
    ['stepfunctions', 'states'],
    ['step-functions', 'states'],
    ['StepFunctions', 'states'],
    ['states', 'states'],
    ['eventbridge', 'events'],
    ['events', 'events'],
    ['cloudwatch-logs', 'logs'],
    ['cloudwatchlogs', 'logs'],
    ['logs', 'logs'],
    ['@aws-sdk/client-sfn', 'states'],
    ['client-cloudwatch-logs', 'logs'],
    ['dynamodb', 'dynamodb'],
    ['dynamodb-streams', 'dynamodb'],
    ['secrets-manager', 'secretsmanager'],
    ['sesv2', 'ses'],
    ['email', 'ses'],
    ['apigatewaymanagementapi', 'execute-api'],
    ['cognito-identity-provider', 'cognito-idp'],
    ['opensearch', 'es'],
    ['bedrock-runtime', 'bedrock'],
    ['kinesis-firehose', 'firehose'],
  ];
  for (const [name, canonical] of table) {
    test(`${name} → ${canonical}`, () => assert.equal(canonicalService(name), canonical));
  }

  test('names no SDK client has are unknown', () => {
    for (const name of ['dynamo', 'cloudwach', 'svc1', 'foo', '', 'aws', 'client-']) assert.equal(canonicalService(name), undefined, name);
  });

  test('every canonical name is its own canonical name, and every alias leads to a canonical name', () => {
    for (const c of CANONICAL_SERVICES) assert.equal(canonicalService(c), c);
    for (const [name, canonical] of serviceNameTable()) {
      assert.equal(canonicalService(name), canonical, name);
      assert.ok(CANONICAL_SERVICES.includes(canonical));
    }
  });

  test('no two names collide once case and separators are ignored', () => {
    const seen = new Map<string, string>();
    for (const [name, canonical] of serviceNameTable()) {
      const k = name.toLowerCase().replace(/[-_.]/g, '');
      const prior = seen.get(k);
      assert.ok(prior === undefined || prior === canonical, `${name} collides with a name of ${prior}`);
      seen.set(k, canonical);
    }
  });

  test('every name a user may write is a valid target service', () => {
    for (const [name, canonical] of serviceNameTable()) {
      assert.deepEqual(parseTarget(`aws:${name}:PutThing`), { kind: 'aws', service: canonical, operation: 'PutThing' }, name);
    }
  });
});

describe('suggestServices', () => {
  const table: [string, string][] = [
    ['dynamo', 'dynamodb'],
    ['dynamdb', 'dynamodb'],
    ['cloudwach', 'cloudwatch'],
    ['lamda', 'lambda'],
    ['eventbrdge', 'eventbridge'],
    ['kinesiss', 'kinesis'],
    ['stepfunction', 'stepfunctions'],
  ];
  for (const [name, first] of table) {
    test(`${name} suggests ${first} first`, () => assert.equal(suggestServices(name)[0], first));
  }

  test('suggestions are known names, at most three, one per service, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const out = suggestServices(s);
        assert.ok(out.length <= 3);
        const services = out.map((n) => canonicalService(n));
        for (const c of services) assert.notEqual(c, undefined);
        assert.equal(new Set(services).size, services.length);
      }),
    );
  });
});

describe('rule targets', () => {
  test('an unknown service is refused, naming the closest names', () => {
    const r = tryParseTarget('aws:dynamo');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error, /^target=aws:dynamo: no AWS SDK client has the service dynamo: .*did you mean dynamodb/);
  });

  test('an alias parses to the canonical service; operation case is kept and matched without case', () => {
    const set = compileRuleSet([
      { scope: '*', id: 'cw', target: 'aws:cloudwatch:putmetricdata', fault: 'error', error: 'ThrottlingException' },
      { scope: '*', id: 'sfn', target: 'aws:sfn', fault: 'error', error: 'ThrottlingException' },
    ]);
    assert.deepEqual(set.problems, []);
    const hit = (service: string, operation: string) => matchCall(set, 'f', { kind: 'aws', service, operation }, 0).map((r) => r.id);
    assert.deepEqual(hit('monitoring', 'PutMetricData'), ['cw']);
    assert.deepEqual(hit('states', 'StartExecution'), ['sfn']);
    assert.deepEqual(hit('monitoring', 'GetMetricData'), []);
  });

  test('the agent leaves out a rule whose service no client has, naming the rule, and keeps the others', () => {
    const set = compileRuleSet([
      { scope: 'orders', id: 'typo', target: 'aws:dynamo:GetItem', fault: 'error', error: 'ThrottlingException' },
      { scope: 'orders', id: 'good', target: 'aws:dynamodb:GetItem', fault: 'error', error: 'ThrottlingException' },
    ]);
    assert.deepEqual(set.rules.map((r) => r.id), ['good']);
    assert.equal(set.problems.length, 1);
    assert.match(set.problems[0]!, /^rule orders\/typo: target=aws:dynamo:GetItem: no AWS SDK client has the service dynamo/);
  });

  test('an old rule written with the signing name keeps working', () => {
    const v = validateRuleItem({ scope: '*', id: 'old', target: 'aws:monitoring:PutMetricData', fault: 'latency', latencyMs: 10 });
    assert.ok(v.ok);
    assert.deepEqual(v.rule.target, { kind: 'aws', service: 'monitoring', operation: 'PutMetricData' });
  });
});

// ---- the installed SDK clients on the wire --------------------------------

/** One cheap command per installed client, and how its package names the client. */
const COMMANDS: Readonly<Record<string, [command: string, input: Record<string, unknown>]>> = {
  'client-cloudformation': ['ListStacksCommand', {}],
  'client-cloudwatch': ['ListMetricsCommand', {}],
  'client-cloudwatch-logs': ['DescribeLogGroupsCommand', {}],
  'client-dynamodb': ['ListTablesCommand', {}],
  'client-eventbridge': ['ListRulesCommand', {}],
  'client-kinesis': ['ListStreamsCommand', {}],
  'client-lambda': ['ListFunctionsCommand', {}],
  'client-s3': ['ListBucketsCommand', {}],
  'client-sfn': ['ListStateMachinesCommand', {}],
  'client-sns': ['ListTopicsCommand', {}],
  'client-sqs': ['ListQueuesCommand', {}],
  'client-sts': ['GetCallerIdentityCommand', {}],
};

describe('every installed SDK client: its id is an alias of the service its requests carry', () => {
  let server: Server;
  let endpoint: string;
  const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('no');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const root = require.resolve('@aws-sdk/client-dynamodb').split('/client-dynamodb/')[0]!;
  const installed = readdirSync(root).filter((d) => d.startsWith('client-'));

  test('the command table covers every installed client', () => assert.deepEqual(installed.sort(), Object.keys(COMMANDS).sort()));

  for (const pkg of installed) {
    test(pkg, async () => {
      const [commandName, input] = COMMANDS[pkg] ?? assert.fail(`no command for ${pkg}`);
      const mod = require(`@aws-sdk/${pkg}`) as Record<string, new (arg: unknown) => unknown>;
      const ClientClass = Object.entries(mod).find(([k, v]) => /^[A-Z][A-Za-z0-9]*Client$/.test(k) && typeof v === 'function')![1] as new (
        c: unknown,
      ) => { send(c: unknown): Promise<unknown>; destroy(): void };
      const client = new ClientClass({
        endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        // Kinesis speaks HTTP/2 by default; the signature, which is what this checks, is the same over HTTP/1.
        requestHandler: new NodeHttpHandler(),
      });
      const Command = mod[commandName]!;
      const before = seen.length;
      await client.send(new Command(input)).catch(() => undefined);
      client.destroy();
      const req = seen[before] ?? assert.fail(`${pkg} sent nothing`);
      const call = awsCallOf({ host: '127.0.0.1', method: req.method, path: req.url, headers: req.headers, body: req.body });
      assert.ok(call, `${pkg}: the agent does not see an AWS call`);
      const id = pkg.slice('client-'.length);
      assert.equal(canonicalService(id), call.service, `${id} should mean ${call.service}`);
      assert.equal(canonicalService(call.service), call.service);
      // The whole path: a rule written with the client id hits the request the client sent.
      const set = compileRuleSet([{ scope: '*', id: 'r', target: `aws:${id}:${commandName.replace(/Command$/, '').toLowerCase()}`, fault: 'error', error: 'ThrottlingException' }]);
      assert.deepEqual(set.problems, []);
      assert.deepEqual(matchCall(set, 'f', { kind: 'aws', service: call.service, operation: call.operation }, 0).map((r) => r.id), ['r']);
    });
  }
});
