import type { CopyAdded, RecoveryPointCatalog } from '../lambdas/adapters/recovery-point-catalog';
import type { RecoveryPointCopy, RecoveryPointRecord, RecoveryPointVolume } from '../lambdas/domain/recovery-point-record';

/**
 * The recovery-point catalog in memory, with the DynamoDB adapter's semantics: a backup is recorded once, records
 * come back oldest first, expiry keeps its first time and applies only to a recorded backup, a backup has at most one
 * copy per Region, kept in Region order.
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

  recordOf(target: string, backup: string): Promise<RecoveryPointRecord | undefined> {
    const record = this.records.get(keyOf(target, backup));
    return Promise.resolve(record && structuredClone(record));
  }

  updateVolumes(target: string, backup: string, volumes: readonly RecoveryPointVolume[]): Promise<void> {
    const record = this.records.get(keyOf(target, backup));
    if (record) record.volumes = structuredClone([...volumes]);
    return Promise.resolve();
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

  addCopy(target: string, backup: string, copy: RecoveryPointCopy): Promise<CopyAdded> {
    const record = this.records.get(keyOf(target, backup));
    if (!record) return Promise.resolve('absent');
    if ((record.copies ?? []).some((c) => c.region === copy.region)) return Promise.resolve('exists');
    record.copies = [...(record.copies ?? []), structuredClone(copy)].sort((a, b) => a.region.localeCompare(b.region));
    return Promise.resolve('added');
  }

  completeCopy(target: string, backup: string, region: string, completedAt: string): Promise<void> {
    const copy = this.records.get(keyOf(target, backup))?.copies?.find((c) => c.region === region);
    if (copy) copy.completedAt = completedAt;
    return Promise.resolve();
  }

  removeCopy(target: string, backup: string, region: string): Promise<void> {
    const record = this.records.get(keyOf(target, backup));
    if (!record?.copies) return Promise.resolve();
    const copies = record.copies.filter((c) => c.region !== region);
    if (copies.length > 0) record.copies = copies;
    else delete record.copies;
    return Promise.resolve();
  }
}

const keyOf = (target: string, backup: string) => `${target}/${backup}`;
