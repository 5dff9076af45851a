import type { VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { exampleCluster, exampleVolumeSnapshotClass } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, NAMESPACE, SNAPSHOTS, type Harness } from './api-harness';

/**
 * The steps of importing a storage snapshot into another namespace, as the external-snapshotter docs describe a
 * pre-provisioned snapshot: a VolumeSnapshotContent with spec.source.snapshotHandle and a volumeSnapshotRef, and a
 * VolumeSnapshot with spec.source.volumeSnapshotContentName.
 */

const HOUR = 3_600_000;
export const RESTORED = 'restored';

/**
 * A completed backup `nightly` of hendrix, taken with a Retain class, then the namespace deleted. `beforeBackup` runs
 * once the cluster exists (to write data into it: that starts an embedded PostgreSQL, so only the data test does).
 */
export async function backupThenLoseNamespace(
  harness: Harness,
  beforeBackup: () => Promise<unknown> = () => Promise.resolve(),
): Promise<{ data: VolumeSnapshotContent; wal: VolumeSnapshotContent }> {
  harness.server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Retain' }));
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
  await beforeBackup();
  harness.server.seed(backupManifest('nightly', 'hendrix'));
  harness.clock.advance(HOUR);
  const contents = harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents');
  const data = contents.find((c) => c.spec.volumeSnapshotRef.name === 'nightly')!;
  const wal = contents.find((c) => c.spec.volumeSnapshotRef.name === 'nightly-wal')!;
  await harness.admin.core.deleteNamespace({ name: NAMESPACE });
  expect(harness.server.objects('volumesnapshots', NAMESPACE)).toEqual([]);
  return { data, wal };
}

export function importedContent(name: string, snapshot: string, handle: string) {
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

export function importedSnapshot(name: string, content: string, role: string) {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: { name, namespace: RESTORED, labels: { 'cnpg.io/backupName': 'nightly' }, annotations: { 'cnpg.io/pvcRole': role } },
    spec: { source: { volumeSnapshotContentName: content }, volumeSnapshotClassName: 'csi-aws-vsc' },
  };
}

export const createContent = (harness: Harness, body: object) =>
  harness.admin.custom.createClusterCustomObject({ ...SNAPSHOTS, plural: 'volumesnapshotcontents', body });
export const createSnapshot = (harness: Harness, body: object) =>
  harness.admin.custom.createNamespacedCustomObject({ ...SNAPSHOTS, namespace: RESTORED, plural: 'volumesnapshots', body });
