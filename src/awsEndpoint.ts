// Where an AWS service answers, resolved the way the AWS SDKs do for the
// services faultline calls itself (DynamoDB, CloudWatch Logs, STS): a
// configured endpoint first, then the regional endpoint of the region's
// partition. Shared by the agent's rule-table reader and the CLI's clients,
// which both skip the SDK for its load time (docs/benchmarks.md).

import { nonEmpty } from './nonEmpty.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A service faultline talks to: its endpoint prefix and the suffix of its AWS_ENDPOINT_URL_* variable. */
export interface AwsService {
  /** `dynamodb`, `logs`, `sts`: the first label of the regional host name. */
  readonly endpointPrefix: string;
  /** `DYNAMODB`, `CLOUDWATCH_LOGS`, `STS`: the service id as the SDKs spell it in AWS_ENDPOINT_URL_<ID>. */
  readonly envId: string;
}

export const DYNAMODB: AwsService = { endpointPrefix: 'dynamodb', envId: 'DYNAMODB' };
export const CLOUDWATCH_LOGS: AwsService = { endpointPrefix: 'logs', envId: 'CLOUDWATCH_LOGS' };
export const STS: AwsService = { endpointPrefix: 'sts', envId: 'STS' };
export const CLOUDFORMATION: AwsService = { endpointPrefix: 'cloudformation', envId: 'CLOUDFORMATION' };

/** Why an endpoint cannot be resolved: the message names the setting to fix. */
export class EndpointError extends Error {
  override name = 'EndpointError';
  constructor(
    /** `NoRegion`, `BadRegion` or `BadEndpoint`. */
    readonly code: 'NoRegion' | 'BadRegion' | 'BadEndpoint',
    message: string,
  ) {
    super(message);
  }
}

export interface ResolvedEndpoint {
  readonly url: URL;
  /** The region in the signature's credential scope. */
  readonly region: string;
  /** Where the URL came from, for messages: the variable's name, or `regional`. */
  readonly from: string;
}

// AWS region names: lower-case letters, digits and dashes (`us-east-1`,
// `us-isob-east-1`, `eusc-de-east-1`). Anything else would be pasted into a host name.
const REGION = /^[a-z]{2,4}(-[a-z0-9]+){1,4}$/;

/** A partition's DNS suffixes, as the SDKs' partitions.json gives them. */
interface Partition {
  readonly regionPrefix: string;
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
}

// The partitions other than `aws`, matched by the region's prefix.
const PARTITIONS: readonly Partition[] = [
  { regionPrefix: 'cn-', dnsSuffix: 'amazonaws.com.cn', dualStackDnsSuffix: 'api.amazonwebservices.com.cn' },
  { regionPrefix: 'eusc-', dnsSuffix: 'amazonaws.eu', dualStackDnsSuffix: 'api.amazonwebservices.eu' },
  { regionPrefix: 'us-isob-', dnsSuffix: 'sc2s.sgov.gov', dualStackDnsSuffix: 'api.aws.scloud' },
  { regionPrefix: 'us-isof-', dnsSuffix: 'csp.hci.ic.gov', dualStackDnsSuffix: 'api.aws.hci.ic.gov' },
  { regionPrefix: 'us-iso-', dnsSuffix: 'c2s.ic.gov', dualStackDnsSuffix: 'api.aws.ic.gov' },
  { regionPrefix: 'eu-isoe-', dnsSuffix: 'cloud.adc-e.uk', dualStackDnsSuffix: 'api.cloud-aws.adc-e.uk' },
];
const AWS: Partition = { regionPrefix: '', dnsSuffix: 'amazonaws.com', dualStackDnsSuffix: 'api.aws' };

/**
 * DNS suffix of the partition a region belongs to. Regions of the other
 * partitions start with their own prefix; every other region (us-gov
 * included) is `aws`'s.
 */
export function partitionDnsSuffix(region: string, dualStack = false): string {
  const p = PARTITIONS.find((x) => region.startsWith(x.regionPrefix)) ?? AWS;
  return dualStack ? p.dualStackDnsSuffix : p.dnsSuffix;
}

const isTrue = (v: string | undefined) => v !== undefined && v.trim().toLowerCase() === 'true';

/**
 * The endpoint of `service` for `region`:
 * `AWS_ENDPOINT_URL_<ID>`, then `AWS_ENDPOINT_URL` (both skipped when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`), then
 * `https://<prefix>[-fips].<region>.<partition suffix>` (`AWS_USE_FIPS_ENDPOINT`,
 * `AWS_USE_DUALSTACK_ENDPOINT`). A configured endpoint accepts any region
 * (local servers ignore it) and defaults to `us-east-1`.
 */
export function resolveAwsEndpoint(service: AwsService, region: string | undefined, env: Env): ResolvedEndpoint {
  if (!isTrue(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'])) {
    for (const name of [`AWS_ENDPOINT_URL_${service.envId}`, 'AWS_ENDPOINT_URL']) {
      const configured = nonEmpty(env[name]);
      if (configured === undefined) continue;
      let url: URL;
      try {
        url = new URL(configured);
      } catch {
        throw new EndpointError('BadEndpoint', `${name}=${configured}: expected a URL such as http://127.0.0.1:8000`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new EndpointError('BadEndpoint', `${name}=${configured}: expected an http:// or https:// URL`);
      }
      return { url, region: region !== undefined && REGION.test(region) ? region : 'us-east-1', from: name };
    }
  }
  if (region === undefined) throw new EndpointError('NoRegion', 'no AWS region: pass --region or set AWS_REGION');
  if (!REGION.test(region)) {
    throw new EndpointError('BadRegion', `region ${JSON.stringify(region)} is not an AWS region name (such as eu-west-1)`);
  }
  const dualStack = isTrue(env['AWS_USE_DUALSTACK_ENDPOINT']);
  // In GovCloud the plain endpoints of these services are the FIPS ones: the SDKs keep the name.
  const fips = isTrue(env['AWS_USE_FIPS_ENDPOINT']) && !(region.startsWith('us-gov-') && !dualStack) ? '-fips' : '';
  const host = `${service.endpointPrefix}${fips}.${region}.${partitionDnsSuffix(region, dualStack)}`;
  return { url: new URL(`https://${host}`), region, from: 'regional' };
}
