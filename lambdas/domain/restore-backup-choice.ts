import { PreconditionFailedError } from '../errors';
import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';
import type { BackupSelector } from './restore-request';

const endOf = (backup: Backup) => new Date(backup.status?.stoppedAt ?? 0).getTime();

/**
 * The completed volume-snapshot Backup of `cluster` a restore uses: the latest, a named one, the latest that ended
 * at or before a time, and never one that ended after the point in time to replay to.
 */
export function chooseRestoreBackup(
  selector: BackupSelector,
  pointInTime: Date | undefined,
  backups: readonly Backup[],
  cluster: string,
): Backup {
  const ofCluster = backups.filter((b) => b.spec.cluster.name === cluster && b.spec.method === 'volumeSnapshot');
  if (selector.kind === 'named') {
    const named = backups.find((b) => b.metadata.name === selector.name);
    if (!named) throw new PreconditionFailedError(`Backup ${selector.name} does not exist`);
    if (named.spec.cluster.name !== cluster)
      throw new PreconditionFailedError(`Backup ${selector.name} belongs to cluster ${named.spec.cluster.name}, not ${cluster}`);
    if (named.spec.method !== 'volumeSnapshot')
      throw new PreconditionFailedError(`Backup ${selector.name} is not a volume-snapshot backup`);
    if (named.status?.phase !== BackupPhase.Completed)
      throw new PreconditionFailedError(
        `Backup ${selector.name} is ${named.status?.phase ?? 'pending'}, only completed backups can be restored`,
      );
    if (pointInTime && endOf(named) > pointInTime.getTime())
      throw new PreconditionFailedError(
        `Backup ${selector.name} ended at ${named.status.stoppedAt}, after pointInTime ${pointInTime.toISOString()}`,
      );
    return named;
  }
  const limit = selector.kind === 'before' ? selector.time : pointInTime;
  const eligible = ofCluster
    .filter((b) => b.status?.phase === BackupPhase.Completed && b.status.stoppedAt)
    .filter((b) => limit === undefined || endOf(b) <= limit.getTime())
    .sort((a, b) => endOf(b) - endOf(a) || b.metadata.name!.localeCompare(a.metadata.name!));
  const chosen = eligible[0];
  if (!chosen)
    throw new PreconditionFailedError(
      `No completed backup of cluster ${cluster}${limit ? ` ended at or before ${limit.toISOString()}` : ''}`,
    );
  return chosen;
}
