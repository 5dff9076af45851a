import { BackupPhase, CnpgLabel } from './cnpg-api';
import type { Backup } from './kube-objects';
import { byName, durationMs, instant, isInScope, isPlanned, isSnapshotInScope, nameOf, type RetentionInputs } from './retention-inputs';
import { PlannedBackups } from './retention-planned-backups';
import { restoreNeeds, type ProtectionRule } from './retention-protections';
import { SnapshotGroups } from './retention-snapshot-groups';
import { keptCompletedBackups, type CompletedKeepRule } from './retention-tiers';

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

export function planRetention(inputs: RetentionInputs): RetentionPlan {
  const { policy, now } = inputs;
  const windowStart = now.getTime() - durationMs(policy.keepWithin);
  const failedKeepStart = now.getTime() - durationMs(policy.failedKeep);
  const orphanGraceStart = windowStart - durationMs(policy.failedKeep);

  const groups = new SnapshotGroups(inputs.snapshots, inputs.target);
  /** Per group: a Backup of its name is listed (planned or not), so its snapshots are not orphans. */
  const backupListed = new Uint8Array(groups.count);
  const planned = new PlannedBackups(inputs.backups.length, now);
  // Indexed loops over the listings: this runs once per plan, mostly before it is optimized, and for-of would
  // allocate an iterator result per object.
  for (let i = 0; i < inputs.backups.length; i += 1) {
    const backup = inputs.backups[i]!;
    const name = nameOf(backup);
    const group = groups.find(name);
    if (group !== undefined) backupListed[group] = 1;
    if (!isPlanned(backup, inputs)) continue;
    const first = group === undefined ? 0 : groups.start(group);
    const end = group === undefined ? 0 : groups.end(group);
    planned.add(backup, name, isInScope(backup, inputs), first, end, missingSnapshots(backup, groups, first, end));
  }
  const order = planned.newestFirst();
  const needs = restoreNeeds(inputs);
  // Most runs have no restore under way: then no name is hashed to look it up (a large plan has hundreds of thousands).
  const isBackupNeeded = (name: string) => needs.backups.size > 0 && needs.backups.has(name);
  /** The verdict of a restore on the snapshot at `at` of the groups, if one needs it. */
  const restoreVerdict = (at: number): Verdict | undefined => {
    if (needs.snapshots.size === 0) return undefined;
    const rule = needs.snapshots.get(groups.name(at));
    return rule && keep(rule);
  };
  // The in-scope completed Backups, newest first: their completion times, and each one's place among them.
  const completedTimes = new Float64Array(order.length);
  const placeAmongCompleted = new Int32Array(planned.count).fill(-1);
  let completedCount = 0;
  for (let i = 0; i < order.length; i += 1) {
    const at = order[i]!;
    if (planned.isInScope(at) && planned.isCompleted(at)) {
      placeAmongCompleted[at] = completedCount;
      completedTimes[completedCount] = planned.completedAt(at);
      completedCount += 1;
    }
  }
  const keepers = keptCompletedBackups(completedTimes.subarray(0, completedCount), policy, windowStart);

  /** The verdict on the planned Backup at `at`. */
  const decide = (at: number): Verdict => {
    if (!planned.isInScope(at)) return keep('out-of-scope');
    const phase = planned.phase(at);
    if (phase !== BackupPhase.Completed && phase !== BackupPhase.Failed) return keep('in-progress');
    if (isBackupNeeded(planned.name(at))) return keep('referenced-by-restore');
    let claimed = false;
    for (let snapshot = planned.firstSnapshot(at); snapshot < planned.endOfSnapshots(at) && needs.snapshots.size > 0; snapshot += 1) {
      const need = restoreVerdict(snapshot);
      if (need?.rule === 'referenced-by-restore') return need;
      claimed ||= need?.rule === 'referenced-by-pending-claim';
    }
    if (claimed) return keep('referenced-by-pending-claim');
    if (phase === BackupPhase.Failed)
      return instant(planned.backup(at).metadata.creationTimestamp, now) > failedKeepStart
        ? keep('failed-within-failed-keep')
        : remove('failed-expired');
    const rule = keepers.get(placeAmongCompleted[at]!);
    return rule ? keep(rule) : remove('expired');
  };

  let deleted = 0;
  const snapshots: SnapshotDecision[] = [];
  const addSnapshot = (at: number, backupName: string, verdict: Verdict): void => {
    const decision = snapshotDecision(groups, at, backupName, restoreVerdict(at) ?? verdict);
    if (decision.action === 'delete') deleted += 1;
    snapshots.push(decision);
  };
  const backupDecisions = order.map((at) => {
    const decision = backupDecision(planned, at, groups, decide(at));
    if (decision.action === 'delete') deleted += 1;
    // Its snapshots share its verdict (the decision's action and rule), and follow in the same order.
    for (let snapshot = planned.firstSnapshot(at); snapshot < planned.endOfSnapshots(at); snapshot += 1)
      addSnapshot(snapshot, decision.name, decision);
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
function backupDecision(planned: PlannedBackups, at: number, groups: SnapshotGroups, { action, rule }: Verdict): BackupDecision {
  const name = planned.name(at);
  const phase = planned.phase(at);
  const snapshots = snapshotNames(groups, planned.firstSnapshot(at), planned.endOfSnapshots(at));
  const decision: BackupDecision =
    phase === BackupPhase.Completed
      ? { name, action, rule, phase, snapshots, completedAt: planned.completionTime(at) }
      : { name, action, rule, phase, snapshots };
  const missing = planned.missingSnapshots(at);
  if (missing) decision.missingSnapshots = missing;
  if (planned.isBeingDeleted(at)) decision.deleting = true;
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
