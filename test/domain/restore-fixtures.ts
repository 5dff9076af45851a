import type { Backup, Cluster, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { exampleCluster, type ExampleClusterOptions } from '../support/kube-api-server/fixtures';

/** A source cluster, one completed backup of it and the snapshots CNPG made, as the restore domain reads them. */

export function sourceCluster(options: Partial<ExampleClusterOptions> = {}): Cluster {
  return exampleCluster({ namespace: 'demo', name: 'hendrix', ...options });
}

export function completedBackup(
  name: string,
  stoppedAt: string,
  options: { cluster?: string; phase?: string; tablespaces?: string[]; wal?: boolean } = {},
): Backup {
  const elements = [
    { name, type: 'PG_DATA' },
    ...(options.wal === false ? [] : [{ name: `${name}-wal`, type: 'PG_WAL' }]),
    ...(options.tablespaces ?? []).map((t) => ({ name: `${name}-tbs-${t}`, type: 'PG_TABLESPACE', tablespaceName: t })),
  ];
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: 'demo', creationTimestamp: new Date(Date.parse(stoppedAt) - 180_000).toISOString().replace('.000', '') },
    spec: { cluster: { name: options.cluster ?? 'hendrix' }, method: 'volumeSnapshot' },
    status: {
      phase: options.phase ?? 'completed',
      startedAt: new Date(Date.parse(stoppedAt) - 175_000).toISOString().replace('.000', ''),
      stoppedAt,
      majorVersion: 17,
      snapshotBackupStatus: { elements },
    },
  };
}

export function snapshotsOf(backup: Backup, restoreSize = '50Gi', walRestoreSize = '10Gi', major = '17'): VolumeSnapshot[] {
  return (backup.status?.snapshotBackupStatus?.elements ?? []).map((element) => ({
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: element.name,
      namespace: 'demo',
      labels: {
        'cnpg.io/cluster': backup.spec.cluster.name,
        'cnpg.io/backupName': backup.metadata.name!,
        'cnpg.io/majorVersion': major,
        ...(element.tablespaceName && { 'cnpg.io/tablespaceName': element.tablespaceName }),
      },
      annotations: { 'cnpg.io/pvcRole': element.type },
    },
    spec: { source: { persistentVolumeClaimName: 'hendrix-1' }, volumeSnapshotClassName: 'csi-aws-vsc' },
    status: {
      readyToUse: true,
      restoreSize: element.type === 'PG_WAL' ? walRestoreSize : element.type === 'PG_TABLESPACE' ? '5Gi' : restoreSize,
    },
  }));
}
