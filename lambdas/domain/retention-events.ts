import { RetentionEventType, type SchedulerEvent } from './scheduler-event';
import type { RetentionPlan } from './retention-plan';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';
import type { TargetSpec } from './target-spec';

export interface RetentionRunSummary {
  trigger: RetentionTrigger;
  dryRun: boolean;
  deletedBackups: string[];
  deletedSnapshots: string[];
  keptBackups: number;
  keptSnapshots: number;
  /** Deletions left for the next run because this one reached its per-run limit. */
  deferred: number;
  /** VolumeSnapshotClasses with deletionPolicy Retain: deleting their snapshots frees no storage. */
  retainClasses: string[];
}

export type RetentionTrigger = 'backup' | 'schedule' | 'manual';

export function summarizePlan(plan: RetentionPlan): Pick<RetentionRunSummary, 'keptBackups' | 'keptSnapshots'> {
  return {
    keptBackups: plan.backups.filter((b) => b.action === 'keep').length,
    keptSnapshots: plan.snapshots.filter((s) => s.action === 'keep').length,
  };
}

export function retentionAppliedEvent(target: TargetSpec, summary: RetentionRunSummary): SchedulerEvent {
  const warnings = summary.retainClasses.map(
    (name) => `VolumeSnapshotClass ${name} has deletionPolicy Retain: deleted VolumeSnapshots leave their storage snapshots behind`,
  );
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
      warnings,
    },
  };
}

/** How many backups the run deleted (the recovery point age is the audit's, not retention's). */
export function retentionMetrics(summary: RetentionRunSummary): MetricPoint[] {
  return [{ name: SchedulerMetric.RetentionDeleted, value: summary.deletedBackups.length, unit: 'Count' }];
}
