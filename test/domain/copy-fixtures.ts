import type { CopyPolicy } from '../../lambdas/domain/copy-policy';
import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';

export const DR_REGION = 'us-west-2';
export const DR_KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const DAILY: CopyPolicy = { region: DR_REGION, kmsKeyArn: DR_KEY, every: 'day', keepDays: 30 };

/** A catalog record of target hendrix with a PG_DATA and a PG_WAL volume. */
export function copyRecord(backup: string, stoppedAt: string, extra: Partial<RecoveryPointRecord> = {}): RecoveryPointRecord {
  return {
    target: 'hendrix',
    backup,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: 'hendrix',
    stoppedAt,
    volumes: [
      {
        role: 'PG_DATA',
        snapshot: backup,
        content: `c-${backup}`,
        snapshotHandle: `snap-${backup}-data`,
        restoreSizeBytes: 1,
        driver: 'ebs.csi.aws.com',
      },
      {
        role: 'PG_WAL',
        snapshot: `${backup}-wal`,
        content: `c-${backup}-wal`,
        snapshotHandle: `snap-${backup}-wal`,
        restoreSizeBytes: 1,
        driver: 'ebs.csi.aws.com',
      },
    ],
    clusterManifest: '{}',
    ...extra,
  };
}

/** The record's copy in the DR Region (completed unless `completedAt` is undefined). */
export function copyOf(
  record: RecoveryPointRecord,
  times: { startedAt: string; completedAt?: string; expiresAt: string },
): RecoveryPointCopy {
  return {
    region: DR_REGION,
    kmsKeyId: DR_KEY,
    startedAt: times.startedAt,
    ...(times.completedAt !== undefined && { completedAt: times.completedAt }),
    expiresAt: times.expiresAt,
    volumes: record.volumes.map((volume) => ({
      role: volume.role,
      sourceSnapshotHandle: volume.snapshotHandle,
      snapshotHandle: `${volume.snapshotHandle}-copy`,
    })),
  };
}
