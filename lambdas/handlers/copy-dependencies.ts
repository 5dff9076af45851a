import type { EventPublisher } from '../adapters/event-publisher';
import type { MetricsRecorder } from '../adapters/metrics-recorder';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { StorageSnapshots } from '../adapters/storage-snapshots';
import type { TargetCatalog } from '../domain/target-catalog';
import type { Log } from '../runtime/logger';

/** What the copy steps need: AWS only (the catalog, EC2, EventBridge), never a Kubernetes API. */
export interface CopyDependencies {
  catalog: () => TargetCatalog;
  recoveryPoints: RecoveryPointCatalog;
  storageSnapshots: StorageSnapshots;
  events: EventPublisher;
  metrics: MetricsRecorder;
  now: () => Date;
  log: Log;
  /** The stack's Region, where the source snapshots are (the function's own). */
  region: () => string;
  /** The recovery-point catalog's name (its table's): every copy is tagged with it (SnapshotCopyTag.Catalog). */
  catalogName: () => string;
}
