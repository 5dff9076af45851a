/**
 * The scheduler's error family. Step Functions matches on the error name (Lambda's errorType):
 * TransientError is retried with backoff and jitter, every other SchedulerError fails fast.
 * Names are literals so that minified bundles keep them. An error that stands for another one carries it as
 * `cause`, so the logs keep the original failure and its stack.
 */

export abstract class SchedulerError extends Error {}

/** A failure that may pass on its own: Kubernetes 429/5xx, timeouts, connection resets. */
export class TransientError extends SchedulerError {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    /** How long the server asked the client to wait before trying again (Retry-After), when it said. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The input does not satisfy its schema; nothing was changed. */
export class InvalidInputError extends SchedulerError {
  override readonly name = 'InvalidInputError';
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request is well formed but the cluster's state does not allow it; nothing was changed. */
export class PreconditionFailedError extends SchedulerError {
  override readonly name = 'PreconditionFailedError';
}

/** An object with the name the scheduler needs exists and was not created by it. */
export class ConflictError extends SchedulerError {
  override readonly name = 'ConflictError';
}

/** The Kubernetes API refused the request for good (401 after a fresh token, 403, 404, 422, ...). */
export class KubernetesApiError extends SchedulerError {
  override readonly name = 'KubernetesApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An AWS API refused the request for good: an error code other than throttling or a server error. */
export class AwsApiError extends SchedulerError {
  override readonly name = 'AwsApiError';
  constructor(
    message: string,
    /** The service's error code (EC2's `InvalidSnapshot.NotFound`, say). */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Error names the workflows retry; the CDK state machines and the local runner both use this list. */
export const RETRYABLE_ERROR_NAMES = [
  'TransientError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  // How Lambda reports an invocation that ran out of time (the function's timeout), and how Step Functions reports a
  // Task that outlived its TimeoutSeconds.
  'Sandbox.Timedout',
  'States.Timeout',
] as const;
