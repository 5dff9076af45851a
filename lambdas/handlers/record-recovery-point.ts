import * as z from 'zod';
import type { RecoveryPointLedger } from '../adapters/recovery-point-ledger';
import { BackupEventType, DrillEventType } from '../domain/scheduler-event';
import { parseInput } from '../domain/validation';
import { IsoTimestamp } from '../domain/iso-timestamp';
import type { Log } from '../runtime/logger';

/** A `Backup Completed` event as an EventBridge rule delivers it: the envelope, with our detail inside. */
const BackupCompletedEventSchema = z.looseObject({
  'detail-type': z.literal(BackupEventType.Completed),
  time: IsoTimestamp,
  detail: z.looseObject({
    target: z.string().min(1),
    backup: z.string().min(1),
    stoppedAt: z.optional(IsoTimestamp),
  }),
});

/** A `Drill Completed` event: the target's newest successful drill. */
const DrillCompletedEventSchema = z.looseObject({
  'detail-type': z.literal(DrillEventType.Completed),
  time: IsoTimestamp,
  detail: z.looseObject({ target: z.string().min(1), execution: z.string().min(1), readyAt: z.optional(IsoTimestamp) }),
});

export interface RecordRecoveryPointDependencies {
  ledger: RecoveryPointLedger;
  log: Log;
}

/** Keeps the newest completed backup (or successful drill) of the event's target in the ledger the audit reads. */
export function createRecordRecoveryPoint(deps: RecordRecoveryPointDependencies) {
  return async (event: unknown): Promise<void> => {
    if ((event as { 'detail-type'?: unknown } | null)?.['detail-type'] === DrillEventType.Completed) {
      const drill = parseInput(DrillCompletedEventSchema, event, 'Drill Completed event');
      deps.log.appendKeys({ target: drill.detail.target, execution: drill.detail.execution });
      await deps.ledger.recordDrill(drill.detail.target, {
        execution: drill.detail.execution,
        completedAt: new Date(drill.time).toISOString(),
      });
      deps.log.info('successful drill recorded');
      return;
    }
    const { detail, time } = parseInput(BackupCompletedEventSchema, event, 'Backup Completed event');
    deps.log.appendKeys({ target: detail.target, backup: detail.backup });
    // CNPG's stoppedAt is when the recovery point was taken; the event time is later, never earlier.
    const completedAt = new Date(detail.stoppedAt ?? time).toISOString();
    await deps.ledger.recordCompleted(detail.target, { name: detail.backup, completedAt });
    deps.log.info('recovery point recorded', { completedAt });
  };
}
