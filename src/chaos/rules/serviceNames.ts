// The AWS services a rule target can name, and the names people use for them.
// The canonical name of a service is the one the agent reads off the wire for
// the call: the SigV4 signing name (src/instrument/awsCall.ts). Aliases are the
// SDK v3 client ids (`@aws-sdk/client-<id>`), endpoint prefixes and common
// names, so `aws:cloudwatch`, `aws:sfn` and `aws:eventbridge` hit the calls the
// wire calls `monitoring`, `states` and `events`. Pure.

/**
 * Canonical (signing) name → its other names. Where several SDK clients sign
 * with one name (DynamoDB Streams as `dynamodb`, Bedrock Runtime as `bedrock`),
 * their ids are aliases of that name: the wire cannot tell those calls apart.
 */
const CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  // Data stores
  dynamodb: ['dynamodb-streams'],
  dax: [],
  s3: ['s3-control', 'simple-storage-service'],
  's3-outposts': [],
  s3express: [],
  rds: ['neptune', 'docdb', 'documentdb', 'aurora'],
  'rds-data': ['aurora-data-api'],
  'redshift-data': [],
  redshift: [],
  'redshift-serverless': [],
  elasticache: [],
  memorydb: [],
  cassandra: ['keyspaces'],
  timestream: ['timestream-write', 'timestream-query'],
  es: ['opensearch', 'elasticsearch', 'elasticsearch-service'],
  aoss: ['opensearchserverless', 'opensearch-serverless'],
  elasticfilesystem: ['efs'],
  glacier: [],
  qldb: ['qldb-session'],
  // Messaging and integration
  sqs: [],
  sns: [],
  events: ['eventbridge', 'cloudwatch-events'],
  scheduler: ['eventbridge-scheduler'],
  pipes: ['eventbridge-pipes'],
  schemas: ['eventbridge-schemas'],
  states: ['sfn', 'stepfunctions', 'step-functions'],
  swf: [],
  kinesis: ['kinesis-data-streams'],
  firehose: ['kinesis-firehose', 'data-firehose'],
  kinesisanalytics: ['kinesis-analytics', 'kinesis-analytics-v2'],
  kinesisvideo: ['kinesis-video'],
  kafka: ['msk'],
  mq: ['amazon-mq'],
  ses: ['sesv2', 'email', 'simple-email-service'],
  mobiletargeting: ['pinpoint'],
  'sms-voice': ['pinpoint-sms-voice-v2'],
  appsync: [],
  // Compute and APIs
  lambda: [],
  'execute-api': ['apigatewaymanagementapi', 'apigateway-management-api'],
  apigateway: ['apigatewayv2', 'api-gateway'],
  ecs: [],
  ecr: [],
  eks: [],
  batch: [],
  ec2: [],
  autoscaling: ['auto-scaling'],
  'application-autoscaling': [],
  elasticloadbalancing: ['elastic-load-balancing', 'elastic-load-balancing-v2', 'elb', 'elbv2'],
  apprunner: [],
  amplify: [],
  elasticmapreduce: ['emr'],
  'emr-serverless': [],
  glue: [],
  athena: [],
  // Security and identity
  sts: [],
  iam: [],
  kms: [],
  secretsmanager: ['secrets-manager'],
  ssm: ['systems-manager', 'parameter-store'],
  acm: ['certificate-manager'],
  'acm-pca': [],
  'cognito-idp': ['cognito-identity-provider', 'cognito-user-pools'],
  'cognito-identity': [],
  'cognito-sync': [],
  verifiedpermissions: ['verified-permissions'],
  wafv2: [],
  guardduty: [],
  securityhub: [],
  'access-analyzer': ['accessanalyzer'],
  organizations: [],
  // Observability and management
  monitoring: ['cloudwatch'],
  logs: ['cloudwatch-logs'],
  xray: ['x-ray'],
  cloudtrail: [],
  config: ['config-service'],
  cloudformation: [],
  health: [],
  appconfig: ['appconfigdata', 'appconfig-data'],
  tagging: ['resource-groups-tagging-api'],
  'resource-groups': [],
  servicediscovery: ['cloud-map'],
  'service-quotas': ['servicequotas'],
  ce: ['cost-explorer'],
  pricing: [],
  route53: [],
  cloudfront: [],
  codebuild: [],
  codepipeline: [],
  codecommit: [],
  codedeploy: [],
  backup: [],
  transfer: [],
  // AI, media and the rest
  bedrock: ['bedrock-runtime', 'bedrock-agent', 'bedrock-agent-runtime'],
  sagemaker: ['sagemaker-runtime'],
  comprehend: [],
  rekognition: [],
  textract: [],
  translate: [],
  polly: [],
  transcribe: [],
  kendra: [],
  lex: ['lex-runtime-v2', 'lex-models-v2'],
  personalize: ['personalize-runtime', 'personalize-events'],
  geo: ['location'],
  mediaconvert: [],
  iot: [],
  iotdata: ['iot-data-plane', 'iot-data'],
  connect: [],
  chime: [],
  ivs: [],
};

/** Names compare without case and without `-`, `_` and `.`: `cloudwatch-logs`, `CloudWatchLogs` and `cloudwatchlogs` are one name. */
function key(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

/** Every name a user may write (canonical names and aliases, as written in the catalogue) → canonical name. */
const BY_NAME: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [canonical, aliases] of Object.entries(CATALOGUE)) {
    m.set(canonical, canonical);
    for (const a of aliases) m.set(a, canonical);
  }
  return m;
})();

const BY_KEY: ReadonlyMap<string, string> = new Map([...BY_NAME].map(([name, canonical]) => [key(name), canonical]));

/** The canonical names, sorted. */
export const CANONICAL_SERVICES: readonly string[] = Object.keys(CATALOGUE).sort();

/** Every accepted name with its canonical name, sorted by name; for docs and tests. */
export function serviceNameTable(): readonly (readonly [name: string, canonical: string])[] {
  return [...BY_NAME].sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * `cloudwatch` → `monitoring`, `SFN` → `states`, `@aws-sdk/client-sfn` → `states`,
 * `dynamodb` → `dynamodb`; undefined for a name no SDK client signs or is called.
 */
export function canonicalService(name: string): string | undefined {
  let n = name.trim();
  if (n.startsWith('@aws-sdk/')) n = n.slice(9);
  if (n.toLowerCase().startsWith('client-')) n = n.slice(7);
  return BY_KEY.get(key(n));
}

/** Levenshtein distance, stopping early once it exceeds `limit` (returns limit + 1 then). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The accepted names closest to `name` by edit distance (ignoring case and
 * separators), at most `max`, one per service, nearest first. A name that is
 * the start of a known one (`dynamo`) counts as close whatever its length.
 */
export function suggestServices(name: string, max = 3): string[] {
  const k = key(name.length > 64 ? name.slice(0, 64) : name);
  if (k === '') return [];
  const limit = Math.max(2, Math.floor(k.length / 3));
  const scored: { name: string; canonical: string; d: number }[] = [];
  for (const [candidate, canonical] of BY_NAME) {
    const ck = key(candidate);
    const d = ck.startsWith(k) && k.length >= 3 ? Math.min(1, distance(k, ck, limit)) : distance(k, ck, limit);
    if (d <= limit) scored.push({ name: candidate, canonical, d });
  }
  scored.sort((a, b) => a.d - b.d || a.name.length - b.name.length || a.name.localeCompare(b.name));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of scored) {
    if (seen.has(s.canonical)) continue;
    seen.add(s.canonical);
    out.push(s.name);
    if (out.length === max) break;
  }
  return out;
}

/** The message for a service no SDK client has, with the closest names. */
export function unknownServiceMessage(service: string): string {
  const close = suggestServices(service);
  const hint = close.length > 0 ? `did you mean ${close.join(', ')}?` : 'such as dynamodb, s3, sqs, cloudwatch or sfn';
  return `no AWS SDK client has the service ${service}: expected an SDK service name (${hint})`;
}
