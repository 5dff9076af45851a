import { BackupPhase, ClusterPhase, CnpgLabel, KubeLabel } from './cnpg-api';
import { durationSeconds, type Duration } from './duration';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from './kube-objects';
import { periodOf, type TierPeriod } from './retention-periods';
import { MANAGER_NAME } from './scheduler-metadata';
import type { RetentionPolicy } from './target-spec';

/**
 * The retention planner: from what the namespace holds now and the policy, decides for every backup of the cluster
 * and every snapshot they own whether to keep or delete it, and names the rule that decided. Pure: the same inputs
 * always give the same plan, whatever their order.
 *
 * Kept, in this order of precedence: backups still running; backups or snapshots a recovering Cluster or a Pending
 * claim still needs; out-of-scope backups; the newest completed backup; the newest `minKeep` completed backups;
 * completed backups younger than `keepWithin`; beyond that window, the newest completed backup of each of the most
 * recent `daily` UTC days / `weekly` ISO weeks / `monthly` months that have one; failed backups younger than
 * `failedKeep`. Everything else of the cluster's volume-snapshot backups is deleted with its snapshots, and so are
 * snapshots of this cluster whose Backup no longer exists once they are older than `keepWithin`.
 */

export interface RetentionInputs {
  /** The CNPG cluster whose backups are planned (spec.cluster.name). */
  cluster: string;
  /** Backups in the namespace; other clusters' and other methods' are ignored. */
  backups: readonly Backup[];
  /** VolumeSnapshots in the namespace. */
  snapshots: readonly VolumeSnapshot[];
  /** Clusters in the namespace: a recovery bootstrap may still need snapshots. */
  clusters: readonly Cluster[];
  /** Claims in the namespace: a Pending claim may be restoring from a snapshot. */
  claims: readonly PersistentVolumeClaim[];
  policy: RetentionPolicy;
  now: Date;
}

export type RetentionRule =
  | 'in-progress'
  | 'referenced-by-restore'
  | 'referenced-by-pending-claim'
  | 'out-of-scope'
  | 'newest-completed'
  | 'min-keep'
  | 'within-keep-window'
  | 'daily-tier'
  | 'weekly-tier'
  | 'monthly-tier'
  | 'failed-within-failed-keep'
  | 'expired'
  | 'failed-expired'
  | 'orphan-within-keep-window'
  | 'orphaned-snapshot';

export interface BackupDecision {
  name: string;
  action: 'keep' | 'delete';
  rule: RetentionRule;
  phase: string;
  /** When it completed (status.stoppedAt), or was created if it never completed. */
  time: string;
  snapshots: string[];
}

export interface SnapshotDecision {
  name: string;
  backupName?: string;
  action: 'keep' | 'delete';
  rule: RetentionRule;
}

export interface RetentionPlan {
  backups: BackupDecision[];
  snapshots: SnapshotDecision[];
}

const TIERS: ReadonlyArray<{ tier: TierPeriod; rule: RetentionRule }> = [
  { tier: 'daily', rule: 'daily-tier' },
  { tier: 'weekly', rule: 'weekly-tier' },
  { tier: 'monthly', rule: 'monthly-tier' },
];

const name = (object: { metadata: { name?: string } }) => object.metadata.name ?? '';
const phaseOf = (backup: Backup) => backup.status?.phase ?? '';
const timeOf = (backup: Backup) => backup.status?.stoppedAt ?? backup.metadata.creationTimestamp ?? '';
const ms = (time: string | undefined) => (time ? new Date(time).getTime() : 0);

/** Newest first; names break ties so the order never depends on the input order. */
function newestFirst(a: Backup, b: Backup): number {
  return ms(timeOf(b)) - ms(timeOf(a)) || name(b).localeCompare(name(a));
}

/** Snapshot names a Cluster still recovering from snapshots needs, and Backup names one recovering from a Backup needs. */
function recoveryReferences(clusters: readonly Cluster[]): { snapshots: Set<string>; backups: Set<string> } {
  const snapshots = new Set<string>();
  const backups = new Set<string>();
  for (const cluster of clusters) {
    if (cluster.status?.phase === ClusterPhase.Healthy) continue;
    const recovery = (
      cluster.spec.bootstrap as { recovery?: { volumeSnapshots?: Record<string, unknown>; backup?: { name?: string } } } | undefined
    )?.recovery;
    if (!recovery) continue;
    if (recovery.backup?.name) backups.add(recovery.backup.name);
    const refs = recovery.volumeSnapshots ?? {};
    for (const ref of [
      refs.storage,
      refs.walStorage,
      ...Object.values((refs.tablespaceStorage as Record<string, unknown> | undefined) ?? {}),
    ])
      if (ref && typeof ref === 'object' && typeof (ref as { name?: unknown }).name === 'string')
        snapshots.add((ref as { name: string }).name);
  }
  return { snapshots, backups };
}

function pendingClaimSources(claims: readonly PersistentVolumeClaim[]): Set<string> {
  const sources = new Set<string>();
  for (const claim of claims) {
    if (claim.status?.phase !== undefined && claim.status.phase !== 'Pending') continue;
    for (const ref of [claim.spec.dataSource, claim.spec.dataSourceRef]) if (ref?.kind === 'VolumeSnapshot') sources.add(ref.name);
  }
  return sources;
}

export function planRetention(inputs: RetentionInputs): RetentionPlan {
  const { policy, now } = inputs;
  const keepWithinMs = durationSeconds(policy.keepWithin as Duration) * 1000;
  const failedKeepMs = durationSeconds(policy.failedKeep as Duration) * 1000;
  const windowStart = now.getTime() - keepWithinMs;

  const ours = inputs.backups.filter((b) => b.spec.cluster.name === inputs.cluster && b.spec.method === 'volumeSnapshot').sort(newestFirst);
  const snapshotsOf = new Map<string, VolumeSnapshot[]>();
  for (const snapshot of inputs.snapshots) {
    const backupName = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    if (backupName) snapshotsOf.set(backupName, [...(snapshotsOf.get(backupName) ?? []), snapshot]);
  }
  const references = recoveryReferences(inputs.clusters);
  const claimSources = pendingClaimSources(inputs.claims);
  const protectionOf = (snapshotName: string): RetentionRule | undefined =>
    references.snapshots.has(snapshotName)
      ? 'referenced-by-restore'
      : claimSources.has(snapshotName)
        ? 'referenced-by-pending-claim'
        : undefined;
  const inScope = (backup: Backup) => policy.scope === 'all' || backup.metadata.labels?.[KubeLabel.ManagedBy] === MANAGER_NAME;

  const completed = ours.filter((b) => inScope(b) && phaseOf(b) === BackupPhase.Completed);
  const keepers = new Map<string, RetentionRule>();
  completed.forEach((backup, index) => {
    if (index === 0) keepers.set(name(backup), 'newest-completed');
    else if (index < policy.minKeep) keepers.set(name(backup), 'min-keep');
    else if (ms(timeOf(backup)) > windowStart) keepers.set(name(backup), 'within-keep-window');
  });
  const beyondWindow = completed.filter((b) => ms(timeOf(b)) <= windowStart);
  for (const { tier, rule } of TIERS) {
    const periods = new Set<string>();
    for (const backup of beyondWindow) {
      const period = periodOf(tier, new Date(timeOf(backup)));
      if (periods.has(period) || periods.size >= policy[tier]) continue;
      periods.add(period);
      if (!keepers.has(name(backup))) keepers.set(name(backup), rule);
    }
  }

  const decideBackup = (backup: Backup): Pick<BackupDecision, 'action' | 'rule'> => {
    const phase = phaseOf(backup);
    if (phase !== BackupPhase.Completed && phase !== BackupPhase.Failed) return { action: 'keep', rule: 'in-progress' };
    const protections = new Set((snapshotsOf.get(name(backup)) ?? []).map((s) => protectionOf(name(s))));
    if (references.backups.has(name(backup)) || protections.has('referenced-by-restore'))
      return { action: 'keep', rule: 'referenced-by-restore' };
    if (protections.has('referenced-by-pending-claim')) return { action: 'keep', rule: 'referenced-by-pending-claim' };
    if (!inScope(backup)) return { action: 'keep', rule: 'out-of-scope' };
    if (phase === BackupPhase.Failed)
      return ms(backup.metadata.creationTimestamp) > now.getTime() - failedKeepMs
        ? { action: 'keep', rule: 'failed-within-failed-keep' }
        : { action: 'delete', rule: 'failed-expired' };
    const keeper = keepers.get(name(backup));
    return keeper ? { action: 'keep', rule: keeper } : { action: 'delete', rule: 'expired' };
  };

  const backups: BackupDecision[] = ours.map((backup) => ({
    name: name(backup),
    ...decideBackup(backup),
    phase: phaseOf(backup),
    time: timeOf(backup),
    snapshots: (snapshotsOf.get(name(backup)) ?? []).map(name).sort(),
  }));

  const snapshots: SnapshotDecision[] = [];
  for (const decision of backups)
    for (const snapshot of decision.snapshots)
      snapshots.push({ name: snapshot, backupName: decision.name, action: decision.action, rule: decision.rule });
  const existingBackups = new Set(inputs.backups.map(name));
  for (const snapshot of inputs.snapshots) {
    const backupName = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    if (!backupName || existingBackups.has(backupName) || snapshot.metadata.labels?.[CnpgLabel.Cluster] !== inputs.cluster) continue;
    const protection = protectionOf(name(snapshot));
    const rule: RetentionRule =
      protection ?? (ms(snapshot.metadata.creationTimestamp) > windowStart ? 'orphan-within-keep-window' : 'orphaned-snapshot');
    snapshots.push({ name: name(snapshot), backupName, action: rule === 'orphaned-snapshot' ? 'delete' : 'keep', rule });
  }
  snapshots.sort((a, b) => a.name.localeCompare(b.name));
  return { backups, snapshots };
}
