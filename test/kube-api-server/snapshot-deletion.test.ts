import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { exampleCluster, exampleVolumeSnapshotClass } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, SCHEDULER, SNAPSHOTS, startHarness, type Harness } from './api-harness';

/**
 * VolumeSnapshots and their contents as the CSI external-snapshotter keeps them (pkg/common-controller/
 * snapshot_controller.go): finalizers from creation, a content whose deletionPolicy comes from the class, and
 * deletions that answer at once but finish only when the finalizers go.
 */

const AS_SOURCE = 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection';
const BOUND = 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

async function completedBackup(deletionPolicy: 'Delete' | 'Retain'): Promise<void> {
  harness.server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy }));
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
  await harness
    .as(SCHEDULER)
    .custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', body: backupManifest('nightly', 'hendrix') });
  harness.clock.advance(3600_000);
}

const snapshot = (name: string) =>
  harness.server.objects<VolumeSnapshot>('volumesnapshots', NAMESPACE).find((s) => s.metadata.name === name);
const contentOf = (name: string) =>
  harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents').find((c) => c.spec.volumeSnapshotRef.name === name);
const deleteSnapshot = (name: string) =>
  harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace: NAMESPACE, plural: 'volumesnapshots', name });

describe('a VolumeSnapshot of a backup', () => {
  test('carries the as-source finalizer, and the bound one when its content has deletionPolicy Delete', async () => {
    await completedBackup('Delete');
    expect(snapshot('nightly')?.metadata.finalizers).toEqual([AS_SOURCE, BOUND]);
    expect(contentOf('nightly')).toMatchObject({
      metadata: { name: snapshot('nightly')?.status?.boundVolumeSnapshotContentName },
      spec: { deletionPolicy: 'Delete', driver: 'ebs.csi.aws.com', volumeSnapshotClassName: 'csi-aws-vsc' },
      status: { readyToUse: true, restoreSize: 50 * 2 ** 30, snapshotHandle: expect.stringMatching(/^snap-/) },
    });
  });

  test('has only the as-source finalizer when its content has deletionPolicy Retain', async () => {
    await completedBackup('Retain');
    expect(snapshot('nightly')?.metadata.finalizers).toEqual([AS_SOURCE]);
    expect(contentOf('nightly')?.spec.deletionPolicy).toBe('Retain');
  });

  test('keeps the deletionPolicy its content was created with, whatever the class says later', async () => {
    await completedBackup('Retain');
    await harness.admin.custom.patchClusterCustomObject(
      { ...SNAPSHOTS, plural: 'volumesnapshotclasses', name: 'csi-aws-vsc', body: { deletionPolicy: 'Delete' } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(contentOf('nightly')?.spec.deletionPolicy).toBe('Retain');
  });
});

describe('deleting a VolumeSnapshot', () => {
  test('answers 200 with a deletionTimestamp; with Delete the content and the storage snapshot go, then the snapshot', async () => {
    await completedBackup('Delete');
    const handle = contentOf('nightly')!.status!.snapshotHandle!;
    expect(harness.server.cnpg.storageSnapshots()).toContain(handle);
    const answer = (await deleteSnapshot('nightly')) as VolumeSnapshot;
    expect(answer.metadata).toMatchObject({ name: 'nightly', deletionTimestamp: expect.any(String), finalizers: [AS_SOURCE, BOUND] });
    expect(snapshot('nightly')).toBeUndefined();
    expect(contentOf('nightly')).toBeUndefined();
    expect(harness.server.cnpg.storageSnapshots()).not.toContain(handle);
  });

  test('with Retain, leaves the content (marked as being deleted) and the storage snapshot', async () => {
    await completedBackup('Retain');
    const handle = contentOf('nightly')!.status!.snapshotHandle!;
    await deleteSnapshot('nightly');
    expect(snapshot('nightly')).toBeUndefined();
    expect(contentOf('nightly')?.metadata.annotations).toEqual({ 'snapshot.storage.kubernetes.io/volumesnapshot-being-deleted': 'yes' });
    expect(harness.server.cnpg.storageSnapshots()).toContain(handle);
  });

  test('leaves it with its deletionTimestamp while a Pending claim is provisioned from it, and a second delete changes nothing', async () => {
    await completedBackup('Delete');
    harness.server.seed({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'restoring', namespace: NAMESPACE },
      spec: {
        dataSource: { name: 'nightly', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
        accessModes: ['ReadWriteOnce'],
      },
      status: { phase: 'Pending' },
    });
    await deleteSnapshot('nightly');
    const held = snapshot('nightly');
    expect(held?.metadata).toMatchObject({ deletionTimestamp: expect.any(String), finalizers: [AS_SOURCE, BOUND] });
    harness.clock.advance(60_000);
    const again = (await deleteSnapshot('nightly')) as VolumeSnapshot;
    expect(again.metadata).toMatchObject({
      deletionTimestamp: held?.metadata.deletionTimestamp,
      resourceVersion: held?.metadata.resourceVersion,
    });
    expect(contentOf('nightly')?.metadata.deletionTimestamp).toBeUndefined();
  });

  test('refuses a new finalizer on an object being deleted, as the API server does', async () => {
    await completedBackup('Delete');
    harness.server.seed({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'restoring', namespace: NAMESPACE },
      spec: {
        dataSource: { name: 'nightly', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' },
        accessModes: ['ReadWriteOnce'],
      },
      status: { phase: 'Pending' },
    });
    await deleteSnapshot('nightly');
    const failure = await harness.admin.custom
      .patchNamespacedCustomObject({
        ...SNAPSHOTS,
        namespace: NAMESPACE,
        plural: 'volumesnapshots',
        name: 'nightly',
        body: [{ op: 'add', path: '/metadata/finalizers/-', value: 'mine' }],
      })
      .catch((error: unknown) => error);
    expect(String((failure as { body?: unknown }).body)).toContain('no new finalizers can be added if the object is being deleted');
  });
});
