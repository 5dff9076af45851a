import { BackupPhase, CnpgLabel } from './cnpg-api';
import type { Backup, VolumeSnapshot } from './kube-objects';
import {
  byName,
  completionTimeOf,
  durationMs,
  instant,
  isBeingDeleted,
  isInScope,
  isSnapshotInScope,
  nameOf,
  phaseOf,
  plannedBackups,
  snapshotsByBackup,
  type RetentionInputs,
} from './retention-inputs';
import { restoreNeeds, type ProtectionRule } from './retention-protections';
import { keptCompletedBackups, type CompletedKeepRule } from './retention-tiers';
import { isSnapshotMarkedFor } from './scheduler-metadata';

/**
 * The retention planner: from what the namespace holds now and the policy, decides for every volume-snapshot Backup
 * of the cluster, and every VolumeSnapshot they own, whether to keep or delete it, and names the rule that decided.
 *
 * A Backup is kept, by the first rule that applies: `out-of-scope` (scope `managed` and not carrying this target's
 * marks); `in-progress` (any phase but completed or failed, or none); `referenced-by-restore` /
 * `referenced-by-pending-claim` (a restore under way, from the moment its request chose
 * the backup, needs it or one of its snapshots); for a failed one,
 * `failed-within-failed-keep` (created less than `failedKeep` ago); for a completed one, the rules of
 * keptCompletedBackups. Failed backups never count toward `minKeep` or a tier. Everything else is deleted
 * (`expired`, `failed-expired`) with its snapshots. A snapshot shares its Backup's decision, except that one a
 * restore needs shows the rule that protects it.
 *
 * A snapshot of this cluster whose Backup no longer exists (an orphan) is in scope under `managed` only when it
 * carries this target's marks, which the scheduler puts on the snapshots of its Backups: CNPG copies the PVC's
 * labels, never ours, and users keep snapshots of Backups they delete on purpose. An orphan in scope is swept
 * (`orphaned-snapshot`) once older than `keepWithin + failedKeep`: that outlasts both a Backup created while the
 * namespace was being listed and the diagnosis time a failed Backup, deleted by hand, would have had. One whose
 * deletion the API server has already accepted is reported as `deletion-in-progress`.
 *
 * Pure and deterministic: the plan depends only on the inputs, not on their order. Backups are listed newest first;
 * snapshots by their Backup in that order (by name within one), then the orphans, newest first. Linear but for
 * the sort of the Backups; every timestamp is parsed once, and the snapshots' only for orphans. Applying the plan
 * and planning again deletes nothing.
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
  | 'orphaned-snapshot'
  | 'deletion-in-progress';

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
  /** Snapshots its status names that are no longer there: its deletion was cut short, or someone removed them. */
  missingSnapshots?: string[];
  /** The API server has accepted its deletion (deletionTimestamp): it goes once its finalizers are removed. */
  deleting?: true;
}

export interface SnapshotDecision {
  name: string;
  /** Its cnpg.io/backupName label. */
  backupName: string;
  action: 'keep' | 'delete';
  rule: RetentionRule;
  /** It carries this target's marks (managed-by and target labels). */
  marked: boolean;
  /** The API server has accepted its deletion (deletionTimestamp): it goes once its finalizers are removed. */
  deleting?: true;
  /** status.boundVolumeSnapshotContentName: the content whose deletionPolicy decides whether deleting it frees storage. */
  content?: string;
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

/** One frozen verdict per action and rule, shared by every decision: a large plan allocates none. */
function verdicts(action: Verdict['action']): (rule: RetentionRule) => Verdict {
  const shared = new Map<RetentionRule, Verdict>();
  return (rule) => {
    let verdict = shared.get(rule);
    if (!verdict) {
      verdict = Object.freeze({ action, rule });
      shared.set(rule, verdict);
    }
    return verdict;
  };
}
const keep = verdicts('keep');
const remove = verdicts('delete');

interface PlannedBackup {
  backup: Backup;
  name: string;
  phase: string;
  /** Completion time (creation time without one), ms since the epoch, parsed once. */
  time: number;
  inScope: boolean;
}

export function planRetention(inputs: RetentionInputs): RetentionPlan {
  const { policy, now } = inputs;
  const windowStart = now.getTime() - durationMs(policy.keepWithin);
  const failedKeepStart = now.getTime() - durationMs(policy.failedKeep);
  const orphanGraceStart = windowStart - durationMs(policy.failedKeep);

  const planned: PlannedBackup[] = plannedBackups(inputs).map((backup) => ({
    backup,
    name: nameOf(backup),
    phase: phaseOf(backup),
    time: instant(completionTimeOf(backup), now),
    inScope: isInScope(backup, inputs),
  }));
  planned.sort((a, b) => b.time - a.time || byName(b.name, a.name));
  const snapshotsOf = snapshotsByBackup(inputs.snapshots);
  const needs = restoreNeeds(inputs);
  const completed: Array<{ name: string; completedAt: number }> = [];
  for (const p of planned) if (p.inScope && p.phase === BackupPhase.Completed) completed.push({ name: p.name, completedAt: p.time });
  const keepers = keptCompletedBackups(completed, policy, windowStart);

  const decide = ({ backup, name, phase, inScope }: PlannedBackup, snapshots: readonly VolumeSnapshot[]): Verdict => {
    if (!inScope) return keep('out-of-scope');
    if (phase !== BackupPhase.Completed && phase !== BackupPhase.Failed) return keep('in-progress');
    if (needs.backups.has(name)) return keep('referenced-by-restore');
    let claimed = false;
    for (const snapshot of snapshots) {
      const need = needs.snapshots.get(nameOf(snapshot));
      if (need === 'referenced-by-restore') return keep(need);
      claimed ||= need === 'referenced-by-pending-claim';
    }
    if (claimed) return keep('referenced-by-pending-claim');
    if (phase === BackupPhase.Failed)
      return instant(backup.metadata.creationTimestamp, now) > failedKeepStart
        ? keep('failed-within-failed-keep')
        : remove('failed-expired');
    const rule = keepers.get(name);
    return rule ? keep(rule) : remove('expired');
  };

  const marksOf = (snapshot: VolumeSnapshot) => isSnapshotMarkedFor(snapshot.metadata.labels, inputs.target);
  const snapshotDecision = (snapshot: VolumeSnapshot, backupName: string, verdict: Verdict): SnapshotDecision => {
    const name = nameOf(snapshot);
    const needed = needs.snapshots.get(name);
    const { action, rule } = needed ? keep(needed) : verdict;
    const decision: SnapshotDecision = { name, backupName, action, rule, marked: marksOf(snapshot) };
    if (isBeingDeleted(snapshot)) decision.deleting = true;
    const content = snapshot.status?.boundVolumeSnapshotContentName;
    if (content !== undefined) decision.content = content;
    return decision;
  };

  const backupDecisions: BackupDecision[] = [];
  const snapshots: SnapshotDecision[] = [];
  for (const entry of planned) {
    const own = snapshotsOf.get(entry.name) ?? [];
    const verdict = decide(entry, own);
    // The groups are this plan's own arrays: sorted in place.
    const listed = own.length > 1 ? own.sort((a, b) => byName(nameOf(a), nameOf(b))) : own;
    const decision: BackupDecision = {
      name: entry.name,
      action: verdict.action,
      rule: verdict.rule,
      phase: entry.phase,
      snapshots: listed.map(nameOf),
    };
    if (entry.phase === BackupPhase.Completed) decision.completedAt = completionTimeOf(entry.backup);
    const missing = missingSnapshots(entry.backup, decision.snapshots);
    if (missing.length > 0) decision.missingSnapshots = missing;
    if (isBeingDeleted(entry.backup)) decision.deleting = true;
    backupDecisions.push(decision);
    for (const snapshot of listed) snapshots.push(snapshotDecision(snapshot, entry.name, verdict));
  }

  // Snapshots whose Backup is gone; those of a Backup that exists but is not planned (another cluster's or method's) are not in the plan.
  const existing = new Set(inputs.backups.map(nameOf));
  const clusterLabel = CnpgLabel.Cluster;
  const orphans: Array<{ createdAt: number; decision: SnapshotDecision }> = [];
  for (const [backupName, group] of snapshotsOf) {
    if (existing.has(backupName)) continue;
    for (const snapshot of group) {
      if (snapshot.metadata.labels?.[clusterLabel] !== inputs.cluster) continue;
      const createdAt = instant(snapshot.metadata.creationTimestamp, now);
      const verdict = !isSnapshotInScope(snapshot, inputs)
        ? keep('out-of-scope')
        : isBeingDeleted(snapshot)
          ? remove('deletion-in-progress')
          : createdAt > orphanGraceStart
            ? keep('orphan-within-grace')
            : remove('orphaned-snapshot');
      orphans.push({ createdAt, decision: snapshotDecision(snapshot, backupName, verdict) });
    }
  }
  orphans.sort((a, b) => b.createdAt - a.createdAt || byName(a.decision.name, b.decision.name));
  for (const { decision } of orphans) snapshots.push(decision);

  let deleted = 0;
  for (const decision of backupDecisions) if (decision.action === 'delete') deleted += 1;
  for (const decision of snapshots) if (decision.action === 'delete') deleted += 1;
  return { backups: backupDecisions, snapshots, kept: backupDecisions.length + snapshots.length - deleted, deleted };
}

/** Names in the Backup's status.snapshotBackupStatus that are not among `listed` (a handful: one per volume). */
function missingSnapshots(backup: Backup, listed: readonly string[]): string[] {
  const missing: string[] = [];
  for (const element of backup.status?.snapshotBackupStatus?.elements ?? []) if (!listed.includes(element.name)) missing.push(element.name);
  return missing.sort(byName);
}
