// STS GetCallerIdentity over the AWS query protocol (a form-encoded POST,
// an XML answer): who the CLI's credentials belong to, for the audit field
// `createdBy`, without loading @aws-sdk/client-sts.
import { AwsServiceError } from './awsError.js';
import { QUERY_HEADERS, queryBody, queryErrorOf } from './queryProtocol.js';
import { createSignedPost, type TransportOptions } from './signedPost.js';

export const GET_CALLER_IDENTITY_BODY = queryBody('GetCallerIdentity', '2011-06-15');

export interface CallerIdentity {
  readonly arn: string;
  readonly account: string | undefined;
  readonly userId: string | undefined;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML text with its five named entities and numeric character references decoded; anything else is left as written. */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref] ?? whole;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
  });
}

/** The decoded text of the first `<tag>…</tag>` in `xml` (no nested elements), or undefined. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m === null ? undefined : decodeXmlEntities(m[1]!).trim();
}

/** Asks STS who the credentials are; rejects with AwsServiceError, AwsNetworkError, the credential chain's error or AbortError. */
export async function getCallerIdentity(opts: Omit<TransportOptions, 'signingName'>, signal?: AbortSignal): Promise<CallerIdentity> {
  const post = await createSignedPost({ ...opts, signingName: 'sts' });
  try {
    const answer = await post.send(QUERY_HEADERS, GET_CALLER_IDENTITY_BODY, queryErrorOf, signal);
    const arn = xmlText(answer.body, 'Arn');
    if (!arn) throw new AwsServiceError('BadResponse', `GetCallerIdentity answered HTTP ${answer.status} without an Arn`, answer.status, undefined);
    return { arn, account: xmlText(answer.body, 'Account'), userId: xmlText(answer.body, 'UserId') };
  } finally {
    post.destroy();
  }
}
