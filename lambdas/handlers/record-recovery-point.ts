import * as z from 'zod';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { RecoveryPointLedger } from '../adapters/recovery-point-ledger';
import type { StorageSnapshots } from '../adapters/storage-snapshots';
import { isStorageDescribed, withStorageEncryption } from '../domain/recovery-point-record';
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
  /** The catalog CheckBackup recorded the backup in, from what Kubernetes answered. */
  recoveryPoints: RecoveryPointCatalog;
  /** What the provider tells of the storage snapshots (their existence, state, encryption and KMS key). */
  storageSnapshots: Pick<StorageSnapshots, 'describe'>;
  /** The function's Region, the stack's: where the EKS clusters' storage snapshots are. */
  region: () => string;
  now: () => Date;
  log: Log;
}

/**
 * Keeps the newest completed backup (or successful drill) of the event's target in the ledger the audit reads, and
 * completes a completed backup's catalog record with what EC2 describes of its storage snapshots.
 */
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
    await describeStorage(detail.target, detail.backup, deps);
  };
}

/**
 * Each volume of the backup's catalog record gets the encryption and KMS key EC2 describes for its storage snapshot.
 * A record whose storage snapshot EC2 does not have (or has not completed) claims a recovery point that does not
 * exist: it is removed (or, with copies in a DR Region already, marked expired, so the copies stay restorable), and
 * said why. A backup without a record (CheckBackup said why), an expired one, or one described already (the event
 * delivered again) is left as it is.
 */
async function describeStorage(target: string, backup: string, deps: RecordRecoveryPointDependencies): Promise<void> {
  const record = await deps.recoveryPoints.recordOf(target, backup);
  if (!record || record.expiredAt !== undefined || isStorageDescribed(record)) return;
  const described = withStorageEncryption(
    record,
    await deps.storageSnapshots.describe(
      deps.region(),
      record.volumes.map((volume) => volume.snapshotHandle),
    ),
  );
  if ('record' in described) {
    await deps.recoveryPoints.updateVolumes(target, backup, described.record.volumes);
    return;
  }
  deps.log.warn('the backup is not in the recovery-point catalog: it could not be restored from it', described);
  if ((record.copies ?? []).length > 0) await deps.recoveryPoints.expire(target, backup, deps.now().toISOString());
  else await deps.recoveryPoints.remove(target, backup);
}
