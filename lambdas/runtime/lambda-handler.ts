import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SchedulerError } from '../errors';
import { logger } from './logger';

/**
 * Wraps a handler's business function for Lambda: structured logs with the Lambda context, correlation keys reset
 * between invocations, and every failure logged once with its class before Step Functions sees it.
 */
export function lambdaHandler<I, O>(run: (event: I) => Promise<O>) {
  return middy<I, O>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        const error = request.error;
        if (error instanceof SchedulerError) logger.warn('request failed', { errorName: error.name, errorMessage: error.message });
        else logger.error('unexpected failure', error ?? new Error('unknown error'));
      },
    })
    .handler((event: I) => run(event));
}
