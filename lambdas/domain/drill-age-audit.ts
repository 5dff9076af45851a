import { DrillEventType, type SchedulerEvent } from './scheduler-event';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';
import type { RecoveryPointRecord, RecoveryPointRecordUpdate } from './recovery-point-audit';
import type { TargetSpec } from './target-spec';

/** What the drill age audit needs of a target: who it is, and whether and how often it must be drilled. */
export type DrillAuditedTarget = Pick<TargetSpec, 'name' | 'eksCluster' | 'namespace' | 'cluster'> & {
  drill: Pick<TargetSpec['drill'], 'enabled' | 'maxAgeDays'>;
};

export interface DrillAgeStatus {
  target: DrillAuditedTarget;
  lastDrill?: { execution: string; completedAt: string };
  /** Seconds since the last successful drill, or since the first audit that saw the target when it had none. */
  ageSeconds: number;
  overdue: boolean;
}

export interface DrillAgeAudit {
  /** Every target whose drills are on, oldest share of maxAgeDays first. */
  statuses: DrillAgeStatus[];
  /** Targets whose drills became overdue at this audit: each is notified once. */
  overdue: DrillAgeStatus[];
  updates: RecoveryPointRecordUpdate[];
}

const DAY_SECONDS = 86_400;

/**
 * Whether each target had a successful drill within drill.maxAgeDays. A target never drilled counts from the first
 * audit that saw it, so drills that never run (a schedule removed, a workflow that always fails) do not look
 * healthy. Targets with drills turned off are not audited.
 */
export function auditDrillAges(targets: readonly DrillAuditedTarget[], records: readonly RecoveryPointRecord[], now: Date): DrillAgeAudit {
  const byTarget = new Map(records.map((record) => [record.target, record]));
  const at = now.toISOString();
  const statuses: DrillAgeStatus[] = [];
  const overdue: DrillAgeStatus[] = [];
  const updates: RecoveryPointRecordUpdate[] = [];
  for (const target of targets.filter((t) => t.drill.enabled)) {
    const record = byTarget.get(target.name);
    const since = record?.lastDrill?.completedAt ?? record?.firstAuditedAt ?? at;
    const ageSeconds = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 1000));
    const status: DrillAgeStatus = {
      target,
      ...(record?.lastDrill && { lastDrill: record.lastDrill }),
      ageSeconds,
      overdue: ageSeconds > target.drill.maxAgeDays * DAY_SECONDS,
    };
    statuses.push(status);
    const update: RecoveryPointRecordUpdate = { target: target.name };
    // Counted from the first audit that saw the target undrilled, also when it has backups.
    if (!record?.lastDrill && !record?.firstAuditedAt) update.firstAuditedAt = at;
    if (status.overdue && !record?.drillOverdueSince) {
      update.drillOverdueSince = at;
      overdue.push(status);
    } else if (!status.overdue && record?.drillOverdueSince) update.drillOverdueSince = null;
    if (Object.keys(update).length > 1) updates.push(update);
  }
  const share = (status: DrillAgeStatus) => status.ageSeconds / (status.target.drill.maxAgeDays * DAY_SECONDS);
  statuses.sort((a, b) => share(b) - share(a) || a.target.name.localeCompare(b.target.name));
  return { statuses, overdue, updates };
}

/** One `Drill Overdue` event per target whose drills became overdue at this audit. */
export function drillOverdueEvents(audit: DrillAgeAudit): SchedulerEvent[] {
  return audit.overdue.map(({ target, lastDrill, ageSeconds }) => ({
    detailType: DrillEventType.Overdue,
    detail: {
      target: target.name,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
      maxAgeDays: target.drill.maxAgeDays,
      ageDays: Math.floor(ageSeconds / DAY_SECONDS),
      lastDrill: lastDrill?.execution ?? null,
      lastDrillCompletedAt: lastDrill?.completedAt ?? null,
    },
  }));
}

/** Fleet-wide: how many targets are overdue for a successful drill. */
export function drillAgeMetrics(audit: DrillAgeAudit): MetricPoint[] {
  return [{ name: SchedulerMetric.TargetsDrillOverdue, value: audit.statuses.filter((s) => s.overdue).length, unit: 'Count' }];
}
