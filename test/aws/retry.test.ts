// Which failed AWS calls the CLI tries again: the SDK's standard retry mode.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsNetworkError, AwsServiceError } from '../../cli/aws/awsError.js';
import { backoffMs, isRetryable, isThrottling } from '../../cli/aws/retry.js';

describe('isRetryable', () => {
  const cases: Array<[string, unknown, boolean]> = [
    ['connection refused', new AwsNetworkError('ECONNREFUSED', 'x'), true],
    ['connection reset', new AwsNetworkError('ECONNRESET', 'x'), true],
    ['no answer in time', new AwsNetworkError('TimeoutError', 'x'), true],
    ['DNS not found', new AwsNetworkError('ENOTFOUND', 'x'), true],
    ['certificate refused', new AwsNetworkError('CERT_HAS_EXPIRED', 'x'), false],
    ['self-signed certificate', new AwsNetworkError('DEPTH_ZERO_SELF_SIGNED_CERT', 'x'), false],
    ['503', new AwsServiceError('ServiceUnavailable', 'x', 503, undefined), true],
    ['500 without a code', new AwsServiceError('HTTP500', 'x', 500, undefined), true],
    ['throttled by code', new AwsServiceError('ThrottlingException', 'x', 400, undefined), true],
    ['throttled by 429', new AwsServiceError('HTTP429', 'x', 429, undefined), true],
    ['DynamoDB capacity', new AwsServiceError('ProvisionedThroughputExceededException', 'x', 400, undefined), true],
    ['validation', new AwsServiceError('ValidationException', 'x', 400, undefined), false],
    ['not found', new AwsServiceError('ResourceNotFoundException', 'x', 400, undefined), false],
    ['access denied', new AwsServiceError('AccessDeniedException', 'x', 400, undefined), false],
    ['a plain error', new Error('x'), false],
  ];
  for (const [name, err, want] of cases) test(name, () => assert.equal(isRetryable(err), want));
});

test('throttling waits from a larger base, and every wait stays within the 20 s cap', () => {
  assert.equal(isThrottling(new AwsServiceError('ThrottlingException', 'x', 400, undefined)), true);
  assert.equal(backoffMs(1, false, () => 0.999), 99);
  assert.equal(backoffMs(1, true, () => 0.999), 499);
  assert.equal(backoffMs(3, false, () => 0.5), 200);
  for (let n = 1; n < 40; n++) assert.ok(backoffMs(n, true, () => 0.9999) < 20_000);
});
