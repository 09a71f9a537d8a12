// resolveAwsEndpoint: configured endpoints and their precedence, the regional
// endpoint of every partition (checked against the SDK's own endpoint
// rules), and refusal of anything that is not a region name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CLOUDWATCH_LOGS, DYNAMODB, EndpointError, resolveAwsEndpoint, STS, type AwsService } from '../../src/awsEndpoint.js';

type Env = Record<string, string | undefined>;

const resolved = (service: AwsService, region: string | undefined, env: Env) => {
  const r = resolveAwsEndpoint(service, region, env);
  return { url: r.url.href, region: r.region, from: r.from };
};

const refused = (service: AwsService, region: string | undefined, env: Env, code: EndpointError['code']) =>
  assert.throws(
    () => resolveAwsEndpoint(service, region, env),
    (err: unknown) => err instanceof EndpointError && err.code === code,
    `${JSON.stringify(region)} ${JSON.stringify(env)}: ${code}`,
  );

test('configured endpoints: the service variable, then AWS_ENDPOINT_URL, both off with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
  const cases: Array<[string, AwsService, string | undefined, Env, { url: string; region: string; from: string }]> = [
    ['service variable wins', DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' },
      { url: 'http://127.0.0.1:8000/', region: 'eu-west-1', from: 'AWS_ENDPOINT_URL_DYNAMODB' }],
    ['the generic variable for a service without its own', STS, 'eu-west-1', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' },
      { url: 'http://127.0.0.1:9000/', region: 'eu-west-1', from: 'AWS_ENDPOINT_URL' }],
    ['CloudWatch Logs by its SDK id', CLOUDWATCH_LOGS, 'eu-west-1', { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'https://logs.example.test/base' },
      { url: 'https://logs.example.test/base', region: 'eu-west-1', from: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS' }],
    ['blank service variable skipped', DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL_DYNAMODB: '  ', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' },
      { url: 'http://127.0.0.1:9000/', region: 'eu-west-1', from: 'AWS_ENDPOINT_URL' }],
    ['ignored: regional', DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      { url: 'https://dynamodb.eu-west-1.amazonaws.com/', region: 'eu-west-1', from: 'regional' }],
    ['ignore flag in any case', DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:8000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: ' TRUE ' },
      { url: 'https://dynamodb.eu-west-1.amazonaws.com/', region: 'eu-west-1', from: 'regional' }],
    ['ignore flag false: configured', DYNAMODB, 'eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:8000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false' },
      { url: 'http://127.0.0.1:8000/', region: 'eu-west-1', from: 'AWS_ENDPOINT_URL' }],
    ['configured without a region signs for us-east-1', DYNAMODB, undefined, { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' },
      { url: 'http://127.0.0.1:8000/', region: 'us-east-1', from: 'AWS_ENDPOINT_URL_DYNAMODB' }],
    ['configured with a bad region signs for us-east-1', DYNAMODB, 'evil.com/', { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' },
      { url: 'http://127.0.0.1:8000/', region: 'us-east-1', from: 'AWS_ENDPOINT_URL_DYNAMODB' }],
    ['FIPS does not change a configured endpoint', DYNAMODB, 'us-east-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:8000', AWS_USE_FIPS_ENDPOINT: 'true' },
      { url: 'http://127.0.0.1:8000/', region: 'us-east-1', from: 'AWS_ENDPOINT_URL' }],
  ];
  for (const [name, service, region, env, want] of cases) assert.deepEqual(resolved(service, region, env), want, name);
});

test('regional endpoints of every partition, FIPS and dual-stack', () => {
  const cases: Array<[AwsService, string, Env, string]> = [
    [DYNAMODB, 'us-east-1', {}, 'https://dynamodb.us-east-1.amazonaws.com/'],
    [DYNAMODB, 'ap-southeast-9', {}, 'https://dynamodb.ap-southeast-9.amazonaws.com/'],
    [DYNAMODB, 'cn-north-1', {}, 'https://dynamodb.cn-north-1.amazonaws.com.cn/'],
    [DYNAMODB, 'cn-north-1', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://dynamodb.cn-north-1.api.amazonwebservices.com.cn/'],
    [DYNAMODB, 'us-gov-west-1', {}, 'https://dynamodb.us-gov-west-1.amazonaws.com/'],
    // GovCloud's plain endpoint is already FIPS; the SDK keeps the name.
    [DYNAMODB, 'us-gov-west-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://dynamodb.us-gov-west-1.amazonaws.com/'],
    [DYNAMODB, 'us-gov-west-1', { AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://dynamodb-fips.us-gov-west-1.api.aws/'],
    [DYNAMODB, 'us-iso-east-1', {}, 'https://dynamodb.us-iso-east-1.c2s.ic.gov/'],
    [DYNAMODB, 'us-isob-east-1', {}, 'https://dynamodb.us-isob-east-1.sc2s.sgov.gov/'],
    [DYNAMODB, 'us-isof-south-1', {}, 'https://dynamodb.us-isof-south-1.csp.hci.ic.gov/'],
    [DYNAMODB, 'eu-isoe-west-1', {}, 'https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk/'],
    [DYNAMODB, 'us-iso-east-1', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://dynamodb.us-iso-east-1.api.aws.ic.gov/'],
    [DYNAMODB, 'eusc-de-east-1', {}, 'https://dynamodb.eusc-de-east-1.amazonaws.eu/'],
    [DYNAMODB, 'us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://dynamodb-fips.us-east-1.amazonaws.com/'],
    [DYNAMODB, 'us-east-1', { AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://dynamodb.us-east-1.api.aws/'],
    [DYNAMODB, 'us-east-1', { AWS_USE_FIPS_ENDPOINT: 'true', AWS_USE_DUALSTACK_ENDPOINT: 'true' }, 'https://dynamodb-fips.us-east-1.api.aws/'],
    [DYNAMODB, 'us-east-1', { AWS_USE_FIPS_ENDPOINT: 'false' }, 'https://dynamodb.us-east-1.amazonaws.com/'],
    [STS, 'eu-central-1', {}, 'https://sts.eu-central-1.amazonaws.com/'],
    [CLOUDWATCH_LOGS, 'cn-northwest-1', { AWS_USE_FIPS_ENDPOINT: 'true' }, 'https://logs-fips.cn-northwest-1.amazonaws.com.cn/'],
  ];
  for (const [service, region, env, url] of cases) {
    const r = resolveAwsEndpoint(service, region, env);
    assert.equal(r.url.href, url, `${service.envId} ${region} ${JSON.stringify(env)}`);
    assert.equal(r.region, region);
    assert.equal(r.from, 'regional');
  }
});

test('the regional endpoint is the one the SDK clients resolve, for every partition, FIPS and dual-stack', () => {
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-9', 'il-central-1', 'cn-north-1', 'cn-northwest-1', 'us-gov-west-1', 'us-gov-east-1',
    'us-iso-east-1', 'us-iso-west-1', 'us-isob-east-1', 'us-isof-south-1', 'eu-isoe-west-1', 'eusc-de-east-1'];
  const sdk: Array<[AwsService, { config: { endpointProvider: unknown } }, Record<string, unknown>]> = [
    [DYNAMODB, new DynamoDBClient({ region: 'us-east-1' }), {}],
    [STS, new STSClient({ region: 'us-east-1' }), { UseGlobalEndpoint: false }],
    [CLOUDWATCH_LOGS, new CloudWatchLogsClient({ region: 'us-east-1' }), {}],
  ];
  for (const [service, client, extra] of sdk) {
    const provider = client.config.endpointProvider as (p: Record<string, unknown>) => { url: URL };
    for (const region of regions) {
      for (const fips of [false, true]) {
        for (const dualStack of [false, true]) {
          const want = provider({ Region: region, UseFIPS: fips, UseDualStack: dualStack, ...extra }).url.href;
          const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) };
          assert.equal(resolveAwsEndpoint(service, region, env).url.href, want, `${service.envId} ${region} fips=${fips} dualstack=${dualStack}`);
        }
      }
    }
  }
});

test('no region, a string that is not a region name, or a bad configured endpoint: EndpointError naming it', () => {
  refused(DYNAMODB, undefined, {}, 'NoRegion');
  refused(DYNAMODB, undefined, { AWS_ENDPOINT_URL: 'http://x', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'NoRegion');
  for (const region of ['evil.com/', 'us-east-1.evil.com', 'us-east-1/', 'us-east-1#', 'us-east-1?x', 'us-east-1:443', '', ' ', 'US-EAST-1', 'Us-east-1',
    'useast1', 'us_east_1', 'us-east-1 ', '-us-east-1', 'us-east-1-', 'us--east-1', 'a-b', 'us-east-1\n', 'ús-east-1', 'us-east-1@evil.com', 'local']) {
    refused(DYNAMODB, region, {}, 'BadRegion');
  }
  for (const [value, why] of [['not a url', /expected a URL/], ['localhost:8000', /http:\/\/ or https:\/\//], ['ftp://127.0.0.1', /http:\/\/ or https:\/\//], ['file:///etc/passwd', /http/]] as const) {
    assert.throws(
      () => resolveAwsEndpoint(DYNAMODB, 'us-east-1', { AWS_ENDPOINT_URL_DYNAMODB: value }),
      (err: unknown) => err instanceof EndpointError && err.code === 'BadEndpoint' && err.message.startsWith(`AWS_ENDPOINT_URL_DYNAMODB=${value}:`) && why.test(err.message),
      value,
    );
  }
  const bad = (() => {
    try {
      resolveAwsEndpoint(DYNAMODB, 'evil.com/', {});
    } catch (err) {
      return err as Error;
    }
  })();
  assert.equal(bad?.message, 'region "evil.com/" is not an AWS region name (such as eu-west-1)');
});

const SUFFIXES = ['amazonaws.com', 'api.aws', 'amazonaws.com.cn', 'api.amazonwebservices.com.cn', 'amazonaws.eu', 'api.amazonwebservices.eu',
  'c2s.ic.gov', 'api.aws.ic.gov', 'sc2s.sgov.gov', 'api.aws.scloud', 'csp.hci.ic.gov', 'api.aws.hci.ic.gov', 'cloud.adc-e.uk', 'api.cloud-aws.adc-e.uk'];

test('property: for any region string the host is the configured one, or <service>.<region>.<a partition suffix> with the region one DNS label', () => {
  const regionLike = fc.oneof(
    fc.string(),
    fc.stringMatching(/^[a-z]{2,4}(-[a-z0-9]{1,6}){1,4}$/),
    fc.tuple(fc.constantFrom('us-east-1', 'cn-north-1', 'us-isob-east-1', 'eu-west-1'), fc.string(), fc.constantFrom('', '.evil.com', '/', '@x', '%2e')).map(([a, b, c]) => a + b + c),
  );
  const configured = fc.option(fc.constantFrom('http://127.0.0.1:8000', 'https://ddb.example.test/prefix'), { nil: undefined });
  fc.assert(
    fc.property(
      fc.option(regionLike, { nil: undefined }),
      configured,
      fc.boolean(),
      fc.boolean(),
      fc.constantFrom(DYNAMODB, STS, CLOUDWATCH_LOGS),
      (region, endpoint, fips, dualStack, service) => {
        const env = { AWS_ENDPOINT_URL: endpoint, AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) };
        let r;
        try {
          r = resolveAwsEndpoint(service, region, env);
        } catch (err) {
          assert.ok(err instanceof EndpointError, String(err));
          assert.equal(endpoint, undefined, 'a configured endpoint accepts any region');
          assert.equal(err.code, region === undefined ? 'NoRegion' : 'BadRegion');
          return;
        }
        if (endpoint !== undefined) {
          assert.equal(r.url.host, new URL(endpoint).host);
          return;
        }
        assert.equal(r.url.protocol, 'https:');
        assert.equal(r.region, region);
        const suffix = SUFFIXES.find((s) => r.url.host.endsWith(`.${region}.${s}`));
        assert.ok(suffix !== undefined, `${r.url.host}: a known partition suffix after the region`);
        const labels = r.url.host.split('.');
        const suffixLabels = suffix.split('.').length;
        assert.equal(labels.length, 2 + suffixLabels, `${r.url.host}: <service>.<region>.<suffix>`);
        assert.equal(labels[1], region, 'the region is exactly one label');
        assert.match(labels[0]!, new RegExp(`^${service.endpointPrefix}(-fips)?$`));
        assert.equal(r.url.pathname + r.url.search + r.url.username + r.url.port, '/');
      },
    ),
    { numRuns: 2000 },
  );
});
