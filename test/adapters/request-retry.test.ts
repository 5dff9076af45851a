import fc from 'fast-check';
import { KubernetesApiError, TransientError } from '../../lambdas/errors';
import { DEFAULT_REQUEST_RETRY, withRetries, type RequestRetryPolicy, type RetryClock } from '../../lambdas/adapters/request-retry';

/** A clock whose sleeps only move it; `random` is fixed, so every wait is known. */
function fakeClock(random = 1 - Number.EPSILON) {
  let now = 1_000_000;
  const waits: number[] = [];
  const clock: RetryClock = {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
    random: () => random,
  };
  return { clock, waits, elapsed: () => now - 1_000_000 };
}

/** An attempt that fails with the given errors in turn, then answers 'ok'. */
function failing(...errors: Error[]) {
  const timeouts: number[] = [];
  const attempt = async (timeoutMs: number) => {
    timeouts.push(timeoutMs);
    const error = errors.shift();
    if (error) throw error;
    return 'ok';
  };
  return { attempt, timeouts };
}

const throttled = (retryAfterMs?: number) => new TransientError('list backups in demo: HTTP 429 TooManyRequests', retryAfterMs);
const policy = DEFAULT_REQUEST_RETRY;

describe('retrying a request', () => {
  test('a transient failure is tried again after backoff, and the answer is returned', async () => {
    const { clock, waits } = fakeClock();
    const { attempt } = failing(throttled(), throttled());
    await expect(withRetries(attempt, { policy, clock })).resolves.toBe('ok');
    expect(waits.map(Math.round)).toEqual([200, 400]);
  });

  test('never retries sooner than the Retry-After the server sent', async () => {
    const { clock, waits } = fakeClock(0);
    const { attempt } = failing(throttled(3_000), throttled(1_000));
    await withRetries(attempt, { policy, clock });
    expect(waits).toEqual([3_000, 1_000]);
  });

  test('a permanent failure is not retried', async () => {
    const { clock, waits } = fakeClock();
    const forbidden = new KubernetesApiError('forbidden', 403, 'Forbidden');
    await expect(withRetries(failing(forbidden).attempt, { policy, clock })).rejects.toBe(forbidden);
    expect(waits).toEqual([]);
  });

  test('gives up after the attempts of the policy, saying how many were made', async () => {
    const { clock } = fakeClock();
    const { attempt, timeouts } = failing(...Array.from({ length: 9 }, () => throttled()));
    await expect(withRetries(attempt, { policy, clock })).rejects.toThrow(
      new TransientError('list backups in demo: HTTP 429 TooManyRequests (after 5 attempts)'),
    );
    expect(timeouts).toHaveLength(5);
  });

  test('does not start an attempt that could not end before the invocation deadline', async () => {
    const { clock } = fakeClock();
    const { attempt, timeouts } = failing(throttled(5_000), throttled());
    const error = await withRetries(attempt, { policy, clock, deadline: clock.now() + 12_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(timeouts).toEqual([10_000]);
  });

  test('gives every attempt the attempt timeout, or what is left before the deadline if that is less', async () => {
    const { clock } = fakeClock();
    const { attempt, timeouts } = failing();
    await withRetries(attempt, { policy, clock, deadline: clock.now() + 4_000 });
    expect(timeouts).toEqual([4_000]);
  });

  test('whatever fails, never waits past the budget or the deadline, nor makes more attempts than allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(fc.integer({ min: 0, max: 30_000 }), { nil: undefined }), { maxLength: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
        fc.record<RequestRetryPolicy>({
          maxAttempts: fc.integer({ min: 1, max: 8 }),
          baseDelayMs: fc.integer({ min: 1, max: 2_000 }),
          maxDelayMs: fc.integer({ min: 1, max: 10_000 }),
          attemptTimeoutMs: fc.integer({ min: 1, max: 10_000 }),
          budgetMs: fc.integer({ min: 1, max: 40_000 }),
        }),
        async (retryAfters, random, deadlineIn, anyPolicy) => {
          const { clock, elapsed } = fakeClock(random);
          const { attempt, timeouts } = failing(...retryAfters.map((ms) => throttled(ms)));
          const deadline = deadlineIn === undefined ? undefined : clock.now() + deadlineIn;
          await withRetries(attempt, { policy: anyPolicy, clock, deadline }).catch(() => undefined);
          const limit = Math.min(anyPolicy.budgetMs, deadlineIn ?? Number.POSITIVE_INFINITY);
          expect(timeouts.length).toBeLessThanOrEqual(anyPolicy.maxAttempts);
          // Attempts take no time on this clock: the waits and the last attempt's timeout fit the limit.
          if (timeouts.length > 1) expect(elapsed() + timeouts.at(-1)!).toBeLessThanOrEqual(limit);
        },
      ),
    );
  });
});
