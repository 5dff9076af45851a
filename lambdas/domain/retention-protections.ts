import { ClusterPhase } from './cnpg-api';
import type { Backup, Cluster, DataSourceRef, PersistentVolumeClaim } from './kube-objects';
import { SchedulerAnnotation } from './scheduler-metadata';

/**
 * What a restore under way still needs, whatever the policy says: the Backups a restore request chose and marked
 * (until the restore's deadline: from the choice, before its Cluster exists), the snapshots and Backups named by
 * the recovery bootstrap of a Cluster that is not yet healthy, and the snapshots a Pending claim is being
 * provisioned from.
 */

export type ProtectionRule = 'referenced-by-restore' | 'referenced-by-pending-claim';

export interface RestoreNeeds {
  /** Snapshot name -> why it must stay. */
  snapshots: ReadonlyMap<string, ProtectionRule>;
  /** Backups named by `bootstrap.recovery.backup`, or marked as chosen by a restore whose deadline has not passed. */
  backups: ReadonlySet<string>;
}

/** A data source the webhook accepts is a VolumeSnapshot or a claim; only the latter is certainly not a snapshot. */
function snapshotName(ref: Pick<DataSourceRef, 'name' | 'kind'> | undefined): string | undefined {
  return ref && ref.kind !== 'PersistentVolumeClaim' ? ref.name : undefined;
}

/** A Backup a restore request chose, while the mark's time has not passed; an unreadable time protects for ever. */
function isChosenForRestore(backup: Backup, now: Date): boolean {
  const until = backup.metadata.annotations?.[SchedulerAnnotation.RestoreProtectedUntil];
  if (until === undefined) return false;
  const ms = Date.parse(until);
  return Number.isNaN(ms) || ms > now.getTime();
}

export function restoreNeeds(inputs: {
  backups: readonly Backup[];
  clusters: readonly Cluster[];
  claims: readonly PersistentVolumeClaim[];
  now: Date;
}): RestoreNeeds {
  const { clusters, claims } = inputs;
  const snapshots = new Map<string, ProtectionRule>();
  const backups = new Set<string>();
  // Indexed: a for-of over a hundred thousand Backups, run once per plan, would allocate an iterator result each.
  for (let i = 0; i < inputs.backups.length; i += 1) {
    const backup = inputs.backups[i]!;
    if (isChosenForRestore(backup, inputs.now) && backup.metadata.name) backups.add(backup.metadata.name);
  }
  for (const cluster of clusters) {
    const recovery = cluster.spec.bootstrap?.recovery;
    if (!recovery || cluster.status?.phase === ClusterPhase.Healthy) continue;
    if (recovery.backup) backups.add(recovery.backup.name);
    const { storage, walStorage, tablespaceStorage } = recovery.volumeSnapshots ?? {};
    const tablespaces = Object.values(tablespaceStorage ?? {});
    for (const ref of [storage, walStorage, ...tablespaces]) {
      const name = snapshotName(ref);
      if (name) snapshots.set(name, 'referenced-by-restore');
    }
  }
  for (const claim of claims) {
    // A claim without a status has not been looked at by the provisioner yet: it is as pending as a Pending one.
    if (claim.status?.phase !== undefined && claim.status.phase !== 'Pending') continue;
    for (const ref of [claim.spec.dataSource, claim.spec.dataSourceRef])
      if (ref?.kind === 'VolumeSnapshot' && !snapshots.has(ref.name)) snapshots.set(ref.name, 'referenced-by-pending-claim');
  }
  return { snapshots, backups };
}
