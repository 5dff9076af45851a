import { clusterBackupBlocker } from '../../lambdas/domain/cluster-backup-precondition';
import type { Cluster } from '../../lambdas/domain/kube-objects';

const ref = { namespace: 'demo', cluster: 'hendrix' };
const cluster = (
  patch: Partial<Cluster['metadata']> = {},
  spec: Cluster['spec'] = { instances: 3, backup: { volumeSnapshot: { className: 'csi-aws-vsc' } } },
): Cluster => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'hendrix', namespace: 'demo', ...patch },
  spec,
});

describe('whether a cluster can be backed up now', () => {
  test('a running cluster with a volumeSnapshot stanza can', () => expect(clusterBackupBlocker(cluster(), ref)).toBeUndefined());
  test('a missing cluster cannot', () => expect(clusterBackupBlocker(undefined, ref)).toBe('Cluster demo/hendrix does not exist'));
  test('a cluster being deleted cannot', () =>
    expect(clusterBackupBlocker(cluster({ deletionTimestamp: '2026-11-25T05:00:00Z' }), ref)).toBe(
      'Cluster demo/hendrix is being deleted',
    ));
  test('a hibernated cluster cannot', () =>
    expect(clusterBackupBlocker(cluster({ annotations: { 'cnpg.io/hibernation': 'on' } }), ref)).toBe(
      'Cluster demo/hendrix is hibernated (annotation cnpg.io/hibernation: "on"); CNPG cannot back it up',
    ));
  test('a cluster whose hibernation annotation is "off" can', () =>
    expect(clusterBackupBlocker(cluster({ annotations: { 'cnpg.io/hibernation': 'off' } }), ref)).toBeUndefined());
  test('a cluster without spec.backup cannot, and the message says what to set', () =>
    expect(clusterBackupBlocker(cluster({}, { instances: 1 }), ref)).toBe(
      'Cluster demo/hendrix has no spec.backup.volumeSnapshot: set spec.backup.volumeSnapshot.className to a VolumeSnapshotClass',
    ));
  test('a cluster without spec.backup.volumeSnapshot cannot, and the message says what to set', () =>
    expect(clusterBackupBlocker(cluster({}, { instances: 1, backup: {} }), ref)).toBe(
      'Cluster demo/hendrix has no spec.backup.volumeSnapshot: set spec.backup.volumeSnapshot.className to a VolumeSnapshotClass',
    ));
});
