import type { RecoveryPointLedger } from '../lambdas/adapters/recovery-point-ledger';
import type { RecoveryPointRecord, RecoveryPointRecordUpdate } from '../lambdas/domain/recovery-point-audit';

/**
 * The recovery point ledger in memory, with the DynamoDB adapter's semantics: the newest completion wins whatever the
 * order of delivery (backups and drills alike), the first audit time is kept once, a breach (of the RPO, of the drill
 * age) is set and removed.
 */
export class MemoryRecoveryPointLedger implements RecoveryPointLedger {
  private readonly records = new Map<string, RecoveryPointRecord>();

  recordCompleted(target: string, backup: { name: string; completedAt: string }): Promise<void> {
    const record = this.records.get(target) ?? { target };
    const newer = !record.newestBackup || Date.parse(record.newestBackup.completedAt) < Date.parse(backup.completedAt);
    if (newer) this.records.set(target, { ...record, newestBackup: { ...backup } });
    return Promise.resolve();
  }

  recordDrill(target: string, drill: { execution: string; completedAt: string }): Promise<void> {
    const record = this.records.get(target) ?? { target };
    if (!record.lastDrill || Date.parse(record.lastDrill.completedAt) < Date.parse(drill.completedAt))
      this.records.set(target, { ...record, lastDrill: { ...drill } });
    return Promise.resolve();
  }

  readAll(): Promise<RecoveryPointRecord[]> {
    return Promise.resolve(structuredClone([...this.records.values()]));
  }

  apply(updates: readonly RecoveryPointRecordUpdate[]): Promise<void> {
    for (const update of updates) {
      const record: RecoveryPointRecord = { ...(this.records.get(update.target) ?? { target: update.target }) };
      if (update.firstAuditedAt && !record.firstAuditedAt) record.firstAuditedAt = update.firstAuditedAt;
      if (update.breachedSince) record.breachedSince = update.breachedSince;
      else if (update.breachedSince === null) delete record.breachedSince;
      if (update.drillOverdueSince) record.drillOverdueSince = update.drillOverdueSince;
      else if (update.drillOverdueSince === null) delete record.drillOverdueSince;
      this.records.set(update.target, record);
    }
    return Promise.resolve();
  }
}
