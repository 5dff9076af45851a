import fc from 'fast-check';
import type { KubeObject } from '../../lambdas/domain/kube-objects';
import { ADMIN_TOKEN, apiFailure, backupManifest, CNPG, NAMESPACE, rawRequest, SNAPSHOTS, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  const claims: Array<[string, Record<string, string>]> = [
    ['pg-a', { app: 'pg', tier: 'data' }],
    ['pg-b', { app: 'pg', tier: 'wal' }],
    ['pg-c', { app: 'pg' }],
    ['web-a', { app: 'web', tier: 'data' }],
    ['bare', {}],
  ];
  for (const [name, labels] of claims)
    harness.server.seed({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'selectors', labels }, spec: {} });
});
afterAll(() => harness.close());

const names = (list: { items: Array<{ metadata?: { name?: string } }> }) => list.items.map((item) => item.metadata?.name);
const claims = (labelSelector: string) => harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', labelSelector });

describe('label selectors', () => {
  test.each([
    ['app=pg', ['pg-a', 'pg-b', 'pg-c']],
    ['app==web', ['web-a']],
    ['app!=pg', ['bare', 'web-a']],
    ['tier in (data, wal)', ['pg-a', 'pg-b', 'web-a']],
    ['tier notin (data)', ['bare', 'pg-b', 'pg-c']],
    ['tier', ['pg-a', 'pg-b', 'web-a']],
    ['!tier', ['bare', 'pg-c']],
    ['app=pg,tier', ['pg-a', 'pg-b']],
    ['app=pg, !tier', ['pg-c']],
    ['', ['bare', 'pg-a', 'pg-b', 'pg-c', 'web-a']],
  ])('%j selects %j', async (selector, expected) => {
    expect(names(await claims(selector))).toEqual(expected);
  });

  test.each(['tier in data', 'app=a=b', 'tier in ()', 'tier in (data', '=pg', 'app=pg,', 'bad key=x', 'app=Ünicode'])(
    'the malformed selector %j is a 400 BadRequest',
    async (selector) => {
      const failure = await apiFailure(claims(selector));
      expect(failure.status).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message: expect.stringContaining('unable to parse requirement'),
      });
    },
  );

  test.each([
    ['metadata.name=pg-b', ['pg-b']],
    ['metadata.name!=pg-b,metadata.namespace=selectors', ['bare', 'pg-a', 'pg-c', 'web-a']],
  ])('the field selector %j selects %j', async (fieldSelector, expected) => {
    expect(names(await harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', fieldSelector }))).toEqual(
      expected,
    );
  });

  test('a field selector on another field is a 400 BadRequest', async () => {
    expect(
      (
        await apiFailure(
          harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', fieldSelector: 'spec.volumeName=x' }),
        )
      ).code,
    ).toBe(400);
  });
});

describe('lists', () => {
  test('a list has the List kind, the current resourceVersion and items ordered by name', async () => {
    const list = await harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors' });
    expect(list.kind).toBe('PersistentVolumeClaimList');
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(1000);
    expect(names(list)).toEqual(['bare', 'pg-a', 'pg-b', 'pg-c', 'web-a']);
  });

  test('pages of any size, followed by their continue tokens, add up to the whole list exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.constantFrom('', 'app=pg', 'tier'), async (limit, labelSelector) => {
        const pages: Array<string | undefined> = [];
        let token: string | undefined;
        do {
          const page = await harness.admin.core.listNamespacedPersistentVolumeClaim({
            namespace: 'selectors',
            limit,
            labelSelector,
            ...(token && { _continue: token }),
          });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          pages.push(...names(page));
          token = page.metadata?._continue;
        } while (token);
        expect(pages).toEqual(names(await claims(labelSelector)));
      }),
      { numRuns: 15 },
    );
  });

  test('a continue token that was not issued by the server is a 400 BadRequest', async () => {
    const failure = await apiFailure(
      harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', limit: 2, _continue: 'bm90LWEtdG9rZW4' }),
    );
    expect(failure.status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  test('a continue token issued before an etcd compaction answers 410 Expired, with a token for an inconsistent remainder', async () => {
    const first = await harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', limit: 2 });
    harness.server.faults.add({ verb: 'list', continued: true, times: 1, response: { compaction: true } });
    const failure = await apiFailure(
      harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', limit: 2, _continue: first.metadata!._continue! }),
    );
    expect(failure.status).toMatchObject({ code: 410, reason: 'Expired', metadata: { continue: expect.any(String) } });
    expect(failure.status?.message).toMatch(/^The provided continue parameter is too old to display a consistent list result/);
    // A list started again is served, with tokens of its own.
    const again = await harness.admin.core.listNamespacedPersistentVolumeClaim({ namespace: 'selectors', limit: 2 });
    const next = await harness.admin.core.listNamespacedPersistentVolumeClaim({
      namespace: 'selectors',
      limit: 2,
      _continue: again.metadata!._continue!,
    });
    expect(names(next)).toEqual(['pg-b', 'pg-c']);
  });

  test('a namespaced resource can be listed across namespaces', async () => {
    harness.server.seed({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'elsewhere', namespace: 'another' },
      spec: {},
    });
    const list = await harness.admin.core.listPersistentVolumeClaimForAllNamespaces({});
    expect(list.items.map((c) => `${c.metadata?.namespace}/${c.metadata?.name}`)).toEqual([
      'another/elsewhere',
      'selectors/bare',
      'selectors/pg-a',
      'selectors/pg-b',
      'selectors/pg-c',
      'selectors/web-a',
    ]);
  });

  test('an unknown path is a 404 and every request is recorded with the virtual time', async () => {
    const response = await rawRequest(harness.server, { method: 'GET', path: '/apis/example.com/v1/widgets', token: ADMIN_TOKEN });
    expect(response).toMatchObject({ status: 404, body: { reason: 'NotFound' } });
    expect(harness.server.requests.at(-1)).toEqual({
      verb: 'get',
      resource: '/apis/example.com/v1/widgets',
      status: 404,
      username: 'kubernetes-admin',
      at: harness.clock.now().toISOString(),
    });
  });
});

describe('deletion and garbage collection', () => {
  const backups = { ...CNPG, namespace: NAMESPACE, plural: 'backups' };

  function snapshotOwnedBy(name: string, owners: Array<{ kind: string; name: string; uid: string }>) {
    return harness.server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name,
        namespace: NAMESPACE,
        ownerReferences: owners.map((o) => ({ apiVersion: 'postgresql.cnpg.io/v1', controller: false, ...o })),
      },
      spec: { source: { persistentVolumeClaimName: 'hendrix-1' } },
    });
  }
  const snapshotNames = () => harness.server.objects<KubeObject>('volumesnapshots', NAMESPACE).map((s) => s.metadata.name);

  test('deleting an owner deletes the objects whose ownerReferences name it', async () => {
    const backup = harness.server.seed(backupManifest('gc-owner', 'hendrix'));
    snapshotOwnedBy('gc-owner', [{ kind: 'Backup', name: 'gc-owner', uid: backup.metadata.uid }]);
    await harness.admin.custom.deleteNamespacedCustomObject({ ...backups, name: 'gc-owner' });
    expect(snapshotNames()).not.toContain('gc-owner');
  });

  test('a dependent with two owners stays until both are gone', async () => {
    const first = harness.server.seed(backupManifest('gc-first', 'hendrix'));
    const second = harness.server.seed(backupManifest('gc-second', 'hendrix'));
    snapshotOwnedBy('gc-shared', [
      { kind: 'Backup', name: 'gc-first', uid: first.metadata.uid },
      { kind: 'Backup', name: 'gc-second', uid: second.metadata.uid },
    ]);
    await harness.admin.custom.deleteNamespacedCustomObject({ ...backups, name: 'gc-first' });
    expect(snapshotNames()).toContain('gc-shared');
    await harness.admin.custom.deleteNamespacedCustomObject({ ...backups, name: 'gc-second' });
    expect(snapshotNames()).not.toContain('gc-shared');
  });

  test('propagationPolicy Orphan keeps the dependents and drops their owner reference', async () => {
    const backup = harness.server.seed(backupManifest('gc-orphan', 'hendrix'));
    snapshotOwnedBy('gc-orphan', [{ kind: 'Backup', name: 'gc-orphan', uid: backup.metadata.uid }]);
    await harness.admin.custom.deleteNamespacedCustomObject({ ...backups, name: 'gc-orphan', propagationPolicy: 'Orphan' });
    const orphan = harness.server.objects<KubeObject>('volumesnapshots', NAMESPACE).find((s) => s.metadata.name === 'gc-orphan');
    expect(orphan?.metadata.ownerReferences).toBeUndefined();
  });

  test('deleting a missing object is a 404, so a retried delete can tell it is already gone', async () => {
    const failure = await apiFailure(
      harness.admin.custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace: NAMESPACE, plural: 'volumesnapshots', name: 'never' }),
    );
    expect(failure.status).toMatchObject({ code: 404, message: 'volumesnapshots.snapshot.storage.k8s.io "never" not found' });
  });

  test('deleting a collection deletes only what the selector matches', async () => {
    harness.server.seed({
      ...backupManifest('sweep-1', 'sweep'),
      metadata: { name: 'sweep-1', namespace: 'sweep', labels: { sweep: 'yes' } },
    });
    harness.server.seed({
      ...backupManifest('keep-1', 'sweep'),
      metadata: { name: 'keep-1', namespace: 'sweep', labels: { sweep: 'no' } },
    });
    await harness.admin.custom.deleteCollectionNamespacedCustomObject({
      ...CNPG,
      namespace: 'sweep',
      plural: 'backups',
      labelSelector: 'sweep=yes',
    });
    expect(harness.server.objects<KubeObject>('backups', 'sweep').map((b) => b.metadata.name)).toEqual(['keep-1']);
  });
});
