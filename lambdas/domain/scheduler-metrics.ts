/**
 * The CloudWatch metrics the handlers emit (embedded metric format) and the alarms and dashboard read: fleet-wide,
 * with Powertools' `service` dimension only. The target of a point is a property of its line, not a dimension.
 */

export const METRIC_NAMESPACE = 'CnpgSnapshotScheduler';
/**
 * Powertools Metrics writes its `service` default dimension on every metric, single metrics included
 * (`Metrics.setOptions` and `singleMetric()` in packages/metrics/src/Metrics.ts), so every metric we emit carries it:
 * CloudWatch treats `{Target}` and `{service, Target}` as two different metrics.
 */
export const SERVICE_DIMENSION = 'service';
export const SERVICE_NAME = 'cnpg-snapshot-scheduler';
/** The EMF line's property naming the target (Logs Insights: `stats ... by Target`). */
export const TARGET_PROPERTY = 'Target';

export const SchedulerMetric = {
  BackupSucceeded: 'BackupSucceeded',
  BackupFailed: 'BackupFailed',
  /** A slot skipped because an earlier backup of the cluster was still in flight (not a failure; the RPO alarm counts it). */
  BackupSkipped: 'BackupSkipped',
  /** A workflow of the target ended in an error (caught by its catch-all and reported). */
  WorkflowFailed: 'WorkflowFailed',
  BackupDurationSeconds: 'BackupDurationSeconds',
  RetentionDeleted: 'RetentionDeleted',
  RestoreSucceeded: 'RestoreSucceeded',
  RestoreFailed: 'RestoreFailed',
  RestoreRtoSeconds: 'RestoreRtoSeconds',
  /** A restore drill whose cluster became ready and whose every check passed. */
  DrillSucceeded: 'DrillSucceeded',
  DrillFailed: 'DrillFailed',
  /** A drill's recovery time (creation to ready). */
  DrillRtoSeconds: 'DrillRtoSeconds',
  /** A drill whose recovery time exceeded its target's drill.maxRtoMinutes (the drill fails too). */
  DrillRtoExceeded: 'DrillRtoExceeded',
  /** A backup's copy to a disaster recovery Region that completed, failed, and how long it took. */
  CopySucceeded: 'CopySucceeded',
  CopyFailed: 'CopyFailed',
  CopyDurationSeconds: 'CopyDurationSeconds',
  /** Copies that copy retention deleted in their Region. */
  CopiesDeleted: 'CopiesDeleted',
  /** Targets the recovery point audit looked at: its heartbeat (no data means no audit ran). */
  TargetsAudited: 'TargetsAudited',
  TargetsBreachingRpo: 'TargetsBreachingRpo',
  /** Targets with drills on and no successful drill within drill.maxAgeDays (the audit counts them). */
  TargetsDrillOverdue: 'TargetsDrillOverdue',
} as const;
export type SchedulerMetric = (typeof SchedulerMetric)[keyof typeof SchedulerMetric];

export interface MetricPoint {
  name: SchedulerMetric;
  value: number;
  unit: 'Count' | 'Seconds';
}
