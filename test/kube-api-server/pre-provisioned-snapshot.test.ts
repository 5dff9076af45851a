import type { Cluster, VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { exampleCluster, exampleVolumeSnapshotClass } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, SNAPSHOTS, startHarness, type Harness } from './api-harness';

/**
 * Importing a storage snapshot into another namespace, as the external-snapshotter docs describe a pre-provisioned
 * snapshot: a VolumeSnapshotContent with spec.source.snapshotHandle and a volumeSnapshotRef, and a VolumeSnapshot with
 * spec.source.volumeSnapshotContentName. The CSI controller binds them (pkg/common-controller/snapshot_controller.go)
 * and the sidecar reports the storage snapshot's size (pkg/sidecar-controller); a Cluster bootstrapped from the
 * imported snapshot starts from the data the storage snapshot holds, also after the source namespace is gone.
 */

const HOUR = 3_600_000;
const RESTORED = 'restored';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

/** A completed backup `nightly` of hendrix (with rows in its data), taken with a Retain class, then the namespace deleted. */
async function backupThenLoseNamespace(): Promise<{ data: VolumeSnapshotContent; wal: VolumeSnapshotContent }> {
  harness.server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Retain' }));
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
  await harness.server.cnpg.sql(NAMESPACE, 'hendrix', 'create table orders (id int primary key); insert into orders values (1), (2)');
  harness.server.seed(backupManifest('nightly', 'hendrix'));
  harness.clock.advance(HOUR);
  const contents = harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents');
  const data = contents.find((c) => c.spec.volumeSnapshotRef.name === 'nightly')!;
  const wal = contents.find((c) => c.spec.volumeSnapshotRef.name === 'nightly-wal')!;
  await harness.admin.core.deleteNamespace({ name: NAMESPACE });
  expect(harness.server.objects('volumesnapshots', NAMESPACE)).toEqual([]);
  return { data, wal };
}

function importedContent(name: string, snapshot: string, handle: string) {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotContent',
    metadata: { name },
    spec: {
      deletionPolicy: 'Retain',
      driver: 'ebs.csi.aws.com',
      source: { snapshotHandle: handle },
      volumeSnapshotClassName: 'csi-aws-vsc',
      volumeSnapshotRef: { name: snapshot, namespace: RESTORED },
    },
  };
}

function importedSnapshot(name: string, content: string, role: string) {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name, namespace: RESTORED, labels: { 'cnpg.io/backupName': 'nightly' }, annotations: { 'cnpg.io/pvcRole': role } },
    spec: { source: { volumeSnapshotContentName: content }, volumeSnapshotClassName: 'csi-aws-vsc' },
  };
}

const createContent = (body: object) =>
  harness.admin.custom.createClusterCustomObject({ ...SNAPSHOTS, plural: 'volumesnapshotcontents', body });
const createSnapshot = (body: object) =>
  harness.admin.custom.createNamespacedCustomObject({ ...SNAPSHOTS, namespace: RESTORED, plural: 'volumesnapshots', body });
const snapshot = (name: string) =>
  harness.server.objects<VolumeSnapshot>('volumesnapshots', RESTORED).find((s) => s.metadata.name === name);
const content = (name: string) =>
  harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents').find((c) => c.metadata.name === name);

describe('a pre-provisioned snapshot', () => {
  test('is bound to its content and ready with the storage snapshot size, in a namespace the backup never saw', async () => {
    const { data } = await backupThenLoseNamespace();
    const handle = data.status!.snapshotHandle!;
    await createContent(importedContent('imported-nightly', 'nightly', handle));
    await createSnapshot(importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));

    const bound = snapshot('nightly')!;
    expect(bound.status).toMatchObject({ boundVolumeSnapshotContentName: 'imported-nightly', readyToUse: true, restoreSize: '50Gi' });
    expect(bound.metadata.finalizers).toEqual(['snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection']);
    expect(content('imported-nightly')).toMatchObject({
      spec: { volumeSnapshotRef: { name: 'nightly', namespace: RESTORED, uid: bound.metadata.uid } },
      status: { snapshotHandle: handle, readyToUse: true, restoreSize: 50 * 2 ** 30 },
    });
  });

  test('waits with an error while its content is missing, and binds once the content is created', async () => {
    const { data } = await backupThenLoseNamespace();
    await createSnapshot(importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    expect(snapshot('nightly')!.status).toMatchObject({ readyToUse: false, error: { message: 'VolumeSnapshotContent is missing' } });
    await createContent(importedContent('imported-nightly', 'nightly', data.status!.snapshotHandle!));
    expect(snapshot('nightly')!.status).toMatchObject({ boundVolumeSnapshotContentName: 'imported-nightly', readyToUse: true });
  });

  test('is not ready when the storage snapshot does not exist at the provider', async () => {
    await backupThenLoseNamespace();
    await createContent(importedContent('imported-gone', 'gone', 'snap-00000000000000000'));
    await createSnapshot(importedSnapshot('gone', 'imported-gone', 'PG_DATA'));
    expect(snapshot('gone')!.status).toMatchObject({
      readyToUse: false,
      error: { message: 'snapshot snap-00000000000000000 does not exist at the provider' },
    });
  });

  test('is not bound to a content that names another snapshot', async () => {
    const { data } = await backupThenLoseNamespace();
    await createContent(importedContent('imported-nightly', 'someone-else', data.status!.snapshotHandle!));
    await createSnapshot(importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    expect(snapshot('nightly')!.status).toMatchObject({
      readyToUse: false,
      error: { message: 'VolumeSnapshotContent imported-nightly is bound to another snapshot' },
    });
    expect(content('imported-nightly')!.spec.volumeSnapshotRef.uid).toBeUndefined();
  });

  test('restores the data its storage snapshot holds into a new Cluster after the source namespace is gone', async () => {
    const { data, wal } = await backupThenLoseNamespace();
    await createContent(importedContent('imported-nightly', 'nightly', data.status!.snapshotHandle!));
    await createContent(importedContent('imported-nightly-wal', 'nightly-wal', wal.status!.snapshotHandle!));
    await createSnapshot(importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    await createSnapshot(importedSnapshot('nightly-wal', 'imported-nightly-wal', 'PG_WAL'));
    const { spec, apiVersion, kind } = exampleCluster({ namespace: RESTORED, name: 'hendrix', instances: 1 });
    const ref = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });
    const manifest: Cluster = {
      apiVersion,
      kind,
      metadata: { name: 'hendrix', namespace: RESTORED },
      spec: { ...spec, bootstrap: { recovery: { volumeSnapshots: { storage: ref('nightly'), walStorage: ref('nightly-wal') } } } },
    };
    await harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: RESTORED, plural: 'clusters', body: manifest });
    harness.clock.advance(HOUR);
    await harness.server.cnpg.settled();
    const [result] = await harness.server.cnpg.sql(RESTORED, 'hendrix', 'select id from orders order by id');
    expect(result!.rows.map((row) => row.id)).toEqual([1, 2]);
  });
});
