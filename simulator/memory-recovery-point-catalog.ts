import type { CopyAdded, RecoveryPointCatalog } from '../lambdas/adapters/recovery-point-catalog';
import type { RecoveryPointCopy, RecoveryPointRecord, RecoveryPointVolume } from '../lambdas/domain/recovery-point-record';

/**
 * What the requests to a DynamoDB table in on-demand mode consumed, as DynamoDB counts it (Amazon DynamoDB Developer
 * Guide, "DynamoDB read and write operations"): a strongly consistent read takes 1 read unit per 4 KB of the item,
 * rounded up (a Query: of the sum of the items it returns); a write 1 write unit per 1 KB, rounded up, of the item
 * (an update: of the larger of the item before and after); a request takes at least 1 unit, and a write whose
 * condition fails is charged as well. An item's size is taken as the length of its JSON (DynamoDB counts the
 * attributes' names and values: a little less).
 */
export interface ConsumedCapacity {
  requests: number;
  readUnits: number;
  writeUnits: number;
}

const KB = 1024;
const sizeOf = (record: RecoveryPointRecord | undefined) => (record ? Buffer.byteLength(JSON.stringify(record)) : 0);

/**
 * The recovery-point catalog in memory, with the DynamoDB adapter's semantics: a backup is recorded once, records
 * come back oldest first, expiry keeps its first time and applies only to a recorded backup, a backup has at most one
 * copy per Region, kept in Region order. Every call counts as the request (or, for a copy added to a record that has
 * copies already, the two requests) the adapter makes, with the capacity DynamoDB would charge for it.
 */
export class MemoryRecoveryPointCatalog implements RecoveryPointCatalog {
  private readonly records = new Map<string, RecoveryPointRecord>();
  readonly consumed: ConsumedCapacity = { requests: 0, readUnits: 0, writeUnits: 0 };

  record(record: RecoveryPointRecord): Promise<void> {
    const key = keyOf(record.target, record.backup);
    this.wrote(sizeOf(this.records.get(key)), sizeOf(record));
    if (!this.records.has(key)) this.records.set(key, structuredClone(record));
    return Promise.resolve();
  }

  recordsOf(target: string): Promise<RecoveryPointRecord[]> {
    const records = [...this.records.values()].filter((r) => r.target === target);
    this.read(records.reduce((bytes, record) => bytes + sizeOf(record), 0));
    return Promise.resolve(structuredClone(records).sort((a, b) => a.stoppedAt.localeCompare(b.stoppedAt)));
  }

  recordOf(target: string, backup: string): Promise<RecoveryPointRecord | undefined> {
    const record = this.records.get(keyOf(target, backup));
    this.read(sizeOf(record));
    return Promise.resolve(record && structuredClone(record));
  }

  updateVolumes(target: string, backup: string, volumes: readonly RecoveryPointVolume[]): Promise<void> {
    return this.update(target, backup, (record) => {
      record.volumes = structuredClone([...volumes]);
    });
  }

  expire(target: string, backup: string, at: string): Promise<void> {
    return this.update(target, backup, (record) => {
      if (record.expiredAt === undefined) record.expiredAt = at;
    });
  }

  remove(target: string, backup: string): Promise<void> {
    const key = keyOf(target, backup);
    this.wrote(sizeOf(this.records.get(key)), 0);
    this.records.delete(key);
    return Promise.resolve();
  }

  addCopy(target: string, backup: string, copy: RecoveryPointCopy): Promise<CopyAdded> {
    const record = this.records.get(keyOf(target, backup));
    const before = sizeOf(record);
    const hadCopies = record?.copies !== undefined;
    let outcome: CopyAdded;
    if (!record) outcome = 'absent';
    else if ((record.copies ?? []).some((c) => c.region === copy.region)) outcome = 'exists';
    else {
      record.copies = [...(record.copies ?? []), structuredClone(copy)].sort((a, b) => a.region.localeCompare(b.region));
      outcome = 'added';
    }
    // The adapter's first update creates the copies map; on a record that has one already, a second adds the Region.
    if (hadCopies) this.wrote(before, before);
    this.wrote(before, sizeOf(record));
    return Promise.resolve(outcome);
  }

  completeCopy(target: string, backup: string, region: string, completedAt: string): Promise<void> {
    return this.update(target, backup, (record) => {
      const copy = record.copies?.find((c) => c.region === region);
      if (copy) copy.completedAt = completedAt;
    });
  }

  removeCopy(target: string, backup: string, region: string): Promise<void> {
    return this.update(target, backup, (record) => {
      if (!record.copies) return;
      const copies = record.copies.filter((c) => c.region !== region);
      if (copies.length > 0) record.copies = copies;
      else delete record.copies;
    });
  }

  /** One UpdateItem of a recorded backup (a failed condition when it is not recorded). */
  private update(target: string, backup: string, change: (record: RecoveryPointRecord) => void): Promise<void> {
    const record = this.records.get(keyOf(target, backup));
    const before = sizeOf(record);
    if (record) change(record);
    this.wrote(before, sizeOf(record));
    return Promise.resolve();
  }

  /** One write of an item of `before` bytes (0: none) that leaves `after` bytes. */
  private wrote(before: number, after: number): void {
    this.consumed.requests += 1;
    this.consumed.writeUnits += Math.max(1, Math.ceil(Math.max(before, after) / KB));
  }

  /** One strongly consistent read returning `bytes` of items. */
  private read(bytes: number): void {
    this.consumed.requests += 1;
    this.consumed.readUnits += Math.max(1, Math.ceil(bytes / (4 * KB)));
  }
}

const keyOf = (target: string, backup: string) => `${target}/${backup}`;
