// When a failed AWS call is worth another attempt, and how long to wait:
// the SDK's standard retry mode (transient network errors, 5xx, throttling;
// exponential backoff with full jitter, 100 ms base, 500 ms when throttled, 20 s cap).
import { AwsNetworkError, AwsServiceError } from './awsError.js';

// The SDK's list (@smithy/service-error-classification THROTTLING_ERROR_CODES).
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorWriteRequestInProgress',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

const TRANSIENT_CODES = new Set(['RequestTimeout', 'RequestTimeoutException', 'InternalServerError', 'InternalFailure', 'ServiceUnavailable']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
// The SDK's transient network codes (NODEJS_TIMEOUT_ERROR_CODES, NODEJS_NETWORK_ERROR_CODES):
// a refused certificate or a bad host header will fail the same way again.
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function isThrottling(err: unknown): boolean {
  return err instanceof AwsServiceError && (THROTTLING.has(err.name) || err.statusCode === 429);
}

/** Whether the SDK's standard mode would try `err` again. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof AwsNetworkError) return TRANSIENT_NETWORK.has(err.code);
  if (!(err instanceof AwsServiceError)) return false;
  return isThrottling(err) || TRANSIENT_CODES.has(err.name) || TRANSIENT_STATUS.has(err.statusCode);
}

/** Wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, throttled: boolean, random: () => number = Math.random): number {
  const base = throttled ? 500 : 100;
  return Math.floor(random() * Math.min(20_000, base * 2 ** (attempt - 1)));
}
