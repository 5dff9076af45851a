import type { RecoveryPointRecord, RecoveryPointRecordUpdate } from '../domain/recovery-point-audit';

/** Where each target's newest recovery point and breach state are kept between audits. */
export interface RecoveryPointLedger {
  /** Keeps the newest completed backup of a target: an older one reported late changes nothing. */
  recordCompleted(target: string, backup: { name: string; completedAt: string }): Promise<void>;
  readAll(): Promise<RecoveryPointRecord[]>;
  apply(updates: readonly RecoveryPointRecordUpdate[]): Promise<void>;
}
