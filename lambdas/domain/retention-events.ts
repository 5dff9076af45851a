import { RetentionEventType, type SchedulerEvent } from './scheduler-event';
import type { RetentionPlan } from './retention-plan';
import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';
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

/** Deleted and kept counts, and the age of the newest completed backup: the recovery point the RPO alarm watches. */
export function retentionMetrics(summary: RetentionRunSummary, backups: readonly Backup[], cluster: string, now: Date): MetricPoint[] {
  const points: MetricPoint[] = [
    { name: SchedulerMetric.RetentionDeleted, value: summary.deletedBackups.length, unit: 'Count' },
    { name: SchedulerMetric.RetentionKept, value: summary.keptBackups, unit: 'Count' },
  ];
  const newest = Math.max(
    ...backups
      .filter((b) => b.spec.cluster.name === cluster && b.status?.phase === BackupPhase.Completed && b.status.stoppedAt)
      .map((b) => Date.parse(b.status!.stoppedAt!)),
  );
  if (Number.isFinite(newest))
    points.push({
      name: SchedulerMetric.NewestBackupAgeSeconds,
      value: Math.max(0, Math.round((now.getTime() - newest) / 1000)),
      unit: 'Seconds',
    });
  return points;
}
