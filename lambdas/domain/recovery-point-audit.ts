import type { TargetSpec } from './target-spec';

/** What the audit needs to know of a target: who it is (to name it) and its recovery point objective. */
export type AuditedTarget = Pick<TargetSpec, 'name' | 'eksCluster' | 'namespace' | 'cluster' | 'rpoMinutes'>;

/** What the ledger keeps per target between audits. */
export interface RecoveryPointRecord {
  target: string;
  /** The newest completed backup reported for the target (its `Backup Completed` event). */
  newestBackup?: { name: string; completedAt: string };
  /** When an audit first saw the target with no completed backup: its RPO is counted from then. */
  firstAuditedAt?: string;
  /** Set while the target breaches its RPO: the breach was notified once, when it began. */
  breachedSince?: string;
  /** The newest successful restore drill of the target (its `Drill Completed` event). */
  lastDrill?: { execution: string; completedAt: string };
  /** Set while the target has had no successful drill within drill.maxAgeDays: notified once, when it began. */
  drillOverdueSince?: string;
}

export interface RecoveryPointStatus {
  target: AuditedTarget;
  newestBackup?: { name: string; completedAt: string };
  /** Seconds since the newest completed backup, or since the first audit when there is none. */
  ageSeconds: number;
  breached: boolean;
}

/** A ledger write the audit asks for: only what changed. */
export interface RecoveryPointRecordUpdate {
  target: string;
  firstAuditedAt?: string;
  /** A time when a breach begins, null when it ends. */
  breachedSince?: string | null;
  /** A time when a target's drills become overdue, null when a successful drill ends it. */
  drillOverdueSince?: string | null;
}

export interface RecoveryPointAudit {
  /** Every target, worst first: the largest share of its RPO used. */
  statuses: RecoveryPointStatus[];
  /** Targets whose breach began at this audit: each is notified once. */
  breaches: RecoveryPointStatus[];
  /** Targets back within their RPO after a breach. */
  recoveries: RecoveryPointStatus[];
  updates: RecoveryPointRecordUpdate[];
}

/**
 * Compares each target's newest recovery point with its RPO. No completed backup at all counts from the first audit
 * that saw the target, so a target that never backs up breaches too. Records of targets no longer configured are
 * ignored. A breach is reported when it begins and when it ends, never on every audit in between.
 */
export function auditRecoveryPoints(
  targets: readonly AuditedTarget[],
  records: readonly RecoveryPointRecord[],
  now: Date,
): RecoveryPointAudit {
  const byTarget = new Map(records.map((record) => [record.target, record]));
  const at = now.toISOString();
  const statuses: RecoveryPointStatus[] = [];
  const breaches: RecoveryPointStatus[] = [];
  const recoveries: RecoveryPointStatus[] = [];
  const updates: RecoveryPointRecordUpdate[] = [];
  for (const target of targets) {
    const record = byTarget.get(target.name);
    const since = record?.newestBackup?.completedAt ?? record?.firstAuditedAt ?? at;
    const ageSeconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
    const status: RecoveryPointStatus = {
      target,
      ...(record?.newestBackup && { newestBackup: record.newestBackup }),
      ageSeconds,
      breached: ageSeconds > target.rpoMinutes * 60,
    };
    statuses.push(status);
    const update: RecoveryPointRecordUpdate = { target: target.name };
    if (!record?.newestBackup && !record?.firstAuditedAt) update.firstAuditedAt = at;
    if (status.breached && !record?.breachedSince) {
      update.breachedSince = at;
      breaches.push(status);
    } else if (!status.breached && record?.breachedSince) {
      update.breachedSince = null;
      recoveries.push(status);
    }
    if (Object.keys(update).length > 1) updates.push(update);
  }
  statuses.sort((a, b) => rpoShare(b) - rpoShare(a) || a.target.name.localeCompare(b.target.name));
  return { statuses, breaches, recoveries, updates };
}

/** The share of its RPO a target's recovery point age has used (above 1: breached). */
export function rpoShare(status: RecoveryPointStatus): number {
  return status.ageSeconds / (status.target.rpoMinutes * 60);
}
