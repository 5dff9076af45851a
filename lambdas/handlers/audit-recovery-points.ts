import * as z from 'zod';
import type { EventPublisher } from '../adapters/event-publisher';
import type { MetricsRecorder } from '../adapters/metrics-recorder';
import type { RecoveryPointLedger } from '../adapters/recovery-point-ledger';
import { auditDrillAges, drillAgeMetrics, drillOverdueEvents, type DrillAuditedTarget } from '../domain/drill-age-audit';
import { auditRecoveryPoints, rpoShare, type AuditedTarget } from '../domain/recovery-point-audit';
import { recoveryPointEvents, recoveryPointMetrics } from '../domain/recovery-point-events';
import { parseInput } from '../domain/validation';
import type { Log } from '../runtime/logger';

/** The audit runs on EventBridge's schedule; by hand, invoke it with the same two fields. */
const ScheduledEventSchema = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

export interface AuditRecoveryPointsDependencies {
  targets: () => Promise<ReadonlyArray<AuditedTarget & DrillAuditedTarget>>;
  ledger: RecoveryPointLedger;
  events: EventPublisher;
  metrics: MetricsRecorder;
  now: () => Date;
  log: Log;
}

export interface AuditRecoveryPointsResult {
  audited: number;
  breaching: number;
  breached: string[];
  recovered: string[];
  /** Targets whose drills became overdue at this audit. */
  drillsOverdue: string[];
}

/**
 * The fleet's RPO check, on a schedule: every target's newest recovery point against its RPO. A breach that begins
 * is published as `RPO Breached` naming the target (the notification rule sends it to the alarm topic), a breach
 * that ends as `RPO Recovered`; a target with no successful drill within drill.maxAgeDays is published once as `Drill
 * Overdue`. Each target's status is logged, for the dashboard's worst-first table.
 */
export function createAuditRecoveryPoints(deps: AuditRecoveryPointsDependencies) {
  return async (event: unknown): Promise<AuditRecoveryPointsResult> => {
    parseInput(ScheduledEventSchema, event, 'recovery point audit input');
    const [targets, records] = await Promise.all([deps.targets(), deps.ledger.readAll()]);
    const now = deps.now();
    const audit = auditRecoveryPoints(targets, records, now);
    const drills = auditDrillAges(targets, records, now);
    // Published before the ledger records it: a failure in between notifies twice rather than never.
    const events = [...recoveryPointEvents(audit), ...drillOverdueEvents(drills)];
    if (events.length > 0) await deps.events.publish(events);
    await deps.ledger.apply([...audit.updates, ...drills.updates]);
    deps.metrics.record([...recoveryPointMetrics(audit), ...drillAgeMetrics(drills)]);
    // One line per target, the drill's age on it too: a second line per target would double the audit's log volume.
    const drillOf = new Map(drills.statuses.map((status) => [status.target.name, status]));
    for (const status of audit.statuses) {
      const drill = drillOf.get(status.target.name);
      deps.log.info('recovery point', {
        target: status.target.name,
        rpoMinutes: status.target.rpoMinutes,
        ageMinutes: Math.floor(status.ageSeconds / 60),
        rpoUsedPercent: Math.round(rpoShare(status) * 100),
        breached: status.breached,
        newestBackup: status.newestBackup?.name ?? null,
        ...(drill && {
          drillAgeDays: Math.floor(drill.ageSeconds / 86_400),
          drillOverdue: drill.overdue,
          lastDrill: drill.lastDrill?.execution ?? null,
        }),
      });
    }
    return {
      audited: audit.statuses.length,
      breaching: audit.statuses.filter((s) => s.breached).length,
      breached: audit.breaches.map((s) => s.target.name),
      recovered: audit.recoveries.map((s) => s.target.name),
      drillsOverdue: drills.overdue.map((s) => s.target.name),
    };
  };
}
