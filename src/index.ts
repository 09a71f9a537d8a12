// `faultline`: wrap() and the public types.
import { getAgent } from './agent.js';
import type { LogFields } from './telemetry/logging/logger.js';

export { wrap } from './wrap.js';
export type { AnyLambdaHandler, HandlerEvent, HandlerResult, LambdaContext, LambdaCallback, LambdaHandler, WrappedHandler } from './types.js';
export type { FaultlineConfig, LogLevel, TracesMode, InitType } from './config.js';
export type { LogFields } from './telemetry/logging/logger.js';

/**
 * The structured logger, for the function's own lines (console.* works too).
 * Lines carry requestId, traceId, spanId and the docs/telemetry.md fields.
 */
export const logger = {
  debug: (message: string, fields?: LogFields) => getAgent()?.logger.debug(message, fields),
  info: (message: string, fields?: LogFields) => getAgent()?.logger.info(message, fields),
  warn: (message: string, fields?: LogFields) => getAgent()?.logger.warn(message, fields),
  error: (message: string, fields?: LogFields) => getAgent()?.logger.error(message, fields),
  /** Adds keys to every line of the current invocation only (e.g. a correlation id). */
  appendKeys: (fields: LogFields) => getAgent()?.logger.appendKeys(fields),
};
