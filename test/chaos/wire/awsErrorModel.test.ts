// Every error every installed SDK client models, put on the wire by faultline
// over each protocol its service speaks: the shape name, awsQueryError code,
// status and fault are the ones the client's own error schema carries (read
// here from the client packages, not from faultline's generated table).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cbor } from '@smithy/core/cbor';
import { awsErrorResponse, awsErrorStatus, type WireResponse } from '../../../src/chaos/wire/awsErrorResponse.js';
import { modeledError, serviceErrorModel } from '../../../src/chaos/wire/awsErrorModel.js';
import type { AwsProtocol } from '../../../src/instrument/awsCall.js';
import { parseErrorSpec } from '../../../src/chaos/rules.js';
import { AWS_ERROR_MODELS } from '../../../src/chaos/wire/awsErrorTable.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(`${root}package.json`);

interface SchemaError {
  readonly name: string;
  readonly traits: { readonly awsQueryError?: readonly [string, number]; readonly error: 'client' | 'server'; readonly httpError?: number };
}

interface InstalledService {
  readonly pkg: string;
  readonly service: string;
  readonly protocols: readonly AwsProtocol[];
  readonly queryCompatible: boolean;
  readonly errors: readonly SchemaError[];
}

const PROTOCOL_OF_CLASS: Readonly<Record<string, AwsProtocol>> = {
  AwsJson1_0Protocol: 'json',
  AwsJson1_1Protocol: 'json',
  AwsQueryProtocol: 'query',
  S3RestXmlProtocol: 'rest-xml',
  AwsRestXmlProtocol: 'rest-xml',
  AwsRestJsonProtocol: 'rest-json',
  AwsSmithyRpcV2CborProtocol: 'rpcv2-cbor',
};

/** The installed clients, their default protocol and error schemas, as the SDK itself holds them. */
function installedServices(): InstalledService[] {
  const out: InstalledService[] = [];
  for (const dir of readdirSync(`${root}node_modules/@aws-sdk`).filter((n) => n.startsWith('client-'))) {
    const mod = require(`@aws-sdk/${dir}`) as Record<string, unknown>;
    const Client = Object.values(mod).find((v): v is new (c: object) => { config: Record<string, unknown>; destroy(): void } => typeof v === 'function' && /Client$/.test(v.name) && v.name !== 'Client')!;
    const client = new Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const settings = client.config.protocolSettings as { defaultNamespace: string; awsQueryCompatible?: boolean };
    const protocolClass = (client.config.protocol as { constructor: { name: string } }).constructor.name;
    const signingName = (client.config.signingName as string | undefined) ?? undefined;
    client.destroy();
    const protocol = PROTOCOL_OF_CLASS[protocolClass];
    assert.ok(protocol, `${dir}: protocol ${protocolClass} is one faultline answers`);
    const queryCompatible = settings.awsQueryCompatible === true;
    const errors = Object.values(mod)
      .filter((v): v is unknown[] => Array.isArray(v) && v[0] === -3 && v[1] === settings.defaultNamespace && typeof v[3] === 'object')
      .map((v) => ({ name: v[2] as string, traits: v[3] as SchemaError['traits'] }));
    assert.ok(errors.length > 0, `${dir} models errors`);
    // CloudWatch's query-compatible model is also served over awsQuery and RPC v2 CBOR.
    const protocols: AwsProtocol[] = queryCompatible ? [protocol, 'query', 'rpcv2-cbor'] : [protocol];
    out.push({ pkg: dir, service: signingName ?? serviceOf(dir), protocols, queryCompatible, errors });
  }
  return out;
}

/** Signing names of the installed clients whose config does not expose one. */
function serviceOf(dir: string): string {
  const names: Record<string, string> = {
    'client-cloudformation': 'cloudformation',
    'client-cloudwatch': 'monitoring',
    'client-cloudwatch-logs': 'logs',
    'client-dynamodb': 'dynamodb',
    'client-eventbridge': 'events',
    'client-kinesis': 'kinesis',
    'client-lambda': 'lambda',
    'client-s3': 's3',
    'client-sfn': 'states',
    'client-sns': 'sns',
    'client-sqs': 'sqs',
    'client-sts': 'sts',
  };
  const s = names[dir];
  assert.ok(s, `${dir}: add its SigV4 signing name here`);
  return s;
}

/** Where the model gives no status: the protocol's default for the fault, but for S3's HEAD-only NotFound. */
const NO_TRAIT_STATUS: Readonly<Record<string, number>> = { 's3 NotFound': 404 };

function expectedStatus(service: string, e: SchemaError): number {
  return e.traits.httpError ?? e.traits.awsQueryError?.[1] ?? NO_TRAIT_STATUS[`${service} ${e.name}`] ?? (e.traits.error === 'server' ? 500 : 400);
}

function body(r: WireResponse): Record<string, unknown> | string {
  if (r.body instanceof Uint8Array) return cbor.deserialize(r.body) as Record<string, unknown>;
  return r.headers['content-type']?.includes('json') ? (JSON.parse(r.body) as Record<string, unknown>) : r.body;
}

/** What faultline's response says of the error, per protocol, in the model's terms. */
function wireFacts(r: WireResponse, protocol: AwsProtocol) {
  const b = body(r);
  const typeName = (t: unknown) => String(t).split('#').pop();
  switch (protocol) {
    case 'json':
    case 'rpcv2-cbor':
      return { status: r.status, name: typeName((b as Record<string, unknown>).__type), queryError: r.headers['x-amzn-query-error'] };
    case 'rest-json':
      return { status: r.status, name: r.headers['x-amzn-errortype'], queryError: undefined };
    case 'query':
    case 'rest-xml':
    case 'ec2': {
      const code = /<Code>([^<]*)<\/Code>/.exec(b as string)?.[1];
      const type = /<Type>([^<]*)<\/Type>/.exec(b as string)?.[1];
      return { status: r.status, name: code, queryError: type === undefined ? undefined : `${code};${type}` };
    }
  }
}

function expectedFacts(s: InstalledService, e: SchemaError, protocol: AwsProtocol) {
  const status = expectedStatus(s.service, e);
  const queryCode = e.traits.awsQueryError?.[0] ?? e.name;
  const type = e.traits.error === 'server' ? 'Receiver' : 'Sender';
  switch (protocol) {
    case 'json':
    case 'rpcv2-cbor':
      return { status, name: e.name, queryError: s.queryCompatible ? `${queryCode};${type}` : undefined };
    case 'rest-json':
      return { status, name: e.name, queryError: undefined };
    case 'query':
      return { status, name: queryCode, queryError: `${queryCode};${type}` };
    case 'rest-xml':
    case 'ec2':
      return { status, name: e.name, queryError: undefined };
  }
}

describe('every modeled error of every installed SDK client, on every protocol its service speaks', () => {
  const services = installedServices();
  for (const s of services) {
    test(`${s.pkg} (${s.service}: ${s.protocols.join(', ')}): ${s.errors.length} errors`, () => {
      for (const protocol of s.protocols) {
        // Each shape by name, and by its awsQueryError code where that code names only it.
        const byQueryCode = new Map<string, SchemaError[]>();
        for (const e of s.errors) {
          const code = e.traits.awsQueryError?.[0];
          if (code !== undefined && code !== e.name) byQueryCode.set(code, [...(byQueryCode.get(code) ?? []), e]);
        }
        const names = new Set(s.errors.map((e) => e.name));
        const cases: [string, SchemaError][] = s.errors.map((e) => [e.name, e]);
        if (protocol === 'query' || s.queryCompatible) {
          for (const [code, es] of byQueryCode) if (es.length === 1 && !names.has(code)) cases.push([code, es[0]!]);
        }
        for (const [ruleCode, e] of cases) {
          const req = { service: s.service, protocol, requestId: 'R', contentType: 'application/x-amz-json-1.1' };
          const r = awsErrorResponse(ruleCode, req);
          assert.deepEqual(wireFacts(r, protocol), expectedFacts(s, e, protocol), `${s.service} ${protocol} rule ${ruleCode}`);
          assert.equal(awsErrorStatus(ruleCode, s.service, protocol), r.status, `awsErrorStatus agrees for ${ruleCode}`);
        }
      }
    });
  }
});

describe('modeledError', () => {
  test('by shape name; by awsQueryError code only where the service speaks query codes', () => {
    assert.equal(modeledError('sns', 'ThrottledException', true)?.queryCode, 'Throttled');
    assert.equal(modeledError('sns', 'Throttled', true)?.name, 'ThrottledException');
    assert.equal(modeledError('sns', 'Throttled', false), undefined, 'SNS over JSON would not know query codes');
    assert.equal(modeledError('sqs', 'AWS.SimpleQueueService.NonExistentQueue', false)?.name, 'QueueDoesNotExist', 'SQS is query-compatible');
    assert.equal(modeledError('dynamodb', 'Throttling', false), undefined, "DynamoDB's JSON wire never carries the query code");
    assert.equal(modeledError('dynamodb', 'ProvisionedThroughputExceededException', false)?.status, undefined, 'no status trait');
    assert.equal(modeledError('monitoring', 'ResourceNotFound', true)?.name, 'ResourceNotFound', 'a shape name wins over a shared query code');
  });

  test('unknown services and codes, and names of Object.prototype, are not modeled', () => {
    assert.equal(serviceErrorModel('no-such-service'), undefined);
    assert.equal(serviceErrorModel('constructor'), undefined);
    assert.equal(serviceErrorModel('__proto__'), undefined);
    assert.equal(modeledError('sqs', 'NoSuchError', true), undefined);
    assert.equal(modeledError('sqs', 'constructor', true), undefined);
  });

  test('every exception name and query code in the table is an AWS code a rule can name', () => {
    for (const service of Object.keys(AWS_ERROR_MODELS)) {
      const model = serviceErrorModel(service)!;
      assert.equal(model.byName.size, AWS_ERROR_MODELS[service]!.errors.split(' ').length, `${service}: every entry parses`);
      for (const code of [...model.byName.keys(), ...model.byQueryCode.keys()]) {
        assert.deepEqual(parseErrorSpec(code), { ok: true, spec: { kind: 'aws', code } }, `${service} ${code}`);
      }
    }
  });

  test('unmodeled codes keep the name-based status', () => {
    assert.equal(awsErrorStatus('SlowDown', 's3', 'rest-xml'), 503);
    assert.equal(awsErrorStatus('Throttling', 'sns', 'query'), 400);
    assert.equal(awsErrorStatus('WidgetUnavailable', 'sqs', 'json'), 503);
  });
});

describe('scripts/gen-aws-error-models.mjs', () => {
  test('the committed table is what the installed SDK clients give', () => {
    const out = execFileSync(process.execPath, ['scripts/gen-aws-error-models.mjs', '--check'], {
      cwd: root,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    assert.match(out, /is up to date/);
  });
});
