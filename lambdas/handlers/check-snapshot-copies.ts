import * as z from 'zod';
import { CopyFollowStateSchema, decideCopyProgress } from '../domain/copy-progress';
import type { CopyStepResult } from '../domain/copy-step-result';
import { CopyEventType } from '../domain/scheduler-event';
import { SchedulerMetric } from '../domain/scheduler-metrics';
import { isOwnCopy } from '../domain/snapshot-copy-request';
import { parseInput } from '../domain/validation';
import { TargetReferenceSchema } from '../domain/workflow-input';
import type { RecoveryPointCopy } from '../domain/recovery-point-record';
import { copyStorage, type CopyDependencies } from './copy-dependencies';

const CheckSnapshotCopiesEventSchema = z.strictObject({
  target: TargetReferenceSchema,
  backup: z.string().min(1),
  follow: CopyFollowStateSchema,
});

/**
 * Describes the copies of a backup in their Region (and account) and decides (copy-progress.ts): still pending, the
 * next wait; completed, the sources' shares with the copies' account taken back (when in another account), completedAt in the catalog and `Copy Completed`; failed, every copy of the backup in that Region is
 * deleted (a partial set restores nothing) and removed from the catalog, and `Copy Failed` is published.
 */
export function createCheckSnapshotCopies(deps: CopyDependencies) {
  return async (event: unknown): Promise<CopyStepResult> => {
    const { target: ref, backup, follow: previous } = parseInput(CheckSnapshotCopiesEventSchema, event, 'check snapshot copies input');
    const target = deps.catalog().resolve(ref);
    deps.log.appendKeys({ target: target.name, backup });
    const follow = { ...previous, checks: previous.checks + 1 };
    const { region } = follow;
    // Only this backup's record (GetItem): a check repeats every few minutes for hours, and the target may have thousands.
    const record = await deps.recoveryPoints.recordOf(target.name, backup);
    const copy = record?.copies?.find((c) => c.region === region);
    const base = { target: target.name, backup, region };
    if (!copy) {
      const reason = `the copy of ${backup} to ${region} is no longer in the recovery-point catalog`;
      await fail(base, reason, deps);
      return { follow, progress: { state: 'failed', reason } };
    }
    const storage = copyStorage(deps, copy.account);
    const described = await storage.describe(
      region,
      copy.volumes.map((v) => v.snapshotHandle),
    );
    const progress = decideCopyProgress({ copy, described, checks: follow.checks, now: deps.now() });
    switch (progress.state) {
      case 'waiting':
        return { follow, progress: { state: 'waiting', waitSeconds: progress.waitSeconds } };
      case 'completed': {
        await unshareSources(copy, deps);
        const completedAt = deps.now().toISOString();
        await deps.recoveryPoints.completeCopy(target.name, backup, region, completedAt);
        deps.metrics.record(
          [
            { name: SchedulerMetric.CopySucceeded, value: 1, unit: 'Count' },
            { name: SchedulerMetric.CopyDurationSeconds, value: progress.durationSeconds, unit: 'Seconds' },
          ],
          target.name,
        );
        await deps.events.publish([
          {
            detailType: CopyEventType.Completed,
            detail: {
              ...base,
              completedAt,
              durationSeconds: progress.durationSeconds,
              expiresAt: copy.expiresAt,
              snapshots: copy.volumes.map((v) => ({ role: v.role, source: v.sourceSnapshotHandle, copy: v.snapshotHandle })),
            },
          },
        ]);
        deps.log.info('copies completed', { region, checks: follow.checks });
        return { follow, progress: { state: 'completed' } };
      }
      case 'failed': {
        const byId = new Map(described.map((snapshot) => [snapshot.id, snapshot]));
        for (const volume of copy.volumes) {
          const snapshot = byId.get(volume.snapshotHandle);
          if (snapshot && isOwnCopy(snapshot.tags, target.name, backup, volume.sourceSnapshotHandle))
            await storage.delete(region, volume.snapshotHandle);
        }
        await unshareSources(copy, deps);
        await deps.recoveryPoints.removeCopy(target.name, backup, region);
        await fail(base, progress.reason, deps);
        return { follow, progress: { state: 'failed', reason: progress.reason } };
      }
    }
  };
}

/** A copy kept in another account is done with its sources: their shares with that account are taken back. */
async function unshareSources(copy: RecoveryPointCopy, deps: CopyDependencies): Promise<void> {
  if (!copy.account) return;
  for (const volume of copy.volumes) await deps.storageSnapshots.unshare(deps.region(), volume.sourceSnapshotHandle, copy.account.id);
}

async function fail(detail: { target: string; backup: string; region: string }, reason: string, deps: CopyDependencies): Promise<void> {
  deps.metrics.record([{ name: SchedulerMetric.CopyFailed, value: 1, unit: 'Count' }], detail.target);
  await deps.events.publish([{ detailType: CopyEventType.Failed, detail: { ...detail, error: reason } }]);
  deps.log.warn('copies failed', { reason });
}
