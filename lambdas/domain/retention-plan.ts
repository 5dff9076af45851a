import { BackupPhase, CnpgLabel } from './cnpg-api';
import type { Backup, VolumeSnapshot } from './kube-objects';
import {
  byName,
  completionTimeOf,
  durationMs,
  instant,
  isInScope,
  nameOf,
  phaseOf,
  plannedBackups,
  snapshotsByBackup,
  type RetentionInputs,
} from './retention-inputs';
import { restoreNeeds, type ProtectionRule } from './retention-protections';
import { keptCompletedBackups, type CompletedKeepRule } from './retention-tiers';

/**
 * The retention planner: from what the namespace holds now and the policy, decides for every volume-snapshot Backup
 * of the cluster, and every VolumeSnapshot they own, whether to keep or delete it, and names the rule that decided.
 *
 * A Backup is kept, by the first rule that applies: `out-of-scope` (scope `managed` and not labelled as ours);
 * `in-progress` (any phase but completed or failed, or none); `referenced-by-restore` / `referenced-by-pending-claim`
 * (a restore under way, from the moment its request chose the backup, needs it or one of its snapshots); for a failed one, `failed-within-failed-keep` (created less
 * than `failedKeep` ago); for a completed one, the rules of keptCompletedBackups. Failed backups never count toward
 * `minKeep` or a tier. Everything else is deleted (`expired`, `failed-expired`) with its snapshots.
 * A snapshot shares its Backup's decision, except that one a restore needs shows the rule that protects it.
 *
 * A snapshot whose Backup no longer exists cannot be proved ours (CNPG copies the PVC's labels, never ours), yet it
 * is what a run interrupted between deleting a Backup and its snapshots leaves behind, in either scope. So in both
 * scopes such a snapshot labelled as this cluster's is swept (`orphaned-snapshot`), but only once it is older than
 * `keepWithin + failedKeep`: that outlasts both a Backup created while the namespace was being listed and the
 * diagnosis time a failed Backup, deleted by hand, would have had.
 *
 * Pure and deterministic: the plan depends only on the inputs, not on their order; both lists are newest first.
 * Applying the plan and planning again deletes nothing.
 */

export type { RetentionInputs } from './retention-inputs';

export type RetentionRule =
  | 'out-of-scope'
  | 'in-progress'
  | ProtectionRule
  | CompletedKeepRule
  | 'failed-within-failed-keep'
  | 'orphan-within-grace'
  | 'expired'
  | 'failed-expired'
  | 'orphaned-snapshot';

export interface BackupDecision {
  name: string;
  action: 'keep' | 'delete';
  rule: RetentionRule;
  /** status.phase, empty when CNPG has not set one yet. */
  phase: string;
  /** For completed backups: status.stoppedAt, else the creation time. */
  completedAt?: string;
  /** Its VolumeSnapshots (labelled cnpg.io/backupName), by name. */
  snapshots: string[];
}

export interface SnapshotDecision {
  name: string;
  /** Its cnpg.io/backupName label. */
  backupName?: string;
  action: 'keep' | 'delete';
  rule: RetentionRule;
}

export interface RetentionPlan {
  backups: BackupDecision[];
  snapshots: SnapshotDecision[];
  /** Backups and VolumeSnapshots kept. */
  kept: number;
  /** Backups and VolumeSnapshots deleted: 0 when the namespace already meets the policy. */
  deleted: number;
}

type Verdict = Pick<BackupDecision, 'action' | 'rule'>;

const keep = (rule: RetentionRule): Verdict => ({ action: 'keep', rule });
const remove = (rule: RetentionRule): Verdict => ({ action: 'delete', rule });

export function planRetention(inputs: RetentionInputs): RetentionPlan {
  const { policy, now } = inputs;
  const windowStart = now.getTime() - durationMs(policy.keepWithin);
  const failedKeepStart = now.getTime() - durationMs(policy.failedKeep);
  const orphanGraceStart = windowStart - durationMs(policy.failedKeep);
  const timeOf = (backup: Backup) => instant(completionTimeOf(backup), now);
  const newestFirst = (a: Backup, b: Backup) => timeOf(b) - timeOf(a) || byName(nameOf(b), nameOf(a));

  const backups = plannedBackups(inputs).sort(newestFirst);
  const snapshotsOf = snapshotsByBackup(inputs.snapshots);
  const needs = restoreNeeds(inputs);
  const completed = backups.filter((b) => isInScope(b, policy) && phaseOf(b) === BackupPhase.Completed);
  const keepers = keptCompletedBackups(
    completed.map((b) => ({ name: nameOf(b), completedAt: timeOf(b) })),
    policy,
    windowStart,
  );

  const decide = (backup: Backup): Verdict => {
    const phase = phaseOf(backup);
    if (!isInScope(backup, policy)) return keep('out-of-scope');
    if (phase !== BackupPhase.Completed && phase !== BackupPhase.Failed) return keep('in-progress');
    const needed = new Set((snapshotsOf.get(nameOf(backup)) ?? []).map((s) => needs.snapshots.get(nameOf(s))));
    if (needs.backups.has(nameOf(backup)) || needed.has('referenced-by-restore')) return keep('referenced-by-restore');
    if (needed.has('referenced-by-pending-claim')) return keep('referenced-by-pending-claim');
    if (phase === BackupPhase.Failed)
      return instant(backup.metadata.creationTimestamp, now) > failedKeepStart
        ? keep('failed-within-failed-keep')
        : remove('failed-expired');
    const rule = keepers.get(nameOf(backup));
    return rule ? keep(rule) : remove('expired');
  };

  const backupDecisions: BackupDecision[] = backups.map((backup) => ({
    name: nameOf(backup),
    ...decide(backup),
    phase: phaseOf(backup),
    ...(phaseOf(backup) === BackupPhase.Completed && { completedAt: completionTimeOf(backup) }),
    snapshots: (snapshotsOf.get(nameOf(backup)) ?? []).map(nameOf).sort(byName),
  }));

  const verdictOf = new Map<string, Verdict>(backupDecisions.map(({ name, action, rule }) => [name, { action, rule }]));
  const existing = new Set(inputs.backups.map(nameOf));
  /** Undefined when not in the plan: a snapshot of another cluster's or method's Backup, or an orphan of another cluster. */
  const verdictForSnapshot = (snapshot: VolumeSnapshot, backupName: string): Verdict | undefined => {
    const owner = verdictOf.get(backupName);
    if (owner || existing.has(backupName) || snapshot.metadata.labels?.[CnpgLabel.Cluster] !== inputs.cluster) return owner;
    return instant(snapshot.metadata.creationTimestamp, now) > orphanGraceStart ? keep('orphan-within-grace') : remove('orphaned-snapshot');
  };
  const planned: Array<{ createdAt: number; decision: SnapshotDecision }> = [];
  for (const snapshot of inputs.snapshots) {
    const backupName = snapshot.metadata.labels?.[CnpgLabel.BackupName];
    const verdict = backupName === undefined ? undefined : verdictForSnapshot(snapshot, backupName);
    if (!verdict) continue;
    const needed = needs.snapshots.get(nameOf(snapshot));
    const decision = { name: nameOf(snapshot), backupName, ...(needed ? keep(needed) : verdict) };
    planned.push({ createdAt: instant(snapshot.metadata.creationTimestamp, now), decision });
  }
  const snapshots = planned
    .sort((a, b) => b.createdAt - a.createdAt || byName(a.decision.name, b.decision.name))
    .map(({ decision }) => decision);

  const all = [...backupDecisions, ...snapshots];
  const deleted = all.filter((d) => d.action === 'delete').length;
  return { backups: backupDecisions, snapshots, kept: all.length - deleted, deleted };
}
