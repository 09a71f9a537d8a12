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

/**
 * What `wrap` returns: a handler of the wrapped one's shape. Called with an
 * event and a context it returns the outcome as a promise; called by a runtime
 * with its own callback (nodejs22.x), it hands the outcome to the runtime the
 * way the handler itself would have (through the callback, or the promise).
 */
export interface WrappedHandler<E = any, R = any> {
  (event: E, context: LambdaContext): Promise<R>;
  (event: E, context: LambdaContext, callback: LambdaCallback<R>): Promise<R> | undefined;
}
