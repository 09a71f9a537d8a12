// AWS's query protocol (STS, CloudFormation): a form-encoded POST of
// `Action`, `Version` and the parameters, answered in XML; an error answer is
// an `<ErrorResponse>` document. What both of the CLI's query clients send and read.
import { AwsServiceError } from './awsError.js';
import { headerOf, type HttpAnswer } from './signedPost.js';
import { parseQueryError } from './xml.js';

export const QUERY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  'user-agent': 'faultline-cli',
};

/** Pure: the form body of a call; parameters left undefined are not sent. */
export function queryBody(action: string, version: string, params: Readonly<Record<string, string | undefined>> = {}): string {
  const form = new URLSearchParams({ Action: action, Version: version });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, v);
  return form.toString();
}

/** Pure: an answer as the error it carries (code, message, request id from its `<ErrorResponse>`), or undefined for a 2xx. */
export function queryErrorOf(answer: HttpAnswer): AwsServiceError | undefined {
  if (answer.status >= 200 && answer.status < 300) return undefined;
  const doc = parseQueryError(answer.body);
  return new AwsServiceError(
    doc?.code || `HTTP${answer.status}`,
    doc?.message || `HTTP ${answer.status}${answer.body.trim() === '' ? '' : ` (${answer.body.trim().slice(0, 200)})`}`,
    answer.status,
    doc?.requestId ?? headerOf(answer, 'x-amzn-requestid'),
  );
}
