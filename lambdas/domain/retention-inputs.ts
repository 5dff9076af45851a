import { CnpgLabel, KubeLabel } from './cnpg-api';
import { durationSeconds, type Duration } from './duration';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from './kube-objects';
import { MANAGER_NAME } from './scheduler-metadata';
import type { RetentionPolicy } from './target-spec';

/** What the retention planner reads: the namespace as listed now, the policy, and the time of the run. */

export interface RetentionInputs {
  /** The CNPG cluster whose backups are planned (spec.cluster.name of its Backups). */
  cluster: string;
  /** Backups in the namespace; other clusters' and other methods' are not planned. */
  backups: readonly Backup[];
  /** VolumeSnapshots in the namespace. */
  snapshots: readonly VolumeSnapshot[];
  /** Clusters in the namespace: a recovery bootstrap may still need snapshots. */
  clusters: readonly Cluster[];
  /** Claims in the namespace: a Pending claim may be restoring from a snapshot. */
  claims: readonly PersistentVolumeClaim[];
  policy: RetentionPolicy;
  now: Date;
}

export const nameOf = (object: { metadata: { name?: string } }): string => object.metadata.name ?? '';

export const phaseOf = (backup: Backup): string => backup.status?.phase ?? '';

/** Code-unit order: locale-aware comparison would make the plan depend on the machine's locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Milliseconds since the epoch; an absent or unreadable time counts as `now`, so it never makes anything old enough to delete. */
export function instant(time: string | undefined, now: Date): number {
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isNaN(ms) ? now.getTime() : ms;
}

/** When a backup completed (status.stoppedAt), or was created when it has no stop time. */
export const completionTimeOf = (backup: Backup): string | undefined => backup.status?.stoppedAt ?? backup.metadata.creationTimestamp;

/** The policy's durations in milliseconds; RetentionPolicySchema has already checked they are durations. */
export const durationMs = (text: string): number => durationSeconds(text as Duration) * 1000;

/** The Backups the plan decides on: volume-snapshot Backups of the cluster. */
export function plannedBackups(inputs: RetentionInputs): Backup[] {
  return inputs.backups.filter((b) => b.spec.cluster.name === inputs.cluster && b.spec.method === 'volumeSnapshot');
}

/** Scope `managed` covers only Backups the scheduler labelled as its own; scope `all` covers every planned Backup. */
export function isInScope(backup: Backup, policy: RetentionPolicy): boolean {
  return policy.scope === 'all' || backup.metadata.labels?.[KubeLabel.ManagedBy] === MANAGER_NAME;
}

/** A Backup's snapshots are the VolumeSnapshots CNPG labelled with its name. */
export function snapshotsByBackup(snapshots: readonly VolumeSnapshot[]): Map<string, VolumeSnapshot[]> {
  const byBackup = new Map<string, VolumeSnapshot[]>();
  for (const snapshot of snapshots) {
    const backupName = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    if (backupName) byBackup.set(backupName, [...(byBackup.get(backupName) ?? []), snapshot]);
  }
  return byBackup;
}
