// Public types of the `faultline` package.

/** The Lambda context object, as far as faultline reads it. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop?: boolean;
  [key: string]: unknown;
}

export type LambdaCallback<R = unknown> = (error?: unknown, result?: R) => void;

/** Any handler Lambda's Node.js runtime accepts: async, promise-returning or callback-style. */
export type LambdaHandler<E = any, R = any> = (event: E, context: LambdaContext, callback: LambdaCallback<R>) => void | R | Promise<R>;

/** What `wrap` returns: an async two-argument handler. */
export type WrappedHandler<E = any, R = any> = (event: E, context: LambdaContext) => Promise<R>;
