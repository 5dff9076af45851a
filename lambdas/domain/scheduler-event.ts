/**
 * The events the scheduler publishes to EventBridge: their source and every detail-type, in one place.
 * Rules, alarms and the README match on these strings.
 */

export const EVENT_SOURCE = 'cnpg-snapshot-scheduler';

export const BackupEventType = {
  Completed: 'Backup Completed',
  Failed: 'Backup Failed',
  TimedOut: 'Backup Timed Out',
  /** The slot took no backup because an earlier one of the cluster was still in flight. */
  Skipped: 'Backup Skipped',
} as const;

export const RetentionEventType = {
  Applied: 'Retention Applied',
  Failed: 'Retention Failed',
} as const;

export const RestoreEventType = {
  Started: 'Restore Started',
  Completed: 'Restore Completed',
  Failed: 'Restore Failed',
  TimedOut: 'Restore Timed Out',
} as const;

/** The end of a restore drill: the backup restored, verified on its data, and torn down. */
export const DrillEventType = {
  Completed: 'Drill Completed',
  Failed: 'Drill Failed',
  /** Published by the recovery point audit when a target has had no successful drill within drill.maxAgeDays. */
  Overdue: 'Drill Overdue',
} as const;

/** Published by the recovery point audit when a target's breach of its RPO begins, and when it ends. */
export const RecoveryPointEventType = {
  Breached: 'RPO Breached',
  Recovered: 'RPO Recovered',
} as const;

/**
 * The end of a backup's copy to a disaster recovery Region: every volume's copy completed, or the copy failed; and
 * copy retention's deletion of a copy no catalog record knew (orphan-copies.ts).
 */
export const CopyEventType = {
  Completed: 'Copy Completed',
  Failed: 'Copy Failed',
  OrphanDeleted: 'Orphan Copy Deleted',
} as const;

/**
 * Published by the catalog reconciliation: a record's storage snapshots, or a copy's, are gone at the provider (deleted
 * behind the scheduler's back, or the Region's storage lost), so the catalog no longer claims them.
 */
export const CatalogDriftEventType = {
  RecoveryPointLost: 'Recovery Point Lost',
  CopyLost: 'Recovery Point Copy Lost',
} as const;

/** One per schedule firing: how many targets were due and what became of them. */
export const FanOutEventType = {
  Completed: 'Fan-out Completed',
} as const;

type ValueOf<T> = T[keyof T];
export type SchedulerEventType =
  | ValueOf<typeof BackupEventType>
  | ValueOf<typeof RetentionEventType>
  | ValueOf<typeof RestoreEventType>
  | ValueOf<typeof DrillEventType>
  | ValueOf<typeof RecoveryPointEventType>
  | ValueOf<typeof CatalogDriftEventType>
  | ValueOf<typeof FanOutEventType>
  | ValueOf<typeof CopyEventType>;

/** One event: its detail-type and its JSON detail (the publisher adds the source). */
export interface SchedulerEvent {
  detailType: SchedulerEventType;
  detail: Record<string, unknown>;
}
