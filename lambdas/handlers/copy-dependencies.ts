import type { EventPublisher } from '../adapters/event-publisher';
import type { MetricsRecorder } from '../adapters/metrics-recorder';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { AccountStorageSnapshots, StorageSnapshots } from '../adapters/storage-snapshots';
import type { CopyAccount } from '../domain/copy-policy';
import type { TargetCatalog } from '../domain/target-catalog';
import type { Log } from '../runtime/logger';

/** What the copy steps need: AWS only (the catalog, EC2, EventBridge), never a Kubernetes API. */
export interface CopyDependencies {
  catalog: () => TargetCatalog;
  recoveryPoints: RecoveryPointCatalog;
  /** The scheduler's own account's storage snapshots: the sources, and the copies kept in this account. */
  storageSnapshots: StorageSnapshots;
  /** The storage snapshots of another account copies are kept in, through the role there (copies `account`). */
  accountSnapshots: AccountStorageSnapshots;
  events: EventPublisher;
  metrics: MetricsRecorder;
  now: () => Date;
  log: Log;
  /** The stack's Region, where the source snapshots are (the function's own). */
  region: () => string;
  /** The recovery-point catalog's name (its table's): every copy is tagged with it (SnapshotCopyTag.Catalog). */
  catalogName: () => string;
}

/** Where copies kept in `account` are made, described and deleted: that account's, or the scheduler's own without one. */
export function copyStorage(deps: CopyDependencies, account: CopyAccount | undefined): StorageSnapshots {
  return account ? deps.accountSnapshots(account) : deps.storageSnapshots;
}
