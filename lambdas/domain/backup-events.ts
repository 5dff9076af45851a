import { BackupEventType, type SchedulerEvent } from './scheduler-event';
import type { BackupFollowState, BackupProgress } from './backup-progress';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';
import type { TargetSpec } from './target-spec';

/** The event that ends a followed backup, or undefined while it is still running. */
export function backupOutcomeEvent(target: TargetSpec, follow: BackupFollowState, progress: BackupProgress): SchedulerEvent | undefined {
  const base = {
    target: target.name,
    eksCluster: target.eksCluster,
    namespace: target.namespace,
    cluster: target.cluster,
    backup: follow.name,
    phase: progress.phase,
    createdAt: follow.createdAt,
    checks: follow.checks,
  };
  switch (progress.state) {
    case 'waiting':
      return undefined;
    case 'completed':
      return {
        detailType: BackupEventType.Completed,
        detail: {
          ...base,
          durationSeconds: progress.durationSeconds,
          startedAt: progress.startedAt,
          stoppedAt: progress.stoppedAt,
          snapshots: progress.snapshots,
        },
      };
    case 'failed':
      return { detailType: BackupEventType.Failed, detail: { ...base, error: progress.reason } };
    case 'timedOut':
      return { detailType: BackupEventType.TimedOut, detail: { ...base, error: progress.reason, started: progress.started } };
    case 'skipped':
      return { detailType: BackupEventType.Skipped, detail: { ...base, reason: progress.reason, blockedBy: progress.blockedBy } };
  }
}

/** The metrics of a finished backup: success with its duration, a failure, or a skipped slot. */
export function backupOutcomeMetrics(progress: BackupProgress): MetricPoint[] {
  switch (progress.state) {
    case 'waiting':
      return [];
    case 'completed':
      return [
        { name: SchedulerMetric.BackupSucceeded, value: 1, unit: 'Count' },
        { name: SchedulerMetric.BackupDurationSeconds, value: progress.durationSeconds, unit: 'Seconds' },
      ];
    case 'failed':
    case 'timedOut':
      return [{ name: SchedulerMetric.BackupFailed, value: 1, unit: 'Count' }];
    case 'skipped':
      return [{ name: SchedulerMetric.BackupSkipped, value: 1, unit: 'Count' }];
  }
}
