// `faultline chaos …` end to end through runCli, against dynalite on
// 127.0.0.1 as the rule table and a local STS stand-in for createdBy.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshallItem, unmarshallItem } from '../../src/chaos/dynamoJson.js';
import { cli } from '../helpers/cli.js';
import { startDynalite, type LocalDynamo } from '../helpers/ruleTable.js';
import { closedPort, closeServer, listen } from '../helpers/targetServer.js';

const CALLER_ARN = 'arn:aws:iam::123456789012:user/game-day-alice';
const TABLE = 'faultline-rules-test';

let dynamo: LocalDynamo;
let stsServer: Server;
let endpoint: string;
let client: DynamoDBClient;
let tmp: string;
const savedEnv = { ...process.env };

const t = (...args: string[]) => cli(...args, '--table', TABLE);

async function items(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    for (const i of page.Items ?? []) out.push(unmarshallItem(i as Parameters<typeof unmarshallItem>[0]));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

async function rules(): Promise<Record<string, unknown>[]> {
  return (await items()).filter((i) => !String(i.id).startsWith('#'));
}

async function putRaw(item: Record<string, unknown>): Promise<void> {
  await client.send(new PutItemCommand({ TableName: TABLE, Item: marshallItem(item) as unknown as Record<string, AttributeValue> }));
}

async function emptyTable(): Promise<void> {
  const all = await items();
  for (let i = 0; i < all.length; i += 25) {
    const batch = all.slice(i, i + 25).map((item) => ({
      DeleteRequest: { Key: marshallItem({ scope: item.scope, id: item.id }) as unknown as Record<string, AttributeValue> },
    }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
  }
}

before(async () => {
  dynamo = await startDynalite();
  endpoint = dynamo.endpoint;
  // STS speaks the AWS query protocol: an XML answer to GetCallerIdentity.
  stsServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${CALLER_ARN}</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  const stsPort = await listen(stsServer);
  tmp = mkdtempSync(join(tmpdir(), 'faultline-chaos-'));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${stsPort}`,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret-test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(tmp, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'no-credentials'),
    NO_COLOR: '1',
  });
  delete process.env.FAULTLINE_CHAOS_TABLE;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  client = dynamo.client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' } });
});

after(async () => {
  client.destroy();
  await dynamo.close();
  await closeServer(stsServer);
  rmSync(tmp, { recursive: true, force: true });
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('chaos init', () => {
  test('creates the table, says so, and reports that dynalite has no TTL', async () => {
    const r = await t('chaos', 'init');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`created table ${TABLE}`));
    assert.match(r.stdout, /does not support TTL/);
    assert.deepEqual(await items(), []);
  });

  test('a second init says the table exists and exits 0', async () => {
    const r = await t('chaos', 'init', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.created, false);
    assert.equal(out.table, TABLE);
    assert.equal(out.ttl, 'unsupported');
  });
});

describe('chaos set', () => {
  beforeEach(emptyTable);

  test('writes a valid rule with audit fields, a generated id, and prints what it can hit', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await t('chaos', 'set', 'orders', '--target', 'aws:dynamodb:GetItem', '--fault', 'error',
      '--error', 'ProvisionedThroughputExceededException', '--rate', '0.3', '--for', '15m', '--note', 'game day 4');
    assert.equal(r.code, 0, r.stderr);
    const [rule, ...rest] = await rules();
    assert.equal(rest.length, 0);
    assert.ok(rule);
    assert.match(String(rule.id), /^ddb-getitem-throttle-[0-9a-f]{4}$/);
    assert.equal(rule.scope, 'orders');
    assert.equal(rule.target, 'aws:dynamodb:GetItem');
    assert.equal(rule.fault, 'error');
    assert.equal(rule.error, 'ProvisionedThroughputExceededException');
    assert.equal(rule.rate, 0.3);
    assert.equal(rule.enabled, true);
    assert.equal(rule.note, 'game day 4');
    assert.equal(rule.createdBy, CALLER_ARN);
    assert.ok(Number(rule.createdAt) >= before && Number(rule.createdAt) <= before + 60);
    assert.ok(Math.abs(Number(rule.expiresAt) - (Number(rule.createdAt) + 900)) <= 1);
    assert.match(r.stdout, new RegExp(`set rule orders/${String(rule.id)}`));
    assert.match(r.stdout, /orders/);
  });

  test('--json prints the written item', async () => {
    const r = await t('chaos', 'set', '*', '--target', 'http:api.example.com/v1/*', '--fault', 'latency',
      '--latency', '800', '--jitter', '2s', '--id', 'slow-api', '--for', '1h', '--json');
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(printed.latencyMs, 800);
    assert.equal(printed.jitterMs, 2000);
    const [stored] = await rules();
    const { type, ...item } = printed;
    assert.equal(type, 'rule');
    assert.deepEqual(item, stored);
  });

  test('extensions: respond with headers and a body from a file, sticky, flap, first', async () => {
    const bodyFile = join(tmp, 'busy.json');
    writeFileSync(bodyFile, '{"error":"busy"}');
    const r = await t('chaos', 'set', 'checkout', '--target', 'http:api.stripe.com', '--fault', 'respond',
      '--status', '503', '--header', 'content-type=application/json', '--header', 'Retry-After=2',
      '--body', `@${bodyFile}`, '--sticky', 'header:x-user-id', '--id', 'psp-down', '--for', '10m');
    assert.equal(r.code, 0, r.stderr);
    const r2 = await t('chaos', 'set', 'checkout', '--target', 'aws:sqs', '--fault', 'latency', '--latency', '300',
      '--flap', '30s/60s', '--id', 'sqs-flap', '--for', '10m');
    assert.equal(r2.code, 0, r2.stderr);
    const r3 = await t('chaos', 'set', 'checkout', '--target', 'aws:s3', '--fault', 'error', '--error', '503',
      '--first', '3', '--id', 's3-first', '--for', '10m');
    assert.equal(r3.code, 0, r3.stderr);
    const byId = new Map((await rules()).map((i) => [i.id, i]));
    assert.equal(byId.get('psp-down')?.status, 503);
    assert.deepEqual(byId.get('psp-down')?.headers, { 'content-type': 'application/json', 'retry-after': '2' });
    assert.equal(byId.get('psp-down')?.body, '{"error":"busy"}');
    assert.equal(byId.get('psp-down')?.sticky, 'header:x-user-id');
    assert.equal(byId.get('sqs-flap')?.flapOnSeconds, 30);
    assert.equal(byId.get('sqs-flap')?.flapOffSeconds, 60);
    assert.equal(byId.get('s3-first')?.firstN, 3);
    assert.equal(byId.get('s3-first')?.error, '503');
  });

  const invalid: [string, string[], RegExp][] = [
    ['rate out of range', ['--target', 'aws:s3', '--fault', 'error', '--error', 'SlowDown', '--rate', '1.5'], /--rate 1\.5: expected a number between 0 and 1/],
    ['unknown fault', ['--target', 'aws:s3', '--fault', 'explode'], /--fault explode: expected one of/],
    ['bad duration', ['--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--for', '15x'], /--for 15x: expected a duration such as 90s, 15m or 2h/],
    ['bad flap', ['--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--flap', '30s'], /--flap 30s: expected ON\/OFF durations such as 30s\/60s/],
    ['missing error code', ['--target', 'aws:s3', '--fault', 'error'], /--error/],
    ['bad header', ['--target', 'http:x.example.com', '--fault', 'respond', '--status', '200', '--header', 'novalue'], /--header novalue: expected name=value/],
    ['missing target', ['--fault', 'latency', '--latency', '100'], /--target/],
  ];
  for (const [name, flags, message] of invalid) {
    test(`invalid: ${name} → exit 2 naming the flag, nothing written`, async () => {
      const r = await t('chaos', 'set', 'orders', ...flags, '--id', 'never');
      assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      assert.deepEqual(await rules(), []);
    });
  }

  test('refuses to overwrite an id unless --replace', async () => {
    const args = ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'latency', '--id', 'same', '--for', '5m'];
    assert.equal((await t(...args, '--latency', '100')).code, 0);
    const again = await t(...args, '--latency', '900');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /rule orders\/same already exists: pass --replace/);
    assert.equal((await rules())[0]?.latencyMs, 100);
    const replaced = await t(...args, '--latency', '900', '--replace');
    assert.equal(replaced.code, 0, replaced.stderr);
    const all = await rules();
    assert.equal(all.length, 1);
    assert.equal(all[0]?.latencyMs, 900);
  });

  test('--dry-run prints the reach and writes nothing, even without a table', async () => {
    const r = await cli('chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'error',
      '--error', 'ThrottlingException', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry run, nothing written/);
    assert.match(r.stdout, /orders/);
    assert.deepEqual(await rules(), []);
    const bad = await cli('chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'error', '--rate', '-1', '--dry-run');
    assert.equal(bad.code, 2);
  });
});

describe('chaos set: expiry and service names', () => {
  beforeEach(emptyTable);

  test('without --for the rule expires after 1h, and the confirmation says until when', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await t('chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--id', 'd');
    assert.equal(r.code, 0, r.stderr);
    const [rule] = await rules();
    assert.ok(Math.abs(Number(rule?.expiresAt) - (now + 3600)) <= 2, JSON.stringify(rule));
    const iso = new Date(Number(rule?.expiresAt) * 1000).toISOString().replace('.000Z', 'Z');
    assert.match(r.stdout, new RegExp(`set rule orders/d: .*expires in (59m|1h).*, until ${iso}`));
    const json = await t('chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--id', 'j', '--json');
    assert.equal(json.code, 0, json.stderr);
    assert.ok(Math.abs(Number((JSON.parse(json.stdout) as { expiresAt: number }).expiresAt) - (now + 3600)) <= 2);
  });

  for (const value of ['100000d', '13h', '12h1m']) {
    test(`--for ${value} is refused: at most 12h, nothing written`, async () => {
      const r = await t('chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--for', value);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`--for ${value}: expected at most 12h`));
      assert.deepEqual(await rules(), []);
    });
  }

  test('--for never needs --confirm-no-expiry, and is announced on stderr when confirmed', async () => {
    const args = ['chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--id', 'forever', '--for', 'never'];
    const refused = await t(...args);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--for never: a rule that never expires needs --confirm-no-expiry/);
    assert.deepEqual(await rules(), []);
    const lone = await t('chaos', 'set', 'orders', '--target', 'aws:s3', '--fault', 'latency', '--latency', '100', '--confirm-no-expiry');
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /--confirm-no-expiry goes with --for never only/);
    const r = await t(...args, '--confirm-no-expiry');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /WARNING: rule orders\/forever NEVER expires/);
    assert.match(r.stdout, /NEVER expires/);
    const [rule] = await rules();
    assert.equal(rule?.expiresAt, undefined);
  });

  test('--target aws:dynamo: exit 2 naming the closest names, nothing written', async () => {
    const r = await t('chaos', 'set', 'orders', '--target', 'aws:dynamo', '--fault', 'error', '--error', 'ThrottlingException');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--target aws:dynamo: no AWS SDK client has the service dynamo: .*did you mean dynamodb/);
    assert.deepEqual(await rules(), []);
  });

  test('an alias is stored and shown under the canonical name', async () => {
    const r = await t('chaos', 'set', 'orders', '--target', 'aws:cloudwatch:PutMetricData', '--fault', 'error', '--error', 'ThrottlingException', '--id', 'cw');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /set rule orders\/cw: aws:monitoring:PutMetricData error ThrottlingException/);
    assert.match(r.stdout, /target aws:cloudwatch:PutMetricData is aws:monitoring:PutMetricData/);
    assert.equal((await rules())[0]?.target, 'aws:monitoring:PutMetricData');
  });

  test('--help tells the default, the cap, never and the service names', async () => {
    const r = await cli('chaos', 'set', '--help');
    assert.match(r.stdout, /default 1h,\s+at most 12h/);
    assert.match(r.stdout, /--confirm-no-expiry/);
    assert.match(r.stdout, /cloudwatch, sfn, eventbridge/);
  });
});

describe('chaos list', () => {
  beforeEach(emptyTable);

  test('shows live, expired, guard-blocked and capped rules, then everything switched off', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await t('chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'latency', '--latency', '200', '--id', 'live-one', '--for', '1h', '--rate', '0.8')).code, 0);
    assert.equal((await t('chaos', 'set', 'reports', '--target', 'aws:s3', '--fault', 'error', '--error', 'SlowDown', '--id', 'blocked-one', '--for', '1h')).code, 0);
    await putRaw({ scope: 'orders', id: 'old-one', enabled: true, target: 'aws:sqs', fault: 'error', error: 'ThrottlingException', rate: 1, expiresAt: now - 120, createdAt: now - 3600 });
    await putRaw({ scope: 'orders', id: 'paused', enabled: false, target: 'aws:sqs', fault: 'latency', latencyMs: 50, rate: 1 });
    await putRaw({ scope: 'orders', id: 'broken', enabled: true, target: 'aws:sqs', fault: 'explode', rate: 1 });
    const g = await t('chaos', 'guard', 'set', '--allow', 'orders,payments-*', '--max-rate', '0.5');
    assert.equal(g.code, 0, g.stderr);

    const r = await t('chaos', 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const byId = new Map<string, Record<string, unknown>>(out.rules.map((x: Record<string, unknown>) => [x.id, x]));
    assert.equal(out.killSwitch, false);
    assert.equal(out.guardSet, true);
    assert.equal(byId.get('live-one')?.state, 'live');
    assert.equal(byId.get('live-one')?.live, true);
    assert.equal(byId.get('live-one')?.effectiveRate, 0.5);
    assert.ok(Number(byId.get('live-one')?.timeLeftMs) > 3_500_000);
    assert.equal(byId.get('old-one')?.state, 'expired');
    assert.equal(byId.get('old-one')?.live, false);
    assert.equal(byId.get('paused')?.state, 'disabled');
    assert.equal(byId.get('blocked-one')?.state, 'blocked');
    assert.match(String(byId.get('blocked-one')?.detail), /reports/);
    assert.equal(byId.has('broken'), false);
    assert.equal(out.problems.length, 1);
    assert.match(out.problems[0], /broken/);

    const human = await t('chaos', 'list');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /kill switch: off/);
    assert.match(human.stdout, /max rate:\s+0\.5/);
    assert.match(human.stdout, /live-one .* live/);
    assert.match(human.stdout, /old-one .* expired/);
    assert.match(human.stdout, /malformed item/);
    assert.doesNotMatch(human.stdout, /\x1b\[/, 'NO_COLOR: no escapes');

    assert.equal((await t('chaos', 'off')).code, 0);
    const off = JSON.parse((await t('chaos', 'list', '--json')).stdout);
    assert.equal(off.killSwitch, true);
    // The list still holds the rules (an empty list would pass `every`); none of them is live.
    assert.ok(off.rules.some((x: { id: string }) => x.id === 'live-one'), JSON.stringify(off.rules));
    assert.ok(off.rules.every((x: { live: boolean; state: string }) => !x.live && x.state !== 'live'));
    assert.equal(off.rules.find((x: { id: string }) => x.id === 'live-one').state, 'switched-off');

    const scoped = JSON.parse((await t('chaos', 'list', '--scope', 'reports', '--json')).stdout);
    assert.deepEqual(scoped.rules.map((x: { id: string }) => x.id), ['blocked-one']);
    assert.equal(scoped.killSwitch, true, 'the kill switch is read with --scope too');
  });

  test('paginates a table larger than one Scan page', async () => {
    const big = 'x'.repeat(2000);
    const all = Array.from({ length: 600 }, (_, i) => ({
      scope: `fn-${i % 7}`, id: `r-${String(i).padStart(3, '0')}`, enabled: true, target: 'aws:s3', fault: 'latency', latencyMs: 1, rate: 1, note: big,
    }));
    for (let i = 0; i < all.length; i += 25) {
      const batch = all.slice(i, i + 25).map((item) => ({ PutRequest: { Item: marshallItem(item) as unknown as Record<string, AttributeValue> } }));
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
      assert.equal(Object.keys(out.UnprocessedItems ?? {}).length, 0);
    }
    const r = await t('chaos', 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).rules.length, 600);
    const scoped = await t('chaos', 'list', '--scope', 'fn-3', '--json');
    assert.equal(JSON.parse(scoped.stdout).rules.length, Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 7 === 3).length);
  });
});

describe('chaos clear, off, on', () => {
  beforeEach(async () => {
    await emptyTable();
    for (const [scope, id] of [['orders', 'a'], ['orders', 'b'], ['payments', 'a'], ['payments', 'c'], ['*', 'd']]) {
      await putRaw({ scope, id, enabled: true, target: 'aws:s3', fault: 'latency', latencyMs: 10, rate: 1 });
    }
    await putRaw({ scope: '*', id: '#switch', enabled: false });
  });

  const keys = async () => (await items()).map((i) => `${String(i.scope)}/${String(i.id)}`).sort();

  test('scope/id and plain ids (looked up in every scope)', async () => {
    const r = await t('chaos', 'clear', 'orders/b', 'a');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await keys(), ['*/#switch', '*/d', 'payments/c']);
    assert.match(r.stdout, /cleared orders\/b/);
    assert.match(r.stdout, /cleared payments\/a/);
  });

  test('ids found nowhere: the others are cleared, exit 1 naming the missing ones', async () => {
    const r = await t('chaos', 'clear', 'c', 'orders/zzz', 'nope', '--json');
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n')[0]!).notFound, ['orders/zzz', 'nope']);
    assert.match(r.stderr, /orders\/zzz, nope/);
    assert.ok(!(await keys()).includes('payments/c'));
  });

  test('--scope and --all leave the kill switch alone', async () => {
    assert.equal((await t('chaos', 'clear', '--scope', 'orders')).code, 0);
    assert.deepEqual(await keys(), ['*/#switch', '*/d', 'payments/a', 'payments/c']);
    assert.equal((await t('chaos', 'clear', '--all')).code, 0);
    assert.deepEqual(await keys(), ['*/#switch']);
  });

  test('usage errors: nothing chosen, or several ways at once', async () => {
    assert.equal((await t('chaos', 'clear')).code, 2);
    const both = await t('chaos', 'clear', 'a', '--all');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not several/);
    assert.equal((await keys()).length, 6);
  });

  test('on removes the kill switch item, off writes it with enabled=false', async () => {
    const on = await t('chaos', 'on', '--json');
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(JSON.parse(on.stdout), { type: 'kill-switch', killSwitch: false, changed: true });
    assert.ok(!(await keys()).includes('*/#switch'));
    const off = await t('chaos', 'off', '--note', 'stop');
    assert.equal(off.code, 0, off.stderr);
    const item = (await items()).find((i) => i.id === '#switch');
    assert.equal(item?.enabled, false);
    assert.equal(item?.createdBy, CALLER_ARN);
    assert.equal(item?.note, 'stop');
  });
});

describe('chaos guard', () => {
  beforeEach(emptyTable);

  test('set, show, change, invalid values, clear', async () => {
    const none = JSON.parse((await t('chaos', 'guard', 'show', '--json')).stdout);
    assert.equal(none.guardSet, false);
    assert.equal(none.guard.productionLock, false);

    const set = await t('chaos', 'guard', 'set', '--max-rate', '0.5', '--allow', 'orders,payments', '--production-lock',
      '--production-envs', 'prod,live', '--abort-error-rate', '0.3', '--abort-window', '2m', '--abort-min', '10');
    assert.equal(set.code, 0, set.stderr);
    const shown = JSON.parse((await t('chaos', 'guard', 'show', '--json')).stdout);
    assert.deepEqual(shown.guard, {
      maxRate: 0.5,
      allowedFunctions: ['orders', 'payments'],
      productionLock: true,
      productionEnvironments: ['prod', 'live'],
      abort: { errorRate: 0.3, windowSeconds: 120, minInvocations: 10 },
    });

    // Changing one setting keeps the others.
    assert.equal((await t('chaos', 'guard', 'set', '--no-allow', '--no-production-lock')).code, 0);
    const changed = JSON.parse((await t('chaos', 'guard', 'show', '--json')).stdout).guard;
    assert.equal(changed.allowedFunctions, undefined);
    assert.equal(changed.productionLock, false);
    assert.equal(changed.maxRate, 0.5);

    const bad = await t('chaos', 'guard', 'set', '--max-rate', '2');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-rate 2: expected a number between 0 and 1/);
    assert.equal(JSON.parse((await t('chaos', 'guard', 'show', '--json')).stdout).guard.maxRate, 0.5);

    const human = await t('chaos', 'guard', 'show');
    assert.match(human.stdout, /abort:\s+stop injecting above 30% failed invocations over 120s/);

    assert.equal((await t('chaos', 'guard', 'clear')).code, 0);
    assert.equal(JSON.parse((await t('chaos', 'guard', 'show', '--json')).stdout).guardSet, false);
  });
});

describe('errors and help', () => {
  test('no table given nor FAULTLINE_CHAOS_TABLE: exit 2', async () => {
    const r = await cli('chaos', 'list');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no rule table given: pass --table NAME or set FAULTLINE_CHAOS_TABLE/);
  });

  test('FAULTLINE_CHAOS_TABLE is used when --table is absent', async () => {
    process.env.FAULTLINE_CHAOS_TABLE = TABLE;
    try {
      const r = await cli('chaos', 'list', '--json');
      assert.equal(r.code, 0, r.stderr);
    } finally {
      delete process.env.FAULTLINE_CHAOS_TABLE;
    }
  });

  test('missing table: exit 1 with the init hint', async () => {
    const r = await cli('chaos', 'list', '--table', 'no-such-table');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'faultline: table no-such-table not found in us-east-1: run faultline chaos init --table no-such-table');
  });

  test('--json errors are JSON on stderr', async () => {
    const r = await cli('chaos', 'clear', '--all', '--table', 'no-such-table', '--json');
    assert.equal(r.code, 1);
    assert.match(JSON.parse(r.stderr).error, /not found/);
  });

  test('unreachable endpoint: exit 1 naming it', async () => {
    const port = await closedPort();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
    try {
      const r = await t('chaos', 'list');
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`cannot reach DynamoDB at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    }
  });

  test('missing credentials: exit 1 with what to do', async () => {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const r = await t('chaos', 'list');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no AWS credentials from the default credential chain: pass --profile NAME/);
      const p = await t('chaos', 'list', '--profile', 'nobody');
      assert.equal(p.code, 1);
      assert.match(p.stderr, /no AWS credentials from profile nobody/);
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY });
    }
  });

  test('--profile takes credentials and region from the shared config files', async () => {
    const saved = { ...process.env };
    writeFileSync(join(tmp, 'credentials'), '[gameday]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret-profile\n');
    writeFileSync(join(tmp, 'config'), '[profile gameday]\nregion = eu-west-3\n');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmp, 'credentials');
    process.env.AWS_CONFIG_FILE = join(tmp, 'config');
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_REGION;
    try {
      const missing = await cli('chaos', 'list', '--profile', 'gameday', '--table', 'no-such-table');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /table no-such-table not found in eu-west-3/);
      const noCreds = await t('chaos', 'list', '--profile', 'other');
      assert.equal(noCreds.code, 1);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  test('every chaos command has --help with an example', async () => {
    for (const args of [['init'], ['set'], ['list'], ['clear'], ['off'], ['on'], ['guard'], ['guard', 'show'], ['guard', 'set'], ['guard', 'clear'], ['run']]) {
      const r = await cli('chaos', ...args, '--help');
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Examples:\n\s+faultline chaos/, args.join(" "));
    }
  });

  test('an unknown option is a usage error (exit 2)', async () => {
    const r = await t('chaos', 'set', 'orders', '--bogus');
    assert.equal(r.code, 2);
  });
});
