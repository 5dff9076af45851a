import { KubeLabel } from './cnpg-api';

/** The labels and annotations cnpg-snapshot-scheduler writes on the objects it creates. */

export const MANAGER_NAME = 'cnpg-snapshot-scheduler';

const PREFIX = 'cnpg-snapshot-scheduler';

export const SchedulerLabel = {
  Target: `${PREFIX}/target`,
  RestoredFrom: `${PREFIX}/restored-from`,
  RestoreRequest: `${PREFIX}/restore-request`,
  /** On everything a restore drill creates (its Cluster, its verification Job): the value is the drilled target. */
  Drill: `${PREFIX}/drill`,
  /** On a drill's verification Job: the drill Cluster it checks (whose application Secret it reads). */
  DrillCluster: `${PREFIX}/drill-cluster`,
  /** Set by a platform team on a CNPG Cluster: the name of the policy it is backed up under (target-policy.ts). */
  Policy: `${PREFIX}/policy`,
} as const;

export const SchedulerAnnotation = {
  ScheduledTime: `${PREFIX}/scheduled-time`,
  Execution: `${PREFIX}/execution`,
  RestoreRequestedAt: `${PREFIX}/restore-requested-at`,
  /** On a Backup a restore chose: retention keeps it (and its snapshots) until this time, the restore's deadline. */
  RestoreProtectedUntil: `${PREFIX}/restore-protected-until`,
} as const;

/**
 * The tags of a disaster recovery copy of a storage snapshot (an EBS snapshot in another Region), set as CopySnapshot
 * creates it: the target's ownership marks (IAM allows DeleteSnapshot only on snapshots managed by the scheduler),
 * the backup and the source snapshot it copies, and the recovery-point catalog it is recorded in (its table's name:
 * the deployment's, as no two deployments share a catalog). Copy retention deletes only a snapshot carrying all of
 * them; the sweep of copies no record knows only one that also names this deployment's catalog.
 */
export const SnapshotCopyTag = {
  Backup: `${PREFIX}/backup`,
  SourceSnapshot: `${PREFIX}/source-snapshot`,
  Catalog: `${PREFIX}/catalog`,
} as const;

/** The marks of what the scheduler creates for one target (its Backups, restored and drill Clusters). */
export function ownershipLabels(target: string): Record<string, string> {
  return { [KubeLabel.ManagedBy]: MANAGER_NAME, [SchedulerLabel.Target]: target };
}

/** Whether an object the scheduler created carries the marks of this target. */
export function isMarkedFor(labels: Readonly<Record<string, string>> | undefined, target: string): boolean {
  return labels?.[KubeLabel.ManagedBy] === MANAGER_NAME && labels[SchedulerLabel.Target] === target;
}

/**
 * The mark added to the VolumeSnapshots CNPG made for one of the target's Backups, when the Backup completes, so they
 * stay recognisable after it is gone. Only the scheduler's own label: `app.kubernetes.io/managed-by` on a snapshot is
 * CNPG's (`cloudnative-pg`, cloned from the PVC by the volume snapshot reconciler) and stays as CNPG set it.
 */
export function snapshotMarks(target: string): Record<string, string> {
  return { [SchedulerLabel.Target]: target };
}

/** Whether a VolumeSnapshot carries the mark of this target. */
export function isSnapshotMarkedFor(labels: Readonly<Record<string, string>> | undefined, target: string): boolean {
  return labels?.[SchedulerLabel.Target] === target;
}
