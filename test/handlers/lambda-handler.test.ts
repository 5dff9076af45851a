import type { Context } from 'aws-lambda';
import { PreconditionFailedError } from '../../lambdas/errors';

const context = { functionName: 'start-backup', awsRequestId: 'request-1', getRemainingTimeInMillis: () => 30_000 } as Context;

describe('the Lambda wrapper', () => {
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  });

  test('returns what the handler returns', async () => {
    const { lambdaHandler } = await import('../../lambdas/runtime/lambda-handler');
    const handler = lambdaHandler(async (event: { n: number }) => ({ doubled: event.n * 2 }));
    await expect(handler({ n: 21 }, context)).resolves.toEqual({ doubled: 42 });
  });

  test('lets a failure through unchanged, so Step Functions sees its name (Retry and Catch match on it)', async () => {
    const { lambdaHandler } = await import('../../lambdas/runtime/lambda-handler');
    const failure = new PreconditionFailedError('Cluster demo/hendrix is hibernated');
    const handler = lambdaHandler(async () => {
      throw failure;
    });
    await expect(handler({}, context)).rejects.toBe(failure);
    expect(failure.name).toBe('PreconditionFailedError');
  });

  test('sets the invocation deadline from the remaining time, less the reserve', async () => {
    const { lambdaHandler, DEADLINE_RESERVE_MS } = await import('../../lambdas/runtime/lambda-handler');
    const { invocationDeadline } = await import('../../lambdas/adapters/invocation-deadline');
    const handler = lambdaHandler(async () => invocationDeadline());
    const before = Date.now();
    const deadline = await handler({}, context);
    expect(deadline).toBeGreaterThanOrEqual(before + 30_000 - DEADLINE_RESERVE_MS);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 30_000 - DEADLINE_RESERVE_MS);
    expect(invocationDeadline()).toBeUndefined();
  });
});
