import { PreconditionFailedError } from '../errors';
import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';
import type { BackupSelector } from './restore-request';

const endOf = (backup: Backup) => Date.parse(backup.status?.stoppedAt ?? '');

const isCompleted = (backup: Backup) => backup.status?.phase === BackupPhase.Completed && Number.isFinite(endOf(backup));

/** Newest end first; equal ends by name, so the choice does not depend on the order the API lists them in. */
const newestFirst = (a: Backup, b: Backup) => endOf(b) - endOf(a) || b.metadata.name.localeCompare(a.metadata.name);

/**
 * The completed volume-snapshot Backup of `cluster` a restore uses: the latest, a named one, or the latest that ended
 * at or before a time. With a point in time it never returns a backup that ended after it: WAL replay only goes forward.
 */
export function chooseRestoreBackup(
  selector: BackupSelector,
  pointInTime: Date | undefined,
  backups: readonly Backup[],
  cluster: string,
): Backup {
  if (selector.kind === 'named') return namedBackup(selector.name, pointInTime, backups, cluster);
  const limits = [selector.kind === 'before' ? selector.time : undefined, pointInTime].filter((limit) => limit !== undefined);
  const limit = limits.length > 0 ? new Date(Math.min(...limits.map((l) => l.getTime()))) : undefined;
  const chosen = backups
    .filter((b) => b.spec.cluster.name === cluster && b.spec.method === 'volumeSnapshot' && isCompleted(b))
    .filter((b) => limit === undefined || endOf(b) <= limit.getTime())
    .sort(newestFirst)[0];
  if (!chosen)
    throw new PreconditionFailedError(
      `No completed backup of cluster ${cluster}${limit ? ` ended at or before ${limit.toISOString()}` : ''}`,
    );
  return chosen;
}

function namedBackup(name: string, pointInTime: Date | undefined, backups: readonly Backup[], cluster: string): Backup {
  const named = backups.find((b) => b.metadata.name === name);
  if (!named) throw new PreconditionFailedError(`Backup ${name} does not exist`);
  if (named.spec.cluster.name !== cluster)
    throw new PreconditionFailedError(`Backup ${name} belongs to cluster ${named.spec.cluster.name}, not ${cluster}`);
  if (named.spec.method !== 'volumeSnapshot')
    throw new PreconditionFailedError(
      `Backup ${name} is a ${named.spec.method ?? 'barmanObjectStore'} backup; only volume-snapshot backups can be restored`,
    );
  if (!isCompleted(named))
    throw new PreconditionFailedError(`Backup ${name} is ${named.status?.phase || 'pending'}, only completed backups can be restored`);
  if (pointInTime && endOf(named) > pointInTime.getTime())
    throw new PreconditionFailedError(
      `Backup ${name} ended at ${named.status?.stoppedAt}, after pointInTime ${pointInTime.toISOString()}: choose an earlier backup or a later pointInTime`,
    );
  return named;
}
