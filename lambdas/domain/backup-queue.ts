import { isBackupDone, isBackupNotStarted } from './backup-progress';
import type { Backup } from './kube-objects';
import { MANAGER_NAME } from './scheduler-metadata';
import { KubeLabel } from './cnpg-api';

/**
 * What a backup slot finds in its cluster's backup queue. CNPG runs one backup per cluster and holds every other one
 * until it is done (api/v1/backup_funcs.go, CanExecuteBackup): the queue is every Backup whose spec.cluster.name is the
 * cluster, whoever created it and whatever its method; a started, finalizing, pending or invalid one holds it.
 */
export interface SlotQueue {
  /** The slot's own Backup, when an earlier run of this slot created it: it is followed again, never skipped. */
  own?: Backup;
  /** Backups of ours that CNPG never started, past the not-started deadline: removed so they stop holding the queue. */
  stale: Backup[];
  /** Earlier Backups still in flight, oldest first: while there is one, the slot takes no backup. */
  inFlight: Backup[];
}

export function inspectSlotQueue(input: {
  backups: readonly Backup[];
  cluster: string;
  /** The slot's Backup name. */
  name: string;
  now: Date;
  notStartedTimeoutSeconds: number;
}): SlotQueue {
  const queue = input.backups
    .filter((backup) => backup.spec.cluster.name === input.cluster)
    .sort((a, b) => creation(a) - creation(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  const own = queue.find((backup) => backup.metadata.name === input.name);
  const others = queue.filter((backup) => backup !== own && !isBackupDone(backup));
  const isStale = (backup: Backup) =>
    backup.metadata.labels?.[KubeLabel.ManagedBy] === MANAGER_NAME &&
    isBackupNotStarted(backup) &&
    input.now.getTime() - creation(backup) >= input.notStartedTimeoutSeconds * 1000;
  return {
    ...(own && { own }),
    stale: others.filter(isStale),
    inFlight: others.filter((backup) => !isStale(backup)),
  };
}

function creation(backup: Backup): number {
  return Date.parse(backup.metadata.creationTimestamp ?? '') || 0;
}
