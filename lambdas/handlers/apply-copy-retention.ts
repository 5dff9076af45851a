import * as z from 'zod';
import { expiredCopies, planCopyRetention, recordsWithNothingLeft, snapshotKey } from '../domain/copy-retention';
import { orphanCopyEvents } from '../domain/orphan-copy-events';
import { findOrphanCopies, orphanCopySearchTags, type OrphanCopy } from '../domain/orphan-copies';
import type { RecoveryPointRecord } from '../domain/recovery-point-record';
import { SchedulerMetric } from '../domain/scheduler-metrics';
import { parseInput } from '../domain/validation';
import { RetentionWorkflowInputSchema } from '../domain/workflow-input';
import type { CopyAccount, CopyPolicy } from '../domain/copy-policy';
import { copyLocation, storageLocationKey, type StorageLocation } from '../domain/storage-location';
import { copyStorage, type CopyDependencies } from './copy-dependencies';

const ApplyCopyRetentionEventSchema = z.strictObject({ input: RetentionWorkflowInputSchema });

export interface ApplyCopyRetentionResult {
  dryRun: boolean;
  /** The copies' snapshots deleted (or to delete, in a dry run), as `<region>/<snapshot>`. */
  deleted: string[];
  /** Expired copies kept: the newest completed copy of the target in their Region. */
  kept: number;
  /** Snapshots of expired copies not marked as ours: left alone. */
  foreign: string[];
  /** Records removed from the catalog: source and copies all gone. */
  removedRecords: string[];
  /** Copies of ours no record knows, past the grace period (orphan-copies.ts): deleted, as `<region>/<snapshot>`. */
  orphans: string[];
}

/**
 * The copies' own retention for one target (copy-retention.ts): describes the expired copies in their Regions and
 * accounts (another account's through its role),
 * deletes those marked as ours, removes them from the catalog, and removes a record whose source retention released
 * it once neither a copy nor a source snapshot (described in the stack's Region) is left. Then it lists the target's
 * copies tagged with this catalog in each of its copy Regions (and accounts) and deletes those no record knows, past the grace
 * period (orphan-copies.ts), announcing each: copies a start made but could not record nor undo.
 */
export function createApplyCopyRetention(deps: CopyDependencies) {
  return async (event: unknown): Promise<ApplyCopyRetentionResult> => {
    const { input } = parseInput(ApplyCopyRetentionEventSchema, event, 'apply copy retention input');
    const target = deps.catalog().resolve(input.target, 'input.target');
    deps.log.appendKeys({ target: target.name });
    const now = deps.now();
    const records = await deps.recoveryPoints.recordsOf(target.name);
    // By location: a copy kept in another account is described and deleted there, through its role.
    const byLocation = new Map<string, { location: StorageLocation; ids: string[] }>();
    const accountOf = new Map<string, CopyAccount | undefined>();
    for (const { copy } of expiredCopies(records, now).expired) {
      const location = copyLocation(copy);
      const key = storageLocationKey(location);
      const ids = copy.volumes.map((v) => v.snapshotHandle);
      byLocation.set(key, { location, ids: [...(byLocation.get(key)?.ids ?? []), ...ids] });
      for (const id of ids) accountOf.set(snapshotKey(copy.region, id), copy.account);
    }
    const described = new Map<string, { tags: Record<string, string> }>();
    for (const { location, ids } of byLocation.values())
      for (const snapshot of await copyStorage(deps, location.account).describe(location.region, ids))
        described.set(snapshotKey(location.region, snapshot.id), snapshot);
    const plan = planCopyRetention({ target: target.name, records, now, described });
    const candidates = recordsWithNothingLeft({ records, forgotten: plan.forget, sourceSnapshotsLeft: new Set() });
    const forgottenBackups = new Set(plan.forget.map((ref) => ref.backup));
    // Only records whose last copy this run forgets: any other released record is the source retention's to remove.
    const candidateRecords = records.filter((r) => candidates.includes(r.backup) && forgottenBackups.has(r.backup));
    const sourceLeft = candidateRecords.length
      ? await deps.storageSnapshots.describe(
          deps.region(),
          candidateRecords.flatMap((r) => r.volumes.map((v) => v.snapshotHandle)),
        )
      : [];
    const removable = recordsWithNothingLeft({
      records: candidateRecords,
      forgotten: plan.forget,
      sourceSnapshotsLeft: new Set(sourceLeft.map((s) => s.id)),
    });
    const found = await orphanCopiesOf(target.name, target.copies, records, now, deps);
    const orphans = found.map(({ orphan }) => orphan);
    const result: ApplyCopyRetentionResult = {
      dryRun: input.dryRun,
      deleted: plan.deletions.map((d) => snapshotKey(d.region, d.snapshotId)),
      kept: plan.kept.length,
      foreign: plan.foreign.map((f) => snapshotKey(f.region, f.snapshotId)),
      removedRecords: removable,
      orphans: orphans.map((o) => snapshotKey(o.region, o.snapshotId)),
    };
    if (plan.foreign.length > 0)
      deps.log.warn('expired copies whose snapshots are not marked as ours are left', { foreign: result.foreign });
    if (input.dryRun) return result;
    for (const deletion of plan.deletions)
      await copyStorage(deps, accountOf.get(snapshotKey(deletion.region, deletion.snapshotId))).delete(
        deletion.region,
        deletion.snapshotId,
      );
    for (const ref of plan.forget) await deps.recoveryPoints.removeCopy(target.name, ref.backup, ref.region);
    for (const backup of removable) await deps.recoveryPoints.remove(target.name, backup);
    const deletedOrphans: OrphanCopy[] = [];
    for (const { orphan, location } of found)
      if ((await copyStorage(deps, location.account).delete(orphan.region, orphan.snapshotId)) === 'deleted') deletedOrphans.push(orphan);
    if (deletedOrphans.length > 0) {
      deps.log.warn('copies no record knew were deleted', { orphans: result.orphans });
      await deps.events.publish(orphanCopyEvents(target, deletedOrphans));
    }
    if (plan.deletions.length > 0)
      deps.metrics.record([{ name: SchedulerMetric.CopiesDeleted, value: plan.deletions.length, unit: 'Count' }], target.name);
    deps.log.info('copy retention applied', { ...result });
    return result;
  };
}

/**
 * The target's orphan copies where it copies to (its policy's Region and account, and any a record has a copy in):
 * listed by the tags of this catalog's copies, in another account through its role, then decided on
 * (findOrphanCopies checks every tag again); each with the location it is deleted in.
 */
async function orphanCopiesOf(
  target: string,
  policy: CopyPolicy | undefined,
  records: readonly RecoveryPointRecord[],
  now: Date,
  deps: CopyDependencies,
): Promise<Array<{ orphan: OrphanCopy; location: StorageLocation }>> {
  const catalog = deps.catalogName();
  const locations = new Map<string, StorageLocation>();
  const add = (location: StorageLocation) => locations.set(storageLocationKey(location), location);
  if (policy) add({ region: policy.region, ...(policy.account && { account: policy.account }) });
  for (const copy of records.flatMap((r) => r.copies ?? [])) add(copyLocation(copy));
  const found: Array<{ orphan: OrphanCopy; location: StorageLocation }> = [];
  for (const [, location] of [...locations].sort(([a], [b]) => a.localeCompare(b))) {
    const snapshots = await copyStorage(deps, location.account).listTagged(location.region, orphanCopySearchTags(target, catalog));
    for (const orphan of findOrphanCopies({ target, catalog, records, snapshots, now })) found.push({ orphan, location });
  }
  return found;
}
