// Pure: the AWS wire protocols, and which one a request speaks. Read by the
// instrumentation (span attributes) and by the chaos build's canned AWS errors,
// so it belongs to neither.

export type AwsProtocol = 'json' | 'query' | 'rest-xml' | 'rest-json' | 'ec2' | 'rpcv2-cbor';

/** Header lookup: names are lower-case. Node's `OutgoingHttpHeaders` and plain records both fit. */
export type HeaderBag = Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** A header's value as one string (the first of several). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return v[0];
}

const PROTOCOL: Readonly<Record<string, AwsProtocol>> = {
  dynamodb: 'json',
  sqs: 'json',
  logs: 'json',
  kinesis: 'json',
  firehose: 'json',
  events: 'json',
  states: 'json',
  secretsmanager: 'json',
  ssm: 'json',
  kms: 'json',
  athena: 'json',
  glue: 'json',
  ecs: 'json',
  'cognito-idp': 'json',
  sns: 'query',
  sts: 'query',
  cloudformation: 'query',
  iam: 'query',
  ses: 'query',
  email: 'query',
  rds: 'query',
  elasticache: 'query',
  monitoring: 'query',
  autoscaling: 'query',
  elasticloadbalancing: 'query',
  ec2: 'ec2',
  s3: 'rest-xml',
  cloudfront: 'rest-xml',
  route53: 'rest-xml',
};

/** The protocol a service speaks by default; unknown services are taken as REST-JSON, the most common newer one. */
export function protocolOf(service: string): AwsProtocol {
  return PROTOCOL[service] ?? 'rest-json';
}

/**
 * The protocol of this very request: the headers win over the service's default
 * (SQS moved from query to JSON 1.0; older SDKs still send query).
 */
export function protocolOfRequest(service: string, headers: HeaderBag): AwsProtocol {
  if (isCborRequest(headers)) return 'rpcv2-cbor';
  if (headerValue(headers, 'x-amz-target') !== undefined) return 'json';
  const ct = headerValue(headers, 'content-type');
  if (ct !== undefined && ct.startsWith('application/x-www-form-urlencoded') && protocolOf(service) !== 'ec2') return 'query';
  return protocolOf(service);
}

/** Smithy RPC v2 CBOR, which newer SDKs speak to some services: it says so in a header of its own. */
export function isCborRequest(headers: HeaderBag): boolean {
  return headerValue(headers, 'smithy-protocol')?.toLowerCase() === 'rpc-v2-cbor';
}
