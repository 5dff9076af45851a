import * as z from 'zod';
import type { RecoveryPointLedger } from '../adapters/recovery-point-ledger';
import { BackupEventType } from '../domain/scheduler-event';
import { parseInput } from '../domain/validation';
import { IsoTimestamp } from '../domain/workflow-input';
import type { Log } from '../runtime/logger';

/** A `Backup Completed` event as an EventBridge rule delivers it: the envelope, with our detail inside. */
const BackupCompletedEventSchema = z.looseObject({
  'detail-type': z.literal(BackupEventType.Completed),
  time: IsoTimestamp,
  detail: z.looseObject({
    target: z.string().min(1),
    backup: z.string().min(1),
    stoppedAt: IsoTimestamp.optional(),
  }),
});

export interface RecordRecoveryPointDependencies {
  ledger: RecoveryPointLedger;
  log: Log;
}

/** Keeps the newest completed backup of the event's target in the ledger the recovery point audit reads. */
export function createRecordRecoveryPoint(deps: RecordRecoveryPointDependencies) {
  return async (event: unknown): Promise<void> => {
    const { detail, time } = parseInput(BackupCompletedEventSchema, event, 'Backup Completed event');
    deps.log.appendKeys({ target: detail.target, backup: detail.backup });
    // CNPG's stoppedAt is when the recovery point was taken; the event time is later, never earlier.
    const completedAt = new Date(detail.stoppedAt ?? time).toISOString();
    await deps.ledger.recordCompleted(detail.target, { name: detail.backup, completedAt });
    deps.log.info('recovery point recorded', { completedAt });
  };
}
