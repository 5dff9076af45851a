import { RetentionEventType, type SchedulerEvent } from './scheduler-event';
import type { RetentionPlan } from './retention-plan';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';
import type { TargetSpec } from './target-spec';

export interface RetentionRunSummary {
  trigger: RetentionTrigger;
  dryRun: boolean;
  /** Removed by this run's requests (or found already gone when the request came). */
  deletedBackups: string[];
  deletedSnapshots: string[];
  /**
   * Accepted for deletion by this run's requests but still present until their finalizers are removed (a CSI
   * snapshot stays while its storage snapshot is deleted, or while a claim is restored from it). Deleted and
   * deleting together count each deletion once, in the run that requested it.
   */
  deletingBackups: string[];
  deletingSnapshots: string[];
  /** Accepted for deletion by an earlier request and still held by finalizers: not requested again, not counted again. */
  stillDeletingBackups: string[];
  stillDeletingSnapshots: string[];
  keptBackups: number;
  keptSnapshots: number;
  /** Deletions left for the next run because this one reached its request budget. */
  deferred: number;
  /** Bound VolumeSnapshotContents of this run's deleted snapshots whose deletionPolicy is Retain: their storage stays. */
  retainedContents: string[];
}

export type RetentionTrigger = 'backup' | 'schedule' | 'manual';

export function summarizePlan(plan: RetentionPlan): Pick<RetentionRunSummary, 'keptBackups' | 'keptSnapshots'> {
  let keptBackups = 0;
  let keptSnapshots = 0;
  for (const backup of plan.backups) if (backup.action === 'keep') keptBackups += 1;
  for (const snapshot of plan.snapshots) if (snapshot.action === 'keep') keptSnapshots += 1;
  return { keptBackups, keptSnapshots };
}

/** How many content names a warning spells out; the summary carries them all. */
const NAMED_IN_WARNING = 5;

export function retentionAppliedEvent(target: TargetSpec, summary: RetentionRunSummary): SchedulerEvent {
  const retained = summary.retainedContents;
  const named = retained.slice(0, NAMED_IN_WARNING).join(', ') + (retained.length > NAMED_IN_WARNING ? ', ...' : '');
  const warnings =
    retained.length === 0
      ? []
      : [
          `${retained.length} deleted VolumeSnapshots are bound to VolumeSnapshotContents with deletionPolicy Retain (${named}): their storage snapshots stay behind`,
        ];
  return {
    detailType: RetentionEventType.Applied,
    detail: {
      target: target.name,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
      ...summary,
      deletedBackupCount: summary.deletedBackups.length,
      deletedSnapshotCount: summary.deletedSnapshots.length,
      deletingBackupCount: summary.deletingBackups.length,
      deletingSnapshotCount: summary.deletingSnapshots.length,
      stillDeletingCount: summary.stillDeletingBackups.length + summary.stillDeletingSnapshots.length,
      warnings,
    },
  };
}

/** How many backups the run removed (the recovery point age is the audit's, not retention's); one whose deletion
 * finalizers still hold is not counted, so no deletion is counted twice. */
export function retentionMetrics(summary: RetentionRunSummary): MetricPoint[] {
  return [{ name: SchedulerMetric.RetentionDeleted, value: summary.deletedBackups.length, unit: 'Count' }];
}
