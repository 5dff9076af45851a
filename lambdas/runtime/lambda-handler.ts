import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SchedulerError } from '../errors';
import { runWithDeadline } from '../adapters/invocation-deadline';
import { logger } from './logger';

/** Kept back from the invocation's remaining time: a retry that would end later is left to Step Functions. */
export const DEADLINE_RESERVE_MS = 2_000;

/**
 * Wraps a handler's business function for Lambda: structured logs with the Lambda context, correlation keys reset
 * between invocations, every failure logged once with its class before Step Functions sees it, and the invocation's
 * deadline (its remaining time less a reserve) set for the adapters' retries.
 */
export function lambdaHandler<I, O>(run: (event: I) => Promise<O>): LambdaHandler<I, O> {
  const handler = middy<I, O, Error, Context, Record<string, unknown>>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: (request) => {
        const error: unknown = request.error;
        if (error instanceof SchedulerError) logger.warn('request failed', { errorName: error.name, errorMessage: error.message });
        else logger.error('unexpected failure', error instanceof Error ? error : new Error('unknown error', { cause: error }));
      },
    })
    .handler((event: I, context: Context) =>
      runWithDeadline(Date.now() + context.getRemainingTimeInMillis() - DEADLINE_RESERVE_MS, () => run(event)),
    );
  // middy's `use` infers the context type of the result from the middleware, and Powertools' middleware leaves it any.
  return handler as LambdaHandler<I, O>;
}

type LambdaHandler<I, O> = MiddyfiedHandler<I, O, Error, Context, Record<string, unknown>>;
