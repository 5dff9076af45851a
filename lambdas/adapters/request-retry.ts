import { TransientError } from '../errors';

/**
 * How one idempotent request to the Kubernetes API is retried inside a Lambda invocation: transient failures
 * (TransientError: 429, 5xx, resets, timeouts) are tried again after exponential backoff with full jitter, never sooner
 * than the server's Retry-After, while the next attempt still fits both the request's budget and the invocation's
 * deadline. What does not fit is left to the workflow's own retry (Step Functions), which waits without a Lambda.
 */
export interface RequestRetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n (from 0) is a random wait up to min(maxDelayMs, baseDelayMs * 2^n). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Each attempt is abandoned after this long. */
  attemptTimeoutMs: number;
  /** All attempts and waits of one request together stay within this. */
  budgetMs: number;
}

export const DEFAULT_REQUEST_RETRY: RequestRetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  attemptTimeoutMs: 10_000,
  budgetMs: 20_000,
};

/** Time as the retry loop sees it: real time in Lambda, the virtual clock in simulation. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1), for the jitter. */
  random(): number;
}

export const REAL_TIME: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * Runs `attempt` (given its timeout) until it succeeds or fails for good. `deadline` (epoch ms) is when the
 * invocation must have its answer, if known. The error of the last attempt is thrown, saying how many were made.
 */
export async function withRetries<T>(
  attempt: (timeoutMs: number) => Promise<T>,
  options: { policy: RequestRetryPolicy; clock: RetryClock; deadline?: number | undefined },
): Promise<T> {
  const { policy, clock } = options;
  const start = clock.now();
  const end = Math.min(start + policy.budgetMs, options.deadline ?? Number.POSITIVE_INFINITY);
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt(Math.max(1, Math.min(policy.attemptTimeoutMs, end - clock.now())));
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      const backoff = clock.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
      const delay = Math.max(backoff, error.retryAfterMs ?? 0);
      if (attempts >= policy.maxAttempts || clock.now() + delay + policy.attemptTimeoutMs > end) throw givenUp(error, attempts);
      await clock.sleep(delay);
    }
  }
}

function givenUp(error: TransientError, attempts: number): TransientError {
  if (attempts === 1) return error;
  const final = new TransientError(`${error.message} (after ${attempts} attempts)`, error.retryAfterMs);
  final.stack = error.stack;
  return final;
}
