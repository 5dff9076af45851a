import type { OrphanCopy } from './orphan-copies';
import { CopyEventType, type SchedulerEvent } from './scheduler-event';
import type { TargetSpec } from './target-spec';

/** One `Orphan Copy Deleted` per copy no record knew that copy retention deleted. */
export function orphanCopyEvents(target: TargetSpec, deleted: readonly OrphanCopy[]): SchedulerEvent[] {
  const where = { target: target.name, eksCluster: target.eksCluster, namespace: target.namespace, cluster: target.cluster };
  return deleted.map((orphan) => ({
    detailType: CopyEventType.OrphanDeleted,
    detail: {
      ...where,
      backup: orphan.backup,
      region: orphan.region,
      snapshot: orphan.snapshotId,
      sourceSnapshot: orphan.sourceSnapshotId,
      startedAt: orphan.startedAt,
    },
  }));
}
