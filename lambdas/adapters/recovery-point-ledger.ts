import type { RecoveryPointRecord, RecoveryPointRecordUpdate } from '../domain/recovery-point-audit';

/** Where each target's newest recovery point, last successful drill and breach states are kept between audits. */
export interface RecoveryPointLedger {
  /** Keeps the newest completed backup of a target: an older one reported late changes nothing. */
  recordCompleted(target: string, backup: { name: string; completedAt: string }): Promise<void>;
  /** Keeps the newest successful drill of a target: an older one reported late changes nothing. */
  recordDrill(target: string, drill: { execution: string; completedAt: string }): Promise<void>;
  readAll(): Promise<RecoveryPointRecord[]>;
  apply(updates: readonly RecoveryPointRecordUpdate[]): Promise<void>;
}
