import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Backup, Cluster } from '../../lambdas/domain/kube-objects';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import { ADMIN_TOKEN, apiFailure, backupManifest, CNPG, NAMESPACE, rawRequest, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const createBackup = (body: object) =>
  harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', body });
const createCluster = (body: object) =>
  harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', body });
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function recoveryCluster(name: string, recovery: Record<string, unknown>, options: { walStorage?: boolean } = {}): Cluster {
  const { apiVersion, kind, metadata, spec } = exampleCluster({ namespace: NAMESPACE, name, walStorage: options.walStorage ?? true });
  return { apiVersion, kind, metadata, spec: { ...spec, bootstrap: { recovery } } };
}

const snapshotRef = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });

describe('CRD schema validation', () => {
  test('a Backup without spec.cluster is Invalid (422) with the field in details.causes', async () => {
    const failure = await apiFailure(createBackup({ ...backupManifest('no-cluster', 'x'), spec: { method: 'volumeSnapshot' } }));
    expect(failure.code).toBe(422);
    expect(failure.status).toMatchObject({
      reason: 'Invalid',
      message: expect.stringMatching(/^Backup\.postgresql\.cnpg\.io "no-cluster" is invalid: spec: must have required property 'cluster'/),
      details: {
        name: 'no-cluster',
        group: 'postgresql.cnpg.io',
        kind: 'Backup',
        causes: [{ reason: 'FieldValueInvalid', field: 'spec' }],
      },
    });
  });

  test('a field the schema does not know is Invalid', async () => {
    const failure = await apiFailure(createBackup(backupManifest('unknown-field', 'hendrix', { retention: '7d' })));
    expect(failure.status?.details?.causes).toEqual([
      { reason: 'FieldValueInvalid', field: 'spec', message: 'must NOT have additional properties (retention)' },
    ]);
  });

  test('a value outside an enum is Invalid', async () => {
    expect(
      (await apiFailure(createBackup(backupManifest('bad-method', 'hendrix', { method: 'tape' })))).status?.details?.causes,
    ).toMatchObject([{ field: 'spec.method' }]);
  });

  test('schema defaults are applied: a Backup without a method gets barmanObjectStore', async () => {
    const created = (await createBackup({ ...backupManifest('defaulted', 'hendrix'), spec: { cluster: { name: 'hendrix' } } })) as Backup;
    expect(created.spec.method).toBe('barmanObjectStore');
  });

  test('a name that is not an RFC 1123 subdomain is Invalid', async () => {
    const failure = await apiFailure(createBackup(backupManifest('Nightly_Backup', 'hendrix')));
    expect(failure.status?.details?.causes).toMatchObject([{ field: 'metadata.name', message: expect.stringContaining('RFC 1123') }]);
  });

  test('a label value longer than 63 characters is Invalid', async () => {
    const manifest = backupManifest('long-label', 'hendrix');
    manifest.metadata.labels['cnpg.io/cluster'] = 'x'.repeat(64);
    expect((await apiFailure(createBackup(manifest))).status?.details?.causes).toMatchObject([
      { field: 'metadata.labels.cnpg.io/cluster' },
    ]);
  });

  test('the seed path validates too', () => {
    expect(() => harness.server.seed({ ...backupManifest('seeded', 'hendrix'), spec: {} })).toThrow(/is invalid/);
  });
});

describe('CNPG webhook rules', () => {
  test('online is refused for a barmanObjectStore backup, naming the webhook', async () => {
    const failure = await apiFailure(
      createBackup(backupManifest('online-barman', 'hendrix', { method: 'barmanObjectStore', online: true })),
    );
    expect(failure.code).toBe(422);
    expect(failure.status?.message).toBe(
      'admission webhook "vbackup.cnpg.io" denied the request: Backup.postgresql.cnpg.io "online-barman" is invalid: spec.online: Invalid value: true: Online parameter can be specified only if the backup method is volumeSnapshot',
    );
  });

  test('onlineConfiguration is refused for a barmanObjectStore backup', async () => {
    const failure = await apiFailure(
      createBackup(
        backupManifest('online-config', 'hendrix', { method: 'barmanObjectStore', onlineConfiguration: { immediateCheckpoint: true } }),
      ),
    );
    expect(failure.status?.details?.causes).toMatchObject([{ field: 'spec.onlineConfiguration' }]);
  });

  test('online is accepted for a volumeSnapshot backup', async () => {
    await expect(createBackup(backupManifest('online-snapshot', 'hendrix', { online: false }))).resolves.toMatchObject({
      spec: { online: false },
    });
  });

  test('a Backup spec cannot change once set', async () => {
    await createBackup(backupManifest('immutable', 'hendrix'));
    const patch = { ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'immutable' };
    const failure = await apiFailure(
      harness.admin.custom.patchNamespacedCustomObject({ ...patch, body: { spec: { target: 'primary' } } }, mergePatch),
    );
    expect(failure.status?.message).toBe(
      'Backup.postgresql.cnpg.io "immutable" is invalid: spec: Invalid value: "object": BackupSpec is immutable once set',
    );
    await expect(
      harness.admin.custom.patchNamespacedCustomObject({ ...patch, body: { metadata: { labels: { retention: 'daily' } } } }, mergePatch),
    ).resolves.toMatchObject({ metadata: { labels: { retention: 'daily' } } });
  });

  test('recovering from volumeSnapshots and a backup at once is refused', async () => {
    const failure = await apiFailure(
      createCluster(recoveryCluster('both', { volumeSnapshots: { storage: snapshotRef('b') }, backup: { name: 'b' } })),
    );
    expect(failure.status?.message).toBe(
      'admission webhook "vcluster.cnpg.io" denied the request: Cluster.postgresql.cnpg.io "both" is invalid: spec.bootstrap.recovery.backup: Invalid value: "object": Recovery from dataSource is not compatible with other types of recovery',
    );
  });

  test('a WAL snapshot without spec.walStorage is refused', async () => {
    const recovery = { volumeSnapshots: { storage: snapshotRef('b'), walStorage: snapshotRef('b-wal') } };
    const failure = await apiFailure(createCluster(recoveryCluster('no-wal', recovery, { walStorage: false })));
    expect(failure.status?.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'spec.bootstrap.recovery.dataSource.walStorage',
        message: 'Invalid value: "object": A WAL storage configuration is required when recovering using a DataSource for WALs',
      },
    ]);
  });

  test('a backupID recovery target with volumeSnapshots is refused', async () => {
    const recovery = { volumeSnapshots: { storage: snapshotRef('b') }, recoveryTarget: { backupID: 'b' } };
    expect((await apiFailure(createCluster(recoveryCluster('backup-id', recovery)))).status?.message).toContain(
      'Cannot specify a backupID when recovering using a DataSource',
    );
  });

  test('only VolumeSnapshot and PersistentVolumeClaim data sources are accepted', async () => {
    const recovery = { volumeSnapshots: { storage: { name: 'b', kind: 'Secret' } } };
    expect((await apiFailure(createCluster(recoveryCluster('secret-source', recovery)))).status?.details?.causes).toMatchObject([
      {
        field: 'spec.bootstrap.recovery.storage',
        message: expect.stringContaining('Only VolumeSnapshots and PersistentVolumeClaims are supported'),
      },
    ]);
    const claim = { volumeSnapshots: { storage: { name: 'b', kind: 'PersistentVolumeClaim' } } };
    await expect(createCluster(recoveryCluster('claim-source', claim))).resolves.toMatchObject({ metadata: { name: 'claim-source' } });
  });
});

describe('create and patch semantics', () => {
  test('status sent on create is dropped: only the controllers write it', async () => {
    const created = (await createBackup({ ...backupManifest('with-status', 'nobody'), status: { phase: 'completed' } })) as Backup;
    expect(created.status).toBeUndefined();
  });

  test('creating an existing object is a 409 AlreadyExists Status', async () => {
    await createBackup(backupManifest('twice', 'hendrix'));
    const failure = await apiFailure(createBackup(backupManifest('twice', 'hendrix')));
    expect(failure.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'backups.postgresql.cnpg.io "twice" already exists',
      reason: 'AlreadyExists',
      details: { name: 'twice', group: 'postgresql.cnpg.io', kind: 'backups' },
      code: 409,
    });
  });

  test('reading a missing object is a 404 NotFound Status', async () => {
    const failure = await apiFailure(harness.admin.core.readNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, name: 'absent' }));
    expect(failure.status).toMatchObject({
      reason: 'NotFound',
      message: 'persistentvolumeclaims "absent" not found',
      details: { group: '', kind: 'persistentvolumeclaims' },
    });
  });

  test('a patch that carries a stale resourceVersion is a 409 Conflict', async () => {
    await createBackup(backupManifest('stale', 'hendrix'));
    const body = { metadata: { resourceVersion: '1', labels: { a: 'b' } } };
    const failure = await apiFailure(
      harness.admin.custom.patchNamespacedCustomObject(
        { ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'stale', body },
        mergePatch,
      ),
    );
    expect(failure.status).toMatchObject({
      reason: 'Conflict',
      code: 409,
      message: expect.stringContaining('the object has been modified'),
    });
  });

  test('a JSON patch is applied, and a failed test operation makes it Invalid', async () => {
    await createBackup(backupManifest('json-patched', 'hendrix'));
    const target = { ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'json-patched' };
    await expect(
      harness.admin.custom.patchNamespacedCustomObject({
        ...target,
        body: [{ op: 'add', path: '/metadata/annotations', value: { note: 'x' } }],
      }),
    ).resolves.toMatchObject({ metadata: { annotations: { note: 'x' } } });
    const failure = await apiFailure(
      harness.admin.custom.patchNamespacedCustomObject({ ...target, body: [{ op: 'test', path: '/spec/method', value: 'plugin' }] }),
    );
    expect(failure.code).toBe(422);
  });

  test('a patch in another format is a 415 UnsupportedMediaType', async () => {
    await createBackup(backupManifest('strategic', 'hendrix'));
    const response = await rawRequest(harness.server, {
      method: 'PATCH',
      path: `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/backups/strategic`,
      token: ADMIN_TOKEN,
      contentType: 'application/strategic-merge-patch+json',
      body: '{}',
    });
    expect(response).toMatchObject({ status: 415, body: { kind: 'Status', reason: 'UnsupportedMediaType', code: 415 } });
  });

  test('a body whose namespace differs from the path is a 400 BadRequest', async () => {
    const failure = await apiFailure(
      createBackup({ ...backupManifest('elsewhere', 'hendrix'), metadata: { name: 'elsewhere', namespace: 'other' } }),
    );
    expect(failure.status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  test('metadata the server owns is filled in: uid, a global resourceVersion, a creationTimestamp without milliseconds', async () => {
    harness.clock.advance(1234);
    const first = (await createBackup(backupManifest('stamped-1', 'hendrix'))) as Backup;
    const second = (await createBackup(backupManifest('stamped-2', 'hendrix'))) as Backup;
    expect(first.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(second.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(first.metadata.creationTimestamp).toBe(
      harness.clock
        .now()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    );
  });

  test('generateName gives a unique name with a five-character suffix', async () => {
    const body = { ...backupManifest('', 'hendrix'), metadata: { generateName: 'adhoc-', namespace: NAMESPACE } };
    const [a, b] = (await Promise.all([createBackup(body), createBackup(body)])) as Backup[];
    expect(a!.metadata.name).toMatch(/^adhoc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b!.metadata.name).not.toBe(a!.metadata.name);
  });
});
