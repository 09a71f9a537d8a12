// Powertools for AWS Lambda (TypeScript) as its docs set it up: Logger,
// Tracer and Metrics constructed at module level, the handler wrapped with
// their manual-instrumentation steps (what the middy middlewares and the
// class decorators do): a `## index.handler` subsegment with the cold-start
// and service annotations and the response as metadata, the Lambda context
// on the logger plus one log line, one metric and the cold-start metric,
// published as EMF on every invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadUserHandler } from './userHandler.mjs';

const logger = new Logger();
const tracer = new Tracer();
const metrics = new Metrics();

function instrument(fn) {
  const name = process.env._HANDLER ?? 'handler';
  return async function powertoolsHandler(event, context) {
    const segment = tracer.getSegment();
    let subsegment;
    if (segment) {
      subsegment = segment.addNewSubsegment(`## ${name}`);
      tracer.setSegment(subsegment);
    }
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    logger.addContext(context);
    metrics.captureColdStartMetric();
    try {
      const result = await fn(event, context);
      tracer.addResponseAsMetadata(result, name);
      logger.info('request handled', { statusCode: result?.statusCode });
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      return result;
    } catch (err) {
      tracer.addErrorAsMetadata(err);
      logger.error('request failed', err);
      throw err;
    } finally {
      if (segment && subsegment) {
        subsegment.close();
        tracer.setSegment(segment);
      }
      metrics.publishStoredMetrics();
    }
  };
}

export const handler = instrument(loadUserHandler());
