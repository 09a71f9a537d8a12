// otel.mjs plus the undici instrumentation, which is what covers fetch()
// (the http instrumentation sees only node:http/https).
import { createRequire } from 'node:module';
import { AwsLambdaInstrumentation } from '@opentelemetry/instrumentation-aws-lambda';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { setupOtel } from './otelSetup.mjs';

// Incoming requests are ignored: the only server in the benchmark is its own target (bench/lib/httpWorker.mjs).
export const handler = setupOtel([
  new AwsLambdaInstrumentation(),
  new HttpInstrumentation({ ignoreIncomingRequestHook: () => true }),
  new UndiciInstrumentation(),
]);

// The http instrumentation patches node:http when it is require()d (its
// require-in-the-middle hook), as a CommonJS function or its bundled SDK does;
// the patch lands on the module object every importer shares.
const loadCjs = createRequire(import.meta.url);
loadCjs('http');
loadCjs('https');
