import { BackupPhase, CnpgLabel } from './cnpg-api';
import type { Backup } from './kube-objects';
import {
  byName,
  completionTimeOf,
  durationMs,
  instant,
  isBeingDeleted,
  isInScope,
  isPlanned,
  isSnapshotInScope,
  nameOf,
  phaseOf,
  type RetentionInputs,
} from './retention-inputs';
import { restoreNeeds, type ProtectionRule } from './retention-protections';
import { SnapshotGroups } from './retention-snapshot-groups';
import { keptCompletedBackups, type CompletedBackup, type CompletedKeepRule } from './retention-tiers';

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
 * the sort of the Backups; every object is read in one pass (a snapshot while it is grouped, a Backup while its
 * group is found), since on a large history going back to objects read before costs more than the reading; every
 * timestamp is parsed once, and the snapshots' only for orphans; names are hashed only when the namespace is not
 * listed by name (SnapshotGroups) or a restore is under way, and no snapshot is copied when it is. Applying the
 * plan and planning again deletes nothing.
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

/**
 * A planned Backup with what the plan reads of it, each read and parsed once, in one pass while the Backup is at hand
 * (deciding touches it again only when it failed): sorting compares numbers.
 */
interface PlannedBackup extends CompletedBackup {
  backup: Backup;
  name: string;
  phase: string;
  /** When it completed (status.stoppedAt), or was created without a stop time: as written, and ms since the epoch. */
  completionTime: string | undefined;
  completedAt: number;
  inScope: boolean;
  /** Its VolumeSnapshots, by name: `ordered` of the snapshot groups from `first` up to, not including, `end`. */
  first: number;
  end: number;
  missingSnapshots: string[] | undefined;
  deleting: boolean;
}

export function planRetention(inputs: RetentionInputs): RetentionPlan {
  const { policy, now } = inputs;
  const windowStart = now.getTime() - durationMs(policy.keepWithin);
  const failedKeepStart = now.getTime() - durationMs(policy.failedKeep);
  const orphanGraceStart = windowStart - durationMs(policy.failedKeep);

  const groups = new SnapshotGroups(inputs.snapshots, inputs.target);
  /** Per group: a Backup of its name is listed (planned or not), so its snapshots are not orphans. */
  const backupListed = new Uint8Array(groups.count);
  const planned: PlannedBackup[] = [];
  // Indexed loops over the listings: this runs once per plan, mostly before it is optimized, and for-of would
  // allocate an iterator result per object.
  for (let i = 0; i < inputs.backups.length; i += 1) {
    const backup = inputs.backups[i]!;
    const name = nameOf(backup);
    const group = groups.find(name);
    if (group !== undefined) backupListed[group] = 1;
    if (!isPlanned(backup, inputs)) continue;
    const completionTime = completionTimeOf(backup);
    const first = group === undefined ? 0 : groups.start(group);
    const end = group === undefined ? 0 : groups.end(group);
    planned.push({
      backup,
      name,
      phase: phaseOf(backup),
      completionTime,
      completedAt: instant(completionTime, now),
      inScope: isInScope(backup, inputs),
      first,
      end,
      missingSnapshots: missingSnapshots(backup, groups, first, end),
      deleting: isBeingDeleted(backup),
    });
  }
  planned.sort((a, b) => b.completedAt - a.completedAt || byName(b.name, a.name));
  const needs = restoreNeeds(inputs);
  // Most runs have no restore under way: then no name is hashed to look it up (a large plan has hundreds of thousands).
  const isBackupNeeded = (name: string) => needs.backups.size > 0 && needs.backups.has(name);
  /** The verdict of a restore on the snapshot at `at` of the groups, if one needs it. */
  const restoreVerdict = (at: number): Verdict | undefined => {
    if (needs.snapshots.size === 0) return undefined;
    const rule = needs.snapshots.get(groups.name(at));
    return rule && keep(rule);
  };
  const keepers = keptCompletedBackups(
    planned.filter((p) => p.inScope && p.phase === BackupPhase.Completed),
    policy,
    windowStart,
  );

  const decide = (entry: PlannedBackup): Verdict => {
    const { backup, name, phase, inScope } = entry;
    if (!inScope) return keep('out-of-scope');
    if (phase !== BackupPhase.Completed && phase !== BackupPhase.Failed) return keep('in-progress');
    if (isBackupNeeded(name)) return keep('referenced-by-restore');
    let claimed = false;
    for (let at = entry.first; at < entry.end && needs.snapshots.size > 0; at += 1) {
      const need = restoreVerdict(at);
      if (need?.rule === 'referenced-by-restore') return need;
      claimed ||= need?.rule === 'referenced-by-pending-claim';
    }
    if (claimed) return keep('referenced-by-pending-claim');
    if (phase === BackupPhase.Failed)
      return instant(backup.metadata.creationTimestamp, now) > failedKeepStart
        ? keep('failed-within-failed-keep')
        : remove('failed-expired');
    const rule = keepers.get(entry);
    return rule ? keep(rule) : remove('expired');
  };

  let deleted = 0;
  const snapshots: SnapshotDecision[] = [];
  const addSnapshot = (at: number, backupName: string, verdict: Verdict): void => {
    const decision = snapshotDecision(groups, at, backupName, restoreVerdict(at) ?? verdict);
    if (decision.action === 'delete') deleted += 1;
    snapshots.push(decision);
  };
  const backupDecisions = planned.map((entry) => {
    const decision = backupDecision(entry, groups, decide(entry));
    if (decision.action === 'delete') deleted += 1;
    // Its snapshots share its verdict (the decision's action and rule), and follow in the same order.
    for (let at = entry.first; at < entry.end; at += 1) addSnapshot(at, entry.name, decision);
    return decision;
  });

  // Snapshots whose Backup is gone; those of a Backup that exists but is not planned (another cluster's or method's) are not in the plan.
  const clusterLabel = CnpgLabel.Cluster;
  const orphans: Array<{ createdAt: number; at: number; backupName: string; verdict: Verdict }> = [];
  for (let group = 0; group < groups.count; group += 1) {
    if (backupListed[group] === 1) continue;
    const backupName = groups.backupName(group);
    for (let at = groups.start(group); at < groups.end(group); at += 1) {
      const { metadata } = groups.ordered[at]!;
      if (metadata.labels?.[clusterLabel] !== inputs.cluster) continue;
      const createdAt = instant(metadata.creationTimestamp, now);
      const verdict = !isSnapshotInScope(groups.isMarked(at), policy)
        ? keep('out-of-scope')
        : groups.isBeingDeleted(at)
          ? remove('deletion-in-progress')
          : createdAt > orphanGraceStart
            ? keep('orphan-within-grace')
            : remove('orphaned-snapshot');
      orphans.push({ createdAt, at, backupName, verdict });
    }
  }
  orphans.sort((a, b) => b.createdAt - a.createdAt || byName(groups.name(a.at), groups.name(b.at)));
  for (const { at, backupName, verdict } of orphans) addSnapshot(at, backupName, verdict);

  return { backups: backupDecisions, snapshots, kept: backupDecisions.length + snapshots.length - deleted, deleted };
}

/**
 * The decision on a planned Backup. Each shape is written as one literal: properties added afterwards would grow
 * every decision of a plan that holds hundreds of thousands.
 */
function backupDecision(entry: PlannedBackup, groups: SnapshotGroups, { action, rule }: Verdict): BackupDecision {
  const { name, phase, completionTime } = entry;
  const snapshots = snapshotNames(groups, entry.first, entry.end);
  const decision: BackupDecision =
    phase === BackupPhase.Completed
      ? { name, action, rule, phase, snapshots, completedAt: completionTime }
      : { name, action, rule, phase, snapshots };
  if (entry.missingSnapshots) decision.missingSnapshots = entry.missingSnapshots;
  if (entry.deleting) decision.deleting = true;
  return decision;
}

/** The names of the snapshots from `first` up to, not including, `end` of the groups. */
function snapshotNames(groups: SnapshotGroups, first: number, end: number): string[] {
  // Sized once: grown by push, each of a hundred thousand small arrays would reserve room for seventeen names.
  const names = new Array<string>(end - first);
  for (let at = first; at < end; at += 1) names[at - first] = groups.name(at);
  return names;
}

/** The decision on the snapshot at `at` of the groups; one literal per shape, as for Backups. */
function snapshotDecision(groups: SnapshotGroups, at: number, backupName: string, { action, rule }: Verdict): SnapshotDecision {
  const name = groups.name(at);
  const marked = groups.isMarked(at);
  const content = groups.content(at);
  if (groups.isBeingDeleted(at))
    return content === undefined
      ? { name, backupName, action, rule, marked, deleting: true }
      : { name, backupName, action, rule, marked, deleting: true, content };
  return content === undefined ? { name, backupName, action, rule, marked } : { name, backupName, action, rule, marked, content };
}

/**
 * Names in the Backup's status.snapshotBackupStatus that are not among its listed snapshots (those from `first` up
 * to, not including, `end` of the groups: a handful, one per volume), by name; undefined when none is missing, so
 * that a complete Backup allocates nothing.
 */
function missingSnapshots(backup: Backup, groups: SnapshotGroups, first: number, end: number): string[] | undefined {
  let missing: string[] | undefined;
  const elements = backup.status?.snapshotBackupStatus?.elements ?? [];
  for (let i = 0; i < elements.length; i += 1) {
    const { name } = elements[i]!;
    let listed = false;
    for (let at = first; at < end && !listed; at += 1) listed = groups.name(at) === name;
    if (!listed) (missing ??= []).push(name);
  }
  return missing && missing.length > 1 ? missing.sort(byName) : missing;
}
