import type { RecoveryPointRecord } from '../domain/recovery-point-record';

/** The catalog of completed backups kept outside the EKS clusters: one record per backup, per target. */
export interface RecoveryPointCatalog {
  /** Records a completed backup; recording the same backup again changes nothing. */
  record(record: RecoveryPointRecord): Promise<void>;
  /** Every record of a target, oldest backup first. */
  recordsOf(target: string): Promise<RecoveryPointRecord[]>;
  /** Marks a backup's record expired: its storage is being released. */
  expire(target: string, backup: string, at: string): Promise<void>;
  remove(target: string, backup: string): Promise<void>;
}
