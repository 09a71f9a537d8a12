// The OpenTelemetry SDK as its Lambda docs set it up: a NodeTracerProvider
// registered globally, instrumentations registered with
// registerInstrumentations, and then the function's handler module loaded
// through require() from LAMBDA_TASK_ROOT/_HANDLER, which is how
// @opentelemetry/instrumentation-aws-lambda finds and patches it (its
// require-in-the-middle hook on that file). Spans go through a
// SimpleSpanProcessor to the ConsoleSpanExporter, i.e. to stdout.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { loadUserHandler } from './userHandler.mjs';

export function setupOtel(instrumentations) {
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
  provider.register();
  registerInstrumentations({ tracerProvider: provider, instrumentations });
  const handler = loadUserHandler();
  // shimmer marks what it wrapped; an unpatched handler would measure nothing.
  if (handler.__wrapped !== true) throw new Error('instrumentation-aws-lambda did not patch LAMBDA_TASK_ROOT/index.cjs');
  return handler;
}
