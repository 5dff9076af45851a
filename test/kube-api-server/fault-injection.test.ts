import { ApiException } from '@kubernetes/client-node';
import { ADMIN_TOKEN, apiFailure, CNPG, NAMESPACE, rawRequest, SCHEDULER, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => harness.server.faults.clear());
afterAll(() => harness.close());

const listBackups = () => harness.as(SCHEDULER).custom.listNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups' });
const getCluster = (name: string) =>
  harness.as(SCHEDULER).custom.getNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name });

describe('injected faults', () => {
  test('429 answers with a Retry-After header and a TooManyRequests Status', async () => {
    harness.server.faults.add({ resource: 'backups', response: { status: 429, retryAfterSeconds: 7 } });
    const failure = await apiFailure(listBackups());
    expect(failure.code).toBe(429);
    expect(failure.headers['retry-after']).toBe('7');
    expect(failure.status).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 7 } });
  });

  test.each([
    [500, 'InternalError'],
    [503, 'ServiceUnavailable'],
  ] as const)('%i answers with a %s Status', async (status, reason) => {
    harness.server.faults.add({ response: { status } });
    expect((await apiFailure(listBackups())).status).toMatchObject({ kind: 'Status', code: status, reason });
  });

  test('a reset closes the connection without an HTTP answer', async () => {
    harness.server.faults.add({ verb: 'list', response: { reset: true } });
    const failure: unknown = await listBackups().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApiException);
    expect(harness.server.requests.at(-1)).toMatchObject({ verb: 'list', status: -1 });
  });

  test('latency delays only the matching request: a later request overtakes it', async () => {
    harness.server.faults.add({ name: 'slow', response: { latencyMs: 300 } });
    const finished: string[] = [];
    const slow = getCluster('slow').catch(() => finished.push('slow'));
    await new Promise((resolve) => setImmediate(resolve));
    await getCluster('fast').catch(() => finished.push('fast'));
    await slow;
    expect(finished).toEqual(['fast', 'slow']);
  });

  test('times limits a fault to that many matching requests', async () => {
    const fault = harness.server.faults.add({ verb: 'list', times: 2, response: { status: 503 } });
    const codes = [];
    for (let i = 0; i < 3; i += 1)
      codes.push(
        await listBackups().then(
          () => 200,
          (error: unknown) => (error as ApiException<unknown>).code,
        ),
      );
    expect(codes).toEqual([503, 503, 200]);
    expect(fault.hits).toBe(2);
  });

  test('a fault matches on verb, resource and name only', async () => {
    harness.server.faults.add({ verb: 'get', resource: 'clusters', name: 'hendrix', response: { status: 500 } });
    expect((await apiFailure(getCluster('hendrix'))).code).toBe(500);
    expect((await apiFailure(getCluster('other'))).code).toBe(404);
    await expect(listBackups()).resolves.toMatchObject({ kind: 'BackupList' });
  });

  test('a fraction hits the same requests on every run', async () => {
    const pattern = async () => {
      harness.server.faults.clear();
      harness.server.faults.add({ fraction: 0.5, response: { status: 503 } });
      const codes = [];
      for (let i = 0; i < 12; i += 1)
        codes.push(
          await listBackups().then(
            () => 200,
            (error: unknown) => (error as ApiException<unknown>).code,
          ),
        );
      return codes;
    };
    const first = await pattern();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await pattern()).toEqual(first);
  });

  test('a fault answers before authentication: an unauthenticated request gets it too', async () => {
    harness.server.faults.add({ response: { status: 503 } });
    const response = await rawRequest(harness.server, {
      method: 'GET',
      path: `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/backups`,
      token: 'garbage',
    });
    expect(response.status).toBe(503);
  });

  test('remove() and clear() stop faults', async () => {
    const fault = harness.server.faults.add({ response: { status: 503 } });
    fault.remove();
    await expect(listBackups()).resolves.toMatchObject({ kind: 'BackupList' });
    harness.server.faults.add({ response: { status: 503 } });
    harness.server.faults.clear();
    await expect(listBackups()).resolves.toMatchObject({ kind: 'BackupList' });
  });

  test('refused requests are recorded like the others, at the virtual time', async () => {
    harness.clock.advance(42_000);
    harness.server.faults.add({ response: { status: 429 } });
    await rawRequest(harness.server, {
      method: 'DELETE',
      path: `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/backups/x`,
      token: ADMIN_TOKEN,
    });
    expect(harness.server.requests.at(-1)).toEqual({
      verb: 'delete',
      resource: 'backups',
      namespace: NAMESPACE,
      name: 'x',
      status: 429,
      at: harness.clock.now().toISOString(),
    });
  });
});
