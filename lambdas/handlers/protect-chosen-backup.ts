import { ConflictError } from '../errors';
import type { KubeResources } from '../adapters/kube-resources';
import type { Backup } from '../domain/kube-objects';
import { SchedulerAnnotation } from '../domain/scheduler-metadata';
import type { Log } from '../runtime/logger';

/**
 * Marks the backup as chosen until the restore's (or drill's) deadline, so that a retention run between now and the creation of
 * the Cluster (which then protects it while it bootstraps) keeps it. A later mark never shortens an earlier one.
 */
export async function protectChosenBackup(log: Log, kube: KubeResources, backup: Backup, deadline: Date): Promise<void> {
  const current = Date.parse(backup.metadata.annotations?.[SchedulerAnnotation.RestoreProtectedUntil] ?? '');
  if (current >= deadline.getTime()) return;
  const marked = await kube.annotate('backups', backup.metadata.namespace!, backup.metadata.name, {
    [SchedulerAnnotation.RestoreProtectedUntil]: deadline.toISOString(),
  });
  if (marked === 'absent')
    throw new ConflictError(
      `Backup ${backup.metadata.namespace}/${backup.metadata.name} was deleted while the restore was being requested; request again`,
    );
  log.info('backup protected from retention until the restore deadline', {
    backup: backup.metadata.name,
    until: deadline.toISOString(),
  });
}
