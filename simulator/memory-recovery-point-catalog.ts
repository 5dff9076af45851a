import type { RecoveryPointCatalog } from '../lambdas/adapters/recovery-point-catalog';
import type { RecoveryPointRecord } from '../lambdas/domain/recovery-point-record';

/**
 * The recovery-point catalog in memory, with the DynamoDB adapter's semantics: a backup is recorded once, records
 * come back oldest first, expiry keeps its first time and applies only to a recorded backup.
 */
export class MemoryRecoveryPointCatalog implements RecoveryPointCatalog {
  private readonly records = new Map<string, RecoveryPointRecord>();

  record(record: RecoveryPointRecord): Promise<void> {
    const key = keyOf(record.target, record.backup);
    if (!this.records.has(key)) this.records.set(key, structuredClone(record));
    return Promise.resolve();
  }

  recordsOf(target: string): Promise<RecoveryPointRecord[]> {
    const records = [...this.records.values()].filter((r) => r.target === target);
    return Promise.resolve(structuredClone(records).sort((a, b) => a.stoppedAt.localeCompare(b.stoppedAt)));
  }

  expire(target: string, backup: string, at: string): Promise<void> {
    const record = this.records.get(keyOf(target, backup));
    if (record && record.expiredAt === undefined) record.expiredAt = at;
    return Promise.resolve();
  }

  remove(target: string, backup: string): Promise<void> {
    this.records.delete(keyOf(target, backup));
    return Promise.resolve();
  }
}

const keyOf = (target: string, backup: string) => `${target}/${backup}`;
