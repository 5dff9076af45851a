import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { createKubeResourcesFactory } from '../../lambdas/adapters/kube-resources-factory';
import { DEFAULT_REQUEST_RETRY } from '../../lambdas/adapters/request-retry';
import type { KubeResources, ResourceKind } from '../../lambdas/adapters/kube-resources';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { KubernetesApiError, PreconditionFailedError, TransientError } from '../../lambdas/errors';
import { VirtualClock } from '../../simulator/virtual-clock';
import { kubeStatus, startScriptedKubeApi, type ReceivedRequest, type ScriptedKubeApi } from './scripted-kube-api';

/** The Kubernetes adapter's HTTP exchanges, against a server that answers exactly what each test scripts. */

const backup = (name: string): Backup => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Backup',
  metadata: { name, namespace: 'demo' },
  spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
});
const ok = (body: unknown) => ({ status: 200, body });
const emptyList = ok({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [] });
const failure = (code: number, reason: string, message: string) => ({ status: code, body: kubeStatus(code, reason, message) });

describe('the Kubernetes adapter over HTTPS', () => {
  const eks = new EKSClient({ region: 'eu-west-1' });
  const describeCluster = mockClient(eks);
  let api: ScriptedKubeApi;
  let clock: VirtualClock;
  let kube: KubeResources;
  let waits: number[];

  const received = (): ReceivedRequest[] => api.requests.splice(0);

  beforeAll(async () => {
    api = await startScriptedKubeApi();
  });
  afterAll(() => api.close());

  beforeEach(async () => {
    api.requests.length = 0;
    clock = new VirtualClock('2026-11-25T05:00:00Z');
    describeCluster
      .on(DescribeClusterCommand)
      .resolves({ cluster: { status: 'ACTIVE', endpoint: api.url, certificateAuthority: { data: api.caData } } });
    const factory = createKubeResourcesFactory({
      region: 'eu-west-1',
      eks,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' }),
      now: () => clock.now(),
      // Retries wait on the virtual clock, with the longest jitter: each wait is known and none is slept.
      retryClock: {
        now: () => clock.nowMs(),
        sleep: async (ms) => {
          waits.push(ms);
          clock.advance(ms);
        },
        random: () => 1 - Number.EPSILON,
      },
    });
    waits = [];
    kube = await factory({ eksCluster: 'prod-eks', auth: { kind: 'eks' } });
  });

  test.each<[ResourceKind, string, string]>([
    ['clusters', 'demo', '/apis/postgresql.cnpg.io/v1/namespaces/demo/clusters/x'],
    ['backups', 'demo', '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups/x'],
    ['volumesnapshots', 'demo', '/apis/snapshot.storage.k8s.io/v1/namespaces/demo/volumesnapshots/x'],
    ['volumesnapshotcontents', 'ignored', '/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/x'],
    ['persistentvolumeclaims', 'demo', '/api/v1/namespaces/demo/persistentvolumeclaims/x'],
    ['jobs', 'demo', '/apis/batch/v1/namespaces/demo/jobs/x'],
  ])('get %s reads its API path with an EKS bearer token', async (kind, namespace, path) => {
    api.answer(() => ok({ apiVersion: 'v1', kind: 'Any', metadata: { name: 'x' } }));
    await kube.get(kind, namespace, 'x');
    const [request] = received();
    expect(request).toMatchObject({ method: 'GET', path });
    expect(request?.authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  });

  test('list reads every page, passing limit, the label selector and each continue token', async () => {
    const pages: Record<string, { items: string[]; next?: string }> = {
      '': { items: ['b-1', 'b-2'], next: 'token-1' },
      'token-1': { items: ['b-3', 'b-4'], next: 'token-2' },
      'token-2': { items: ['b-5'] },
    };
    api.answer(({ query }) => {
      const page = pages[query.get('continue') ?? '']!;
      return ok({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'BackupList',
        metadata: page.next ? { continue: page.next } : {},
        items: page.items.map((name) => backup(name)),
      });
    });
    const backups = await kube.list('backups', 'demo', { labelSelector: 'cnpg.io/cluster=hendrix' });
    expect(backups.map((b) => b.metadata.name)).toEqual(['b-1', 'b-2', 'b-3', 'b-4', 'b-5']);
    expect(received().map(({ path, query }) => `${path}?${query.toString()}`)).toEqual([
      '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups?labelSelector=cnpg.io%2Fcluster%3Dhendrix&limit=500',
      '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups?continue=token-1&labelSelector=cnpg.io%2Fcluster%3Dhendrix&limit=500',
      '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups?continue=token-2&labelSelector=cnpg.io%2Fcluster%3Dhendrix&limit=500',
    ]);
  });

  test('listed claims and jobs are plain objects as the API sent them, typed from their list', async () => {
    api.answer(({ path }) =>
      path.endsWith('/jobs')
        ? ok({
            apiVersion: 'batch/v1',
            kind: 'JobList',
            metadata: {},
            items: [
              {
                metadata: { name: 'hendrix-1-full-recovery', creationTimestamp: '2026-11-25T05:00:00Z' },
                status: { failed: 1, conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-11-25T05:03:07Z' }] },
              },
            ],
          })
        : ok({
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaimList',
            metadata: {},
            items: [{ metadata: { name: 'hendrix-1', creationTimestamp: '2026-11-25T04:00:00Z' }, spec: { volumeName: 'pv-1' } }],
          }),
    );
    const [claim] = await kube.list('persistentvolumeclaims', 'demo');
    const [job] = await kube.list('jobs', 'demo');
    expect(claim).toStrictEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'hendrix-1', creationTimestamp: '2026-11-25T04:00:00Z' },
      spec: { volumeName: 'pv-1' },
    });
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', metadata: { creationTimestamp: '2026-11-25T05:00:00Z' } });
    expect(job?.status?.conditions?.[0]?.lastTransitionTime).toBe('2026-11-25T05:03:07Z');
  });

  test('a cluster-scoped list has no namespace in its path', async () => {
    api.answer(() => emptyList);
    await kube.list('volumesnapshotcontents', 'demo');
    expect(received()[0]?.path).toBe('/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents');
  });

  test('get of a missing object is undefined', async () => {
    api.answer(() => failure(404, 'NotFound', 'backups.postgresql.cnpg.io "x" not found'));
    expect(await kube.get('backups', 'demo', 'x')).toBeUndefined();
  });

  test('delete sends DELETE to the object and reports it deleted', async () => {
    api.answer(() => ok(backup('x')));
    expect(await kube.delete('volumesnapshots', 'demo', 'x')).toBe('deleted');
    expect(received()[0]).toMatchObject({ method: 'DELETE', path: '/apis/snapshot.storage.k8s.io/v1/namespaces/demo/volumesnapshots/x' });
  });

  test('delete at a version sends it as a precondition, and a changed object is a 409 the caller sees', async () => {
    api.answer(() =>
      failure(409, 'Conflict', 'Operation cannot be fulfilled on backups.postgresql.cnpg.io "x": the object has been modified'),
    );
    const error = await kube.delete('backups', 'demo', 'x', { resourceVersion: '42' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 409, reason: 'Conflict' });
    const [request] = received();
    expect(JSON.parse(request!.body)).toMatchObject({ preconditions: { resourceVersion: '42' } });
  });

  test('delete answered with the object and a deletionTimestamp (finalizers hold it) reports it deleting', async () => {
    api.answer(() => ok({ ...backup('x'), metadata: { name: 'x', deletionTimestamp: '2026-11-25T05:00:00Z', finalizers: ['f'] } }));
    expect(await kube.delete('volumesnapshots', 'demo', 'x')).toBe('deleting');
  });

  test('delete answered with a Success status reports it deleted', async () => {
    api.answer(() => ok({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'x' } }));
    expect(await kube.delete('volumesnapshots', 'demo', 'x')).toBe('deleted');
  });

  test('patch sends a JSON merge patch of the labels to the object and returns it as patched', async () => {
    api.answer(({ body }) => ok({ ...backup('x'), metadata: { name: 'x', ...(JSON.parse(body) as { metadata: object }).metadata } }));
    const patched = await kube.patch('volumesnapshots', 'demo', 'x', { metadata: { labels: { a: 'b' } } });
    expect(patched?.metadata.labels).toEqual({ a: 'b' });
    const [request] = received();
    expect(request).toMatchObject({ method: 'PATCH', path: '/apis/snapshot.storage.k8s.io/v1/namespaces/demo/volumesnapshots/x' });
    expect(request?.contentType).toBe('application/merge-patch+json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ metadata: { labels: { a: 'b' } } });
  });

  test('patch of a missing object is undefined', async () => {
    api.answer(() => failure(404, 'NotFound', 'volumesnapshots.snapshot.storage.k8s.io "x" not found'));
    expect(await kube.patch('volumesnapshots', 'demo', 'x', { metadata: { labels: { a: 'b' } } })).toBeUndefined();
  });

  test('delete of a missing object is absent', async () => {
    api.answer(() => failure(404, 'NotFound', 'volumesnapshots.snapshot.storage.k8s.io "x" not found'));
    expect(await kube.delete('volumesnapshots', 'demo', 'x')).toBe('absent');
  });

  test('annotate sends a JSON merge patch of the annotations alone', async () => {
    api.answer(() => ok(backup('b-1')));
    expect(await kube.annotate('backups', 'demo', 'b-1', { 'example.com/mark': '2026-11-25T07:00:00.000Z' })).toBe('annotated');
    const [request] = received();
    expect(request).toMatchObject({ method: 'PATCH', path: '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups/b-1' });
    expect(request?.contentType).toBe('application/merge-patch+json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ metadata: { annotations: { 'example.com/mark': '2026-11-25T07:00:00.000Z' } } });
  });

  test('annotate of a missing object is absent', async () => {
    api.answer(() => failure(404, 'NotFound', 'backups.postgresql.cnpg.io "b-1" not found'));
    expect(await kube.annotate('backups', 'demo', 'b-1', { 'example.com/mark': 'x' })).toBe('absent');
  });

  test('create POSTs the object as JSON to its collection', async () => {
    api.answer(({ body }) => ok({ ...JSON.parse(body), metadata: { name: 'b-1', uid: 'u-1' } }));
    const result = await kube.create('backups', 'demo', backup('b-1'));
    expect(result).toEqual({ created: true, object: expect.objectContaining({ kind: 'Backup', metadata: { name: 'b-1', uid: 'u-1' } }) });
    const [request] = received();
    expect(request).toMatchObject({ method: 'POST', path: '/apis/postgresql.cnpg.io/v1/namespaces/demo/backups' });
    expect(request?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(request?.body ?? '')).toEqual(backup('b-1'));
  });

  test('create of an existing object (409 AlreadyExists) returns the existing one', async () => {
    api.answer(({ method }) =>
      method === 'POST'
        ? failure(409, 'AlreadyExists', 'backups.postgresql.cnpg.io "b-1" already exists')
        : ok({ ...backup('b-1'), metadata: { name: 'b-1', uid: 'first' } }),
    );
    const result = await kube.create('backups', 'demo', backup('b-1'));
    expect(result).toEqual({ created: false, existing: expect.objectContaining({ metadata: { name: 'b-1', uid: 'first' } }) });
    expect(received().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /apis/postgresql.cnpg.io/v1/namespaces/demo/backups',
      'GET /apis/postgresql.cnpg.io/v1/namespaces/demo/backups/b-1',
    ]);
  });

  test.each([429, 500, 502, 503, 504])('HTTP %i is retried with backoff, then a transient error', async (code) => {
    api.answer(() => failure(code, 'ServiceUnavailable', 'the server is busy'));
    const error = await kube.get('backups', 'demo', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe(`get backups demo/x: HTTP ${code} ServiceUnavailable: the server is busy (after 5 attempts)`);
    expect(received()).toHaveLength(5);
    expect(waits.map(Math.round)).toEqual([200, 400, 800, 1600]);
  });

  test.each<[string, (kube: KubeResources) => Promise<unknown>]>([
    ['get', (k) => k.get('backups', 'demo', 'x')],
    ['list', (k) => k.list('backups', 'demo')],
    ['create', (k) => k.create('backups', 'demo', backup('x'))],
    ['delete', (k) => k.delete('backups', 'demo', 'x')],
  ])('%s is answered after throttling and a server error pass', async (_verb, call) => {
    let attempts = 0;
    api.answer((request) => {
      attempts += 1;
      if (attempts === 1) return failure(429, 'TooManyRequests', 'too many requests');
      if (attempts === 2) return failure(503, 'ServiceUnavailable', 'the server is busy');
      return request.method === 'GET' && !request.path.endsWith('/x') ? emptyList : ok(backup('x'));
    });
    await expect(call(kube)).resolves.toBeDefined();
    expect(received()).toHaveLength(3);
  });

  test('a retry waits at least the Retry-After the server sent', async () => {
    let attempts = 0;
    api.answer(() =>
      (attempts += 1) === 1 ? { ...failure(429, 'TooManyRequests', 'too many requests'), headers: { 'Retry-After': '3' } } : emptyList,
    );
    await kube.list('backups', 'demo');
    expect(waits).toEqual([3000]);
  });

  test('a 429 whose Retry-After does not fit the budget is reported at once, with how long the server asked to wait', async () => {
    api.answer(() => ({ ...failure(429, 'TooManyRequests', 'too many requests'), headers: { 'Retry-After': '30' } }));
    await expect(kube.list('backups', 'demo')).rejects.toMatchObject({
      name: 'TransientError',
      message: 'list backups in demo: HTTP 429 TooManyRequests: too many requests (Retry-After 30s)',
    });
    expect(received()).toHaveLength(1);
  });

  test('a list whose continue token expired (410 Expired) starts again from the first page', async () => {
    let expired = false;
    api.answer(({ query }) => {
      if (!query.get('continue')) return ok({ apiVersion: 'v1', kind: 'List', metadata: { continue: 'page-2' }, items: [backup('b-1')] });
      if (!expired) {
        expired = true;
        return {
          status: 410,
          body: { ...kubeStatus(410, 'Expired', 'The provided continue parameter is too old'), metadata: { continue: 'x' } },
        };
      }
      return ok({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [backup('b-2')] });
    });
    const items = await kube.list('backups', 'demo');
    expect(items.map((b) => b.metadata.name)).toEqual(['b-1', 'b-2']);
    expect(received().map((r) => r.query.get('continue'))).toEqual([null, 'page-2', null, 'page-2']);
  });

  test('a list whose continue token keeps expiring reports the 410 after a few fresh starts', async () => {
    api.answer(({ query }) =>
      query.get('continue')
        ? failure(410, 'Expired', 'The provided continue parameter is too old')
        : ok({ apiVersion: 'v1', kind: 'List', metadata: { continue: 'page-2' }, items: [backup('b-1')] }),
    );
    const error = await kube.list('backups', 'demo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 410, reason: 'Expired' });
    expect(received().filter((r) => !r.query.get('continue'))).toHaveLength(4);
  });

  test('a 410 on a first page (no continue token) is not a reason to start again', async () => {
    api.answer(() => failure(410, 'Gone', 'gone'));
    await expect(kube.list('backups', 'demo')).rejects.toMatchObject({ status: 410 });
    expect(received()).toHaveLength(1);
  });

  test('a list page throttled midway is retried from that page', async () => {
    let attempts = 0;
    api.answer(({ query }) => {
      if (!query.get('continue')) return ok({ apiVersion: 'v1', kind: 'List', metadata: { continue: 'page-2' }, items: [backup('b-1')] });
      return (attempts += 1) === 1
        ? failure(429, 'TooManyRequests', 'too many requests')
        : ok({ apiVersion: 'v1', kind: 'List', metadata: {}, items: [backup('b-2')] });
    });
    const items = await kube.list('backups', 'demo');
    expect(items.map((b) => b.metadata.name)).toEqual(['b-1', 'b-2']);
    expect(received().map((r) => r.query.get('continue'))).toEqual([null, 'page-2', 'page-2']);
  });

  test.each([
    [400, 'BadRequest', 'the body is not a Backup'],
    [403, 'Forbidden', 'backups.postgresql.cnpg.io is forbidden: User "scheduler" cannot create resource "backups"'],
    [409, 'Conflict', 'Operation cannot be fulfilled: the object has been modified'],
    [422, 'Invalid', 'Backup.postgresql.cnpg.io "b-1" is invalid: spec.cluster.name: Required value'],
  ])('HTTP %i %s is a permanent error carrying the API message and reason', async (code, reason, message) => {
    api.answer(() => failure(code, reason, message));
    const error = await kube.create('backups', 'demo', backup('b-1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: code, reason, message: `create backups demo/b-1: HTTP ${code} ${reason}: ${message}` });
  });

  test('a 401 is sent again once, with a freshly signed token', async () => {
    api.answer(() => emptyList);
    await kube.list('backups', 'demo');
    const first = received()[0]?.authorization;
    clock.advance(60_000);
    api.answer(({ authorization }) => (authorization === first ? failure(401, 'Unauthorized', 'Unauthorized') : emptyList));
    await kube.list('backups', 'demo');
    const retried = received().map((r) => r.authorization);
    expect(retried).toHaveLength(2);
    expect(retried[0]).toBe(first);
    expect(retried[1]).not.toBe(first);
  });

  test('a 401 with the fresh token too is a permanent error', async () => {
    api.answer(() => failure(401, 'Unauthorized', 'Unauthorized'));
    const error = await kube.get('clusters', 'demo', 'hendrix').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 401 });
    expect(received()).toHaveLength(2);
  });

  test('a connection reset is retried, then a transient error', async () => {
    api.answer(() => 'reset');
    const error = await kube.get('backups', 'demo', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/^get backups demo\/x: network error.*\(after 5 attempts\)$/);
  });

  test('an attempt the server does not answer is abandoned after the attempt timeout and retried', async () => {
    const factory = createKubeResourcesFactory({
      region: 'eu-west-1',
      eks,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' }),
      // Long enough for an answered attempt on a loaded machine; the unanswered one costs this much real time.
      retry: { ...DEFAULT_REQUEST_RETRY, attemptTimeoutMs: 5_000 },
    });
    const impatient = await factory({ eksCluster: 'prod-eks', auth: { kind: 'eks' } });
    let attempts = 0;
    api.answer(() => ((attempts += 1) === 1 ? 'no answer' : ok(backup('x'))));
    await expect(impatient.get('backups', 'demo', 'x')).resolves.toMatchObject({ metadata: { name: 'x' } });
    expect(received().length).toBeGreaterThanOrEqual(2);
  });

  test('an attempt the server never answers ends in a transient timeout error', async () => {
    const factory = createKubeResourcesFactory({
      region: 'eu-west-1',
      eks,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' }),
      retry: { ...DEFAULT_REQUEST_RETRY, attemptTimeoutMs: 300, maxAttempts: 1 },
    });
    const impatient = await factory({ eksCluster: 'prod-eks', auth: { kind: 'eks' } });
    api.answer(() => 'no answer');
    const error = await impatient.get('backups', 'demo', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/^get backups demo\/x: network error \(timeout\)/);
  });

  test('a connection reset once is retried and answered', async () => {
    let attempts = 0;
    api.answer(() => ((attempts += 1) === 1 ? 'reset' : ok(backup('x'))));
    await expect(kube.get('backups', 'demo', 'x')).resolves.toMatchObject({ metadata: { name: 'x' } });
  });

  test("a kubeconfig target connects with the file's server, CA and user of the chosen context", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    try {
      const path = join(dir, 'config');
      writeFileSync(
        path,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            { name: 'local', cluster: { server: api.url, 'certificate-authority-data': api.caData } },
            { name: 'elsewhere', cluster: { server: 'https://192.0.2.1:6443' } },
          ],
          users: [{ name: 'dev', user: { token: 'dev-token' } }],
          contexts: [
            { name: 'kind-local', context: { cluster: 'local', user: 'dev' } },
            { name: 'other', context: { cluster: 'elsewhere', user: 'dev' } },
          ],
          'current-context': 'other',
        }),
      );
      const factory = createKubeResourcesFactory({ region: 'eu-west-1', eks, allowKubeconfig: true });
      const local = await factory({ eksCluster: 'prod-eks', auth: { kind: 'kubeconfig', path, context: 'kind-local' } });
      api.answer(() => emptyList);
      await local.list('backups', 'demo');
      expect(received()[0]?.authorization).toBe('Bearer dev-token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a deployed factory refuses kubeconfig auth before reading any file', async () => {
    const factory = createKubeResourcesFactory({ region: 'eu-west-1', eks });
    const refused = factory({ eksCluster: 'prod-eks', auth: { kind: 'kubeconfig', path: '/etc/passwd' } });
    await expect(refused).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(refused).rejects.toThrow('kubeconfig auth is for local runs only');
  });
});
