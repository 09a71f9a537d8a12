// Public types of the `faultline` package. Structural copies of the shapes in
// @types/aws-lambda (Context, Callback, Handler), so a project's own
// `aws-lambda` types and faultline's are assignable both ways, without
// faultline depending on that package at run time or in its .d.ts.

/**
 * The Lambda context object: the same shape as `Context` from `aws-lambda`
 * (its optional `identity`, `clientContext` and `tenantId` are left out, so
 * either is assignable to the other).
 */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  /** @deprecated Use the handler's callback or returned promise. */
  done(error?: Error, result?: any): void;
  /** @deprecated Use the handler's callback or returned promise. */
  fail(error: Error | string): void;
  /** @deprecated Use the handler's callback or returned promise. */
  succeed(messageOrObject: any): void;
  /** @deprecated Use the handler's callback or returned promise. */
  succeed(message: string, object: any): void;
}

/** A callback-style handler's callback: `Callback<R>` from `aws-lambda`. */
export type LambdaCallback<R = any> = (error?: Error | string | null, result?: R) => void;

/** Any handler Lambda's Node.js runtime accepts (async, promise-returning or callback-style): `Handler<E, R>` from `aws-lambda`. */
export type LambdaHandler<E = any, R = any> = (event: E, context: LambdaContext, callback: LambdaCallback<R>) => void | Promise<R>;

/**
 * What `wrap` accepts: any function Lambda can call with (event, context,
 * callback), whatever it declares for them. A handler that takes fewer
 * parameters, or types them as `aws-lambda`'s types, fits.
 */
export type AnyLambdaHandler = (event: any, context: LambdaContext, callback: LambdaCallback<any>) => unknown;

/** The event type a handler declares (`unknown` when it takes none). */
export type HandlerEvent<H> = H extends (...args: infer P) => unknown ? (P extends [infer E, ...unknown[]] ? E : P extends [(infer E)?, ...unknown[]] ? E : unknown) : never;

/** The result a handler gives: what its promise resolves to, or what it passes its callback. */
export type HandlerResult<H> = H extends (...args: infer P) => infer R
  ? Awaited<Exclude<R, void | undefined>> | (P extends [unknown, unknown, (error?: any, result?: infer C) => void, ...unknown[]] ? C : never)
  : never;

/**
 * What `wrap` returns: the handler's own type (so it is still a
 * `Handler<E, R>`, an `APIGatewayProxyHandlerV2`, …), also callable with just
 * an event and a context (a unit test's call), which gives the outcome as a promise.
 */
export type WrappedHandler<H extends AnyLambdaHandler> = H & ((event: HandlerEvent<H>, context: Partial<LambdaContext>) => Promise<HandlerResult<H>>);
