// OpenTelemetry SDK + aws-lambda + http instrumentations (see otelSetup.mjs).
import { AwsLambdaInstrumentation } from '@opentelemetry/instrumentation-aws-lambda';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { setupOtel } from './otelSetup.mjs';

export const handler = setupOtel([new AwsLambdaInstrumentation(), new HttpInstrumentation()]);
