import * as z from 'zod';
import type { EventPublisher } from '../adapters/event-publisher';
import type { MetricsRecorder } from '../adapters/metrics-recorder';
import type { RecoveryPointLedger } from '../adapters/recovery-point-ledger';
import { auditRecoveryPoints, rpoShare, type AuditedTarget } from '../domain/recovery-point-audit';
import { recoveryPointEvents, recoveryPointMetrics } from '../domain/recovery-point-events';
import { parseInput } from '../domain/validation';
import type { Log } from '../runtime/logger';

/** The audit runs on EventBridge's schedule; by hand, invoke it with the same two fields. */
const ScheduledEventSchema = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

export interface AuditRecoveryPointsDependencies {
  targets: () => Promise<readonly AuditedTarget[]>;
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
}

/**
 * The fleet's RPO check, on a schedule: every target's newest recovery point against its RPO. A breach that begins
 * is published as `RPO Breached` naming the target (the notification rule sends it to the alarm topic), a breach
 * that ends as `RPO Recovered`. Each target's status is logged, for the dashboard's worst-first table.
 */
export function createAuditRecoveryPoints(deps: AuditRecoveryPointsDependencies) {
  return async (event: unknown): Promise<AuditRecoveryPointsResult> => {
    parseInput(ScheduledEventSchema, event, 'recovery point audit input');
    const [targets, records] = await Promise.all([deps.targets(), deps.ledger.readAll()]);
    const audit = auditRecoveryPoints(targets, records, deps.now());
    // Published before the ledger records it: a failure in between notifies twice rather than never.
    const events = recoveryPointEvents(audit);
    if (events.length > 0) await deps.events.publish(events);
    await deps.ledger.apply(audit.updates);
    deps.metrics.record(recoveryPointMetrics(audit));
    for (const status of audit.statuses)
      deps.log.info('recovery point', {
        target: status.target.name,
        rpoMinutes: status.target.rpoMinutes,
        ageMinutes: Math.floor(status.ageSeconds / 60),
        rpoUsedPercent: Math.round(rpoShare(status) * 100),
        breached: status.breached,
        newestBackup: status.newestBackup?.name ?? null,
      });
    return {
      audited: audit.statuses.length,
      breaching: audit.statuses.filter((s) => s.breached).length,
      breached: audit.breaches.map((s) => s.target.name),
      recovered: audit.recoveries.map((s) => s.target.name),
    };
  };
}
