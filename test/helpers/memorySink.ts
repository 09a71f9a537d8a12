import type { LineSink } from '../../src/telemetry/logging/logger.js';

/** Collects every line the agent writes, parsed. */
export class MemorySink implements LineSink {
  readonly lines: string[] = [];
  write(line: string): void {
    for (const l of line.split('\n')) if (l) this.lines.push(l);
  }
  records(): Record<string, any>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, any>);
  }
  clear(): void {
    this.lines.length = 0;
  }
  logs() {
    return this.records().filter((r) => r.type === undefined && r._aws === undefined);
  }
  spans() {
    return this.records().filter((r) => r.type === 'span');
  }
  metrics() {
    return this.records().filter((r) => r._aws !== undefined);
  }
}

export function lambdaContext(requestId: string, remainingMs = 30_000, fn = 'orders') {
  const deadline = Date.now() + remainingMs;
  return {
    functionName: fn,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${fn}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: '2026/11/23/[$LATEST]abc',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

export const TEST_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'orders',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_REGION: 'eu-west-1',
  FAULTLINE_LOG_LEVEL: 'DEBUG',
};
