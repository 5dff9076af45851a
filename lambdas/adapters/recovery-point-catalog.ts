import type { RecoveryPointCopy, RecoveryPointRecord, RecoveryPointVolume } from '../domain/recovery-point-record';

/** The catalog of completed backups kept outside the EKS clusters: one record per backup, per target. */
export interface RecoveryPointCatalog {
  /** Records a completed backup; recording the same backup again changes nothing. */
  record(record: RecoveryPointRecord): Promise<void>;
  /** Every record of a target, oldest backup first. */
  recordsOf(target: string): Promise<RecoveryPointRecord[]>;
  /** One backup's record; undefined when the backup has none. */
  recordOf(target: string, backup: string): Promise<RecoveryPointRecord | undefined>;
  /** Replaces a recorded backup's volumes (with what the provider describes of their storage); nothing when it has no record. */
  updateVolumes(target: string, backup: string, volumes: readonly RecoveryPointVolume[]): Promise<void>;
  /** Marks a backup's record expired: its storage is being released. */
  expire(target: string, backup: string, at: string): Promise<void>;
  remove(target: string, backup: string): Promise<void>;
  /**
   * Records the copies of a backup started in a Region (at most one per Region): `added`, or `exists` when the backup
   * has a copy there already (another start won), or `absent` when the backup has no record.
   */
  addCopy(target: string, backup: string, copy: RecoveryPointCopy): Promise<CopyAdded>;
  /** Marks the backup's copy in a Region completed; nothing when there is none. */
  completeCopy(target: string, backup: string, region: string, completedAt: string): Promise<void>;
  /** Removes the backup's copy in a Region from its record (its snapshots are deleted or gone). */
  removeCopy(target: string, backup: string, region: string): Promise<void>;
}

export type CopyAdded = 'added' | 'exists' | 'absent';
