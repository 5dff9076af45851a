import type { RecoveryPointAudit, RecoveryPointStatus } from './recovery-point-audit';
import { RecoveryPointEventType, type SchedulerEvent, type SchedulerEventType } from './scheduler-event';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';

function recoveryPointEvent(detailType: SchedulerEventType, status: RecoveryPointStatus): SchedulerEvent {
  const { target } = status;
  return {
    detailType,
    detail: {
      target: target.name,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
      rpoMinutes: target.rpoMinutes,
      recoveryPointAgeMinutes: Math.floor(status.ageSeconds / 60),
      newestBackup: status.newestBackup?.name ?? null,
      newestBackupCompletedAt: status.newestBackup?.completedAt ?? null,
    },
  };
}

/** One `RPO Breached` event per target whose breach began, one `RPO Recovered` per target back within its RPO. */
export function recoveryPointEvents(audit: RecoveryPointAudit): SchedulerEvent[] {
  return [
    ...audit.breaches.map((status) => recoveryPointEvent(RecoveryPointEventType.Breached, status)),
    ...audit.recoveries.map((status) => recoveryPointEvent(RecoveryPointEventType.Recovered, status)),
  ];
}

/** Fleet-wide: how many targets were audited (the audit's heartbeat) and how many breach their RPO. */
export function recoveryPointMetrics(audit: RecoveryPointAudit): MetricPoint[] {
  return [
    { name: SchedulerMetric.TargetsAudited, value: audit.statuses.length, unit: 'Count' },
    { name: SchedulerMetric.TargetsBreachingRpo, value: audit.statuses.filter((s) => s.breached).length, unit: 'Count' },
  ];
}
