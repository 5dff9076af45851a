import { ClusterPhase } from './cnpg-api';
import type { Cluster, DataSourceRef, PersistentVolumeClaim } from './kube-objects';

/**
 * What a restore under way still needs, whatever the policy says: the snapshots and Backups named by the recovery
 * bootstrap of a Cluster that is not yet healthy, and the snapshots a Pending claim is being provisioned from.
 */

export type ProtectionRule = 'referenced-by-restore' | 'referenced-by-pending-claim';

export interface RestoreNeeds {
  /** Snapshot name -> why it must stay. */
  snapshots: ReadonlyMap<string, ProtectionRule>;
  /** Backups named by `bootstrap.recovery.backup`. */
  backups: ReadonlySet<string>;
}

interface RecoveryBootstrap {
  backup?: { name?: unknown };
  volumeSnapshots?: { storage?: unknown; walStorage?: unknown; tablespaceStorage?: unknown };
}

/** A data source the webhook accepts is a VolumeSnapshot or a claim; only the latter is certainly not a snapshot. */
function snapshotName(ref: unknown): string | undefined {
  if (ref === null || typeof ref !== 'object') return undefined;
  const { name, kind } = ref as Partial<Record<keyof DataSourceRef, unknown>>;
  return typeof name === 'string' && kind !== 'PersistentVolumeClaim' ? name : undefined;
}

function recoveryOf(cluster: Cluster): RecoveryBootstrap | undefined {
  const recovery = cluster.spec.bootstrap?.recovery;
  return recovery !== null && typeof recovery === 'object' ? (recovery as RecoveryBootstrap) : undefined;
}

export function restoreNeeds(clusters: readonly Cluster[], claims: readonly PersistentVolumeClaim[]): RestoreNeeds {
  const snapshots = new Map<string, ProtectionRule>();
  const backups = new Set<string>();
  for (const cluster of clusters) {
    const recovery = recoveryOf(cluster);
    if (!recovery || cluster.status?.phase === ClusterPhase.Healthy) continue;
    if (typeof recovery.backup?.name === 'string') backups.add(recovery.backup.name);
    const { storage, walStorage, tablespaceStorage } = recovery.volumeSnapshots ?? {};
    const tablespaces = tablespaceStorage !== null && typeof tablespaceStorage === 'object' ? Object.values(tablespaceStorage) : [];
    for (const ref of [storage, walStorage, ...tablespaces]) {
      const name = snapshotName(ref);
      if (name) snapshots.set(name, 'referenced-by-restore');
    }
  }
  for (const claim of claims) {
    // A claim without a status has not been looked at by the provisioner yet: it is as pending as a Pending one.
    if (claim.status?.phase !== undefined && claim.status.phase !== 'Pending') continue;
    for (const ref of [claim.spec.dataSource, claim.spec.dataSourceRef])
      if (ref?.kind === 'VolumeSnapshot' && !snapshots.has(ref.name)) snapshots.set(ref.name, 'referenced-by-pending-claim');
  }
  return { snapshots, backups };
}
