import type { Backup, Cluster, SnapshotElement, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { exampleCluster, type ExampleClusterOptions } from '../../simulator/kube-api-server/fixtures';

/**
 * A source cluster, backups of it and the VolumeSnapshots CNPG 1.30 made for them, with the labels and annotations
 * the operator writes (see the reference notes on VolumeSnapshot objects), as the restore domain reads them.
 */

export const NAMESPACE = 'demo';

export function sourceCluster(options: Partial<ExampleClusterOptions> = {}): Cluster {
  return exampleCluster({ namespace: NAMESPACE, name: 'hendrix', ...options });
}

export interface BackupOptions {
  cluster?: string;
  phase?: string;
  method?: 'barmanObjectStore' | 'volumeSnapshot' | 'plugin';
  tablespaces?: string[];
  wal?: boolean;
  majorVersion?: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function completedBackup(name: string, stoppedAt: string, options: BackupOptions = {}): Backup {
  const cluster = options.cluster ?? 'hendrix';
  const end = Date.parse(stoppedAt);
  const elements: SnapshotElement[] = [
    { name, type: 'PG_DATA' },
    ...(options.wal === false ? [] : [{ name: `${name}-wal`, type: 'PG_WAL' }]),
    ...(options.tablespaces ?? []).map((t) => ({ name: `${name}-tbs-${t}`, type: 'PG_TABLESPACE', tablespaceName: t })),
  ];
  const phase = options.phase ?? 'completed';
  const finished = phase === 'completed' || phase === 'failed';
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: {
      name,
      namespace: NAMESPACE,
      creationTimestamp: rfc3339(end - 180_000),
      labels: { 'cnpg.io/cluster': cluster, 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' },
    },
    spec: { cluster: { name: cluster }, method: options.method ?? 'volumeSnapshot', online: true },
    status: {
      phase,
      method: options.method ?? 'volumeSnapshot',
      startedAt: rfc3339(end - 175_000),
      ...(finished && { stoppedAt }),
      majorVersion: options.majorVersion ?? 17,
      online: true,
      beginWal: '000000010000000000000007',
      endWal: '000000010000000000000007',
      beginLSN: '0/7000028',
      endLSN: '0/7000138',
      ...(phase !== 'started' && { snapshotBackupStatus: { elements } }),
    },
  };
}

export interface SnapshotSizes {
  data?: string;
  wal?: string;
  tablespace?: string;
}

export function snapshotsOf(
  backup: Backup,
  sizes: SnapshotSizes = {},
  major = String(backup.status?.majorVersion ?? 17),
): VolumeSnapshot[] {
  const cluster = backup.spec.cluster.name;
  const backupName = backup.metadata.name;
  return (backup.status?.snapshotBackupStatus?.elements ?? []).map((element) =>
    snapshotOf(element, cluster, backupName, sizes, major, backup),
  );
}

function snapshotOf(
  element: SnapshotElement,
  cluster: string,
  backupName: string,
  sizes: SnapshotSizes,
  major: string,
  backup: Backup,
): VolumeSnapshot {
  const pvcSuffix = element.type === 'PG_WAL' ? '-wal' : element.tablespaceName ? `-tbs-${element.tablespaceName}` : '';
  const restoreSize =
    element.type === 'PG_WAL'
      ? (sizes.wal ?? '10Gi')
      : element.type === 'PG_TABLESPACE'
        ? (sizes.tablespace ?? '5Gi')
        : (sizes.data ?? '50Gi');
  const endedAt = backup.status?.stoppedAt ?? '2026-11-24T03:03:00Z';
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: element.name,
      namespace: NAMESPACE,
      labels: {
        'cnpg.io/cluster': cluster,
        'app.kubernetes.io/managed-by': 'cloudnative-pg',
        'app.kubernetes.io/name': 'postgresql',
        'app.kubernetes.io/component': 'database',
        'app.kubernetes.io/instance': cluster,
        'app.kubernetes.io/version': major,
        'cnpg.io/backupName': backupName,
        'cnpg.io/majorVersion': major,
        'cnpg.io/backupTimeline': '1',
        'cnpg.io/backupDate': endedAt.slice(0, 10).replaceAll('-', ''),
        'cnpg.io/backupMonth': endedAt.slice(0, 7).replace('-', ''),
        'cnpg.io/backupYear': endedAt.slice(0, 4),
        ...(element.tablespaceName && { 'cnpg.io/tablespaceName': element.tablespaceName }),
      },
      annotations: {
        'cnpg.io/pvcRole': element.type,
        'cnpg.io/instanceName': `${cluster}-2`,
        'cnpg.io/instanceRole': 'replica',
        role: 'replica',
        'cnpg.io/nodeSerial': '2',
        'cnpg.io/backupStartTime': backup.status?.startedAt ?? endedAt,
        'cnpg.io/backupEndTime': endedAt,
      },
    },
    spec: { source: { persistentVolumeClaimName: `${cluster}-2${pvcSuffix}` }, volumeSnapshotClassName: 'csi-aws-vsc' },
    status: {
      boundVolumeSnapshotContentName: `snapcontent-${element.name}`,
      creationTime: backup.status?.startedAt ?? endedAt,
      readyToUse: true,
      restoreSize,
    },
  };
}
