// AWS Signature Version 4 over node:crypto. The agent signs its own rule-table
// reads with this instead of loading the AWS SDK (its cold start: docs/benchmarks.md).
// Only what those reads need: header signing, no presigned URLs, no chunked
// payloads.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
}

export interface SignableRequest {
  readonly method: string;
  /** Host header value, with the port when it is not the scheme's default. */
  readonly host: string;
  /** Path, already URI-encoded as it goes on the wire. */
  readonly path: string;
  /** Query parameters (unencoded); most requests here have none. */
  readonly query?: Readonly<Record<string, string>>;
  /** Headers other than host and x-amz-date; names in any case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SigningScope {
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  /** Signing time; the signature is valid for 15 minutes around it. */
  readonly now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z`: ISO 8601 basic format, as SigV4 wants it. */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding, which SigV4 requires (encodeURIComponent leaves !'()* alone). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: Readonly<Record<string, string>> | undefined): string {
  if (query === undefined) return '';
  return Object.keys(query)
    .map((k) => [uriEncode(k), uriEncode(query[k] ?? '')] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

// Signing keys change once a day per secret and region; caching the last one
// saves four HMACs per request.
let keyCache: { id: string; key: Buffer } | undefined;

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${secret}\n${day}\n${region}\n${service}`;
  if (keyCache?.id === id) return keyCache.key;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  keyCache = { id, key };
  return key;
}

/**
 * Returns the request's headers plus `host`, `x-amz-date`,
 * `x-amz-security-token` (when the credentials carry one) and `authorization`.
 * All header names in the result are lower case.
 */
export function signRequest(req: SignableRequest, scope: SigningScope): Record<string, string> {
  const date = amzDate(scope.now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) headers[name.toLowerCase()] = req.headers[name] ?? '';
  headers['host'] = req.host;
  headers['x-amz-date'] = date;
  if (scope.credentials.sessionToken !== undefined) headers['x-amz-security-token'] = scope.credentials.sessionToken;

  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    req.method.toUpperCase(),
    req.path === '' ? '/' : req.path,
    canonicalQuery(req.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(req.body),
  ].join('\n');

  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(scope.credentials.secretAccessKey, day, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');

  headers['authorization'] =
    `${ALGORITHM} Credential=${scope.credentials.accessKeyId}/${credentialScope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
