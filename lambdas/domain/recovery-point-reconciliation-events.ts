import type { RecoveryPointDrift } from './recovery-point-reconciliation';
import { CatalogDriftEventType, type SchedulerEvent } from './scheduler-event';
import type { TargetSpec } from './target-spec';

/** One `Recovery Point Lost` per record the catalog stopped claiming, one `Recovery Point Copy Lost` per copy it dropped. */
export function catalogDriftEvents(target: TargetSpec, sourceRegion: string, drift: RecoveryPointDrift): SchedulerEvent[] {
  const where = { target: target.name, eksCluster: target.eksCluster, namespace: target.namespace, cluster: target.cluster };
  return [
    ...drift.lost.map(({ backup, snapshotHandles }) => ({
      detailType: CatalogDriftEventType.RecoveryPointLost,
      detail: { ...where, backup, region: sourceRegion, missingSnapshots: snapshotHandles },
    })),
    ...drift.lostCopies.map(({ backup, region, snapshotHandles }) => ({
      detailType: CatalogDriftEventType.CopyLost,
      detail: { ...where, backup, region, missingSnapshots: snapshotHandles },
    })),
  ];
}
