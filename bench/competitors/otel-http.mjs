// otel.mjs plus the undici instrumentation, which is what covers fetch()
// (the http instrumentation sees only node:http/https).
import { AwsLambdaInstrumentation } from '@opentelemetry/instrumentation-aws-lambda';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { setupOtel } from './otelSetup.mjs';

export const handler = setupOtel([new AwsLambdaInstrumentation(), new HttpInstrumentation(), new UndiciInstrumentation()]);
