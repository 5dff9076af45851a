import { ApiException } from '@kubernetes/client-node';
import { toSchedulerError } from '../../lambdas/adapters/kube-api-errors';
import { KubernetesApiError, TransientError } from '../../lambdas/errors';

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

describe('mapping Kubernetes API failures', () => {
  test.each([429, 500, 502, 503, 504])('HTTP %i is transient: the workflow retries it', (code) => {
    const error = toSchedulerError(new ApiException(code, 'x', status(code, 'ServiceUnavailable', 'try later'), {}), 'get backups demo/b');
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe(`get backups demo/b: HTTP ${code} ServiceUnavailable: try later`);
  });

  test('a 429 carries its Retry-After', () => {
    const error = toSchedulerError(
      new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow down'), { 'retry-after': '7' }),
      'create backups demo/b',
    );
    expect(error.message).toContain('(Retry-After 7s)');
  });

  test.each([
    [403, 'Forbidden'],
    [404, 'NotFound'],
    [409, 'AlreadyExists'],
    [422, 'Invalid'],
  ])('HTTP %i is permanent and keeps the API message and reason', (code, reason) => {
    const error = toSchedulerError(
      new ApiException(code, 'x', status(code, reason, `the API says ${reason}`), {}),
      'create clusters demo/c',
    );
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({
      status: code,
      reason,
      message: `create clusters demo/c: HTTP ${code} ${reason}: the API says ${reason}`,
    });
  });

  test.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'UND_ERR_SOCKET'])('a network failure (%s) is transient', (code) => {
    const error = toSchedulerError(
      new TypeError('fetch failed', { cause: Object.assign(new Error('socket'), { code }) }),
      'list backups in demo',
    );
    expect(error).toBeInstanceOf(TransientError);
  });

  test('the mapped error keeps the client failure as its cause', () => {
    const throttled = new ApiException(429, 'x', status(429, 'TooManyRequests', 'slow down'), {});
    const forbidden = new ApiException(403, 'x', status(403, 'Forbidden', 'no'), {});
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket'), { code: 'ECONNRESET' }) });
    expect(toSchedulerError(throttled, 'list backups in demo').cause).toBe(throttled);
    expect(toSchedulerError(forbidden, 'list backups in demo').cause).toBe(forbidden);
    expect(toSchedulerError(reset, 'list backups in demo').cause).toBe(reset);
  });

  test('anything else passes through unchanged', () => {
    const bug = new RangeError('a bug');
    expect(toSchedulerError(bug, 'get')).toBe(bug);
  });
});
