import * as z from 'zod';
import type { EventPublisher } from '../adapters/event-publisher';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { AccountStorageSnapshots, StorageSnapshots } from '../adapters/storage-snapshots';
import { catalogDriftEvents } from '../domain/recovery-point-reconciliation-events';
import {
  claimedLocations,
  claimedStorageSnapshots,
  recoveryPointDrift,
  type RecoveryPointDrift,
} from '../domain/recovery-point-reconciliation';
import type { TargetCatalog } from '../domain/target-catalog';
import { parseInput } from '../domain/validation';
import { RetentionWorkflowInputSchema } from '../domain/workflow-input';
import type { Log } from '../runtime/logger';

/** AWS only: the catalog and EC2, no Kubernetes (the records outlive the namespace and the EKS cluster). */
export interface ReconcileRecoveryPointsDependencies {
  catalog: () => TargetCatalog;
  recoveryPoints: RecoveryPointCatalog;
  storageSnapshots: StorageSnapshots;
  /** The storage snapshots of the other accounts copies are kept in, through their roles. */
  accountSnapshots: AccountStorageSnapshots;
  /** The function's Region: where the backups' own storage snapshots are (the EKS clusters'). */
  region: () => string;
  events: EventPublisher;
  now: () => Date;
  log: Log;
}

/** The retention workflow's input, as ApplyRetention is given it: a dry run reports the drift and changes nothing. */
const ReconcileRecoveryPointsEventSchema = z.strictObject({ input: RetentionWorkflowInputSchema });

export interface ReconcileRecoveryPointsResult extends RecoveryPointDrift {
  dryRun: boolean;
  /** The storage snapshots asked about, by Region (`<region>@<account>` for copies kept in another account). */
  checked: Record<string, number>;
}

/**
 * Keeps the catalog from claiming storage that no longer exists: asks EC2 about every storage snapshot the target's
 * records claim, in its Region and account (a copy kept in another account through its role there), then marks each record whose own snapshots are gone expired (no restore chooses it;
 * its copies stay restorable in their Regions) and drops each copy whose snapshots are gone, announcing each.
 */
export function createReconcileRecoveryPoints(deps: ReconcileRecoveryPointsDependencies) {
  return async (event: unknown): Promise<ReconcileRecoveryPointsResult> => {
    const { input } = parseInput(ReconcileRecoveryPointsEventSchema, event, 'reconciliation input');
    const target = deps.catalog().resolve(input.target, 'input.target');
    deps.log.appendKeys({ target: target.name });
    const sourceRegion = deps.region();
    const records = await deps.recoveryPoints.recordsOf(target.name);
    const claimed = claimedStorageSnapshots(records, sourceRegion);
    const locations = claimedLocations(records, sourceRegion);
    const existing = new Map<string, Set<string>>();
    for (const [key, ids] of claimed) {
      const location = locations.get(key) ?? { region: key };
      const snapshots = location.account ? deps.accountSnapshots(location.account) : deps.storageSnapshots;
      existing.set(key, new Set((await snapshots.describe(location.region, ids)).map((snapshot) => snapshot.id)));
    }
    const drift = recoveryPointDrift({ records, sourceRegion, existing });
    if (!input.dryRun) {
      const at = deps.now().toISOString();
      for (const { backup } of drift.lost) await deps.recoveryPoints.expire(target.name, backup, at);
      for (const { backup, region } of drift.lostCopies) await deps.recoveryPoints.removeCopy(target.name, backup, region);
      const events = catalogDriftEvents(target, sourceRegion, drift);
      if (events.length > 0) await deps.events.publish(events);
    }
    if (drift.lost.length + drift.lostCopies.length > 0)
      deps.log.warn('the catalog claimed storage snapshots that are gone', { dryRun: input.dryRun, ...drift });
    return {
      dryRun: input.dryRun,
      ...drift,
      checked: Object.fromEntries([...claimed].map(([region, ids]) => [region, ids.length])),
    };
  };
}
