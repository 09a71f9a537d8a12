// The environment Lambda gives a Node.js function (of the children's Node major), for the benchmark
// children, so every tool takes its "running on Lambda" paths (Powertools'
// Tracer only traces when it sees AWS_EXECUTION_ENV; the X-Ray SDK goes to
// Lambda mode on LAMBDA_TASK_ROOT; OpenTelemetry's aws-lambda instrumentation
// patches the module named by _HANDLER under LAMBDA_TASK_ROOT).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childNodeVersion } from './children.js';

/** `AWS_Lambda_nodejs24.x` on a Node 24 child. */
const EXECUTION_ENV = `AWS_Lambda_nodejs${childNodeVersion().replace(/^v/, '').split('.')[0]}.x`;

export const FUNCTION_NAME = 'bench-fn';

export function lambdaEnv(taskRoot: string): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  const env: Record<string, string> = {};
  for (const k of keep) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    ...env,
    AWS_EXECUTION_ENV: EXECUTION_ENV,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_SESSION_TOKEN: 'bench-token',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: 'Root=1-67890abc-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
    POWERTOOLS_SERVICE_NAME: FUNCTION_NAME,
    POWERTOOLS_METRICS_NAMESPACE: 'Bench',
    NODE_ENV: 'production',
  };
}

/**
 * The function's own module in LAMBDA_TASK_ROOT, CommonJS as most deployed
 * functions are: the bare handler, or (for the HTTP benchmark) one that runs
 * the work the worker hands it through the event.
 */
export function writeTaskRoot(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.cjs'),
    `'use strict';
exports.handler = async (event) => {
  if (typeof event.__work === 'function') return event.__work();
  return { statusCode: 200, body: 'ok' };
};
`,
  );
  return dir;
}
