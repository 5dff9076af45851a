import { CnpgLabel } from './cnpg-api';
import type { VolumeSnapshot } from './kube-objects';
import { byName, nameOf } from './retention-inputs';

/** The VolumeSnapshots CNPG labelled with one Backup's name (cnpg.io/backupName). */
export interface SnapshotGroup {
  backupName: string;
  /** In name order (code units; equal names in listing order): a group holds a handful, one per volume. */
  snapshots: readonly VolumeSnapshot[];
  /** A Backup of this name is listed (planned or not): the snapshots are not orphans. */
  backupListed: boolean;
}

/** Sorts a handful of snapshots by name in place, stably: listed by name, they already are (one comparison each). */
function sortByName(run: VolumeSnapshot[]): VolumeSnapshot[] {
  for (let i = 1; i < run.length; i += 1) {
    const snapshot = run[i]!;
    let at = i;
    for (; at > 0 && byName(nameOf(run[at - 1]!), nameOf(snapshot)) > 0; at -= 1) run[at] = run[at - 1]!;
    run[at] = snapshot;
  }
  return run;
}

/** Two lists sorted by name merged into one, those of `earlier` first among equal names (a stable sort of both). */
function merged(earlier: readonly VolumeSnapshot[], later: readonly VolumeSnapshot[]): VolumeSnapshot[] {
  const result: VolumeSnapshot[] = [];
  let i = 0;
  let j = 0;
  while (i < earlier.length && j < later.length)
    result.push(byName(nameOf(later[j]!), nameOf(earlier[i]!)) < 0 ? later[j++]! : earlier[i++]!);
  while (i < earlier.length) result.push(earlier[i++]!);
  while (j < later.length) result.push(later[j++]!);
  return result;
}

/**
 * The snapshots grouped by their Backup's name, and found by it. Snapshots without the label are in no group.
 *
 * Hashing a few hundred thousand names would be most of what a large plan costs, and is rarely needed: the API
 * server lists objects by name, and a snapshot's name starts with its Backup's, so the labels usually come in
 * order. While they do, a label after the last group's starts a new group, and a Backup finds its group where
 * the previous Backup's ended (the Backups are listed in the same order), or else by binary search. The first
 * label out of order indexes the groups in a Map, which serves from then on. Either way the groups are those of
 * the labels, in the order their first snapshot is listed.
 */
export class SnapshotGroups {
  /** In the order their first snapshot is listed; while `index` is undefined, also strictly by name. */
  readonly groups: SnapshotGroup[] = [];
  private index: Map<string, SnapshotGroup> | undefined;
  /** Where the next Backup's group is looked for first: after the previous Backup's. */
  private next = 0;

  /**
   * Snapshots listed together with the same label (a run: all of one Backup's, when listed by name) are taken as
   * one slice: each group is one array of the exact size, sorted once.
   */
  constructor(snapshots: readonly VolumeSnapshot[]) {
    const label = CnpgLabel.BackupName;
    let runStart = 0;
    let runName: string | undefined;
    for (let i = 0; i <= snapshots.length; i += 1) {
      const backupName = i < snapshots.length ? snapshots[i]!.metadata.labels?.[label] : undefined;
      if (i > 0 && backupName === runName) continue;
      if (runName) this.add(runName, sortByName(snapshots.slice(runStart, i)));
      runStart = i;
      runName = backupName;
    }
  }

  private add(backupName: string, run: VolumeSnapshot[]): void {
    const group = this.existing(backupName);
    if (group) {
      group.snapshots = merged(group.snapshots, run);
      return;
    }
    const added: SnapshotGroup = { backupName, snapshots: run, backupListed: false };
    this.groups.push(added);
    this.index?.set(backupName, added);
  }

  /** The group `backupName` already has. While the labels are in order, one after the last group's is new. */
  private existing(backupName: string): SnapshotGroup | undefined {
    if (!this.index) {
      const last = this.groups[this.groups.length - 1];
      if (!last || byName(last.backupName, backupName) < 0) return undefined;
      this.index = new Map();
      for (const group of this.groups) this.index.set(group.backupName, group);
    }
    return this.index.get(backupName);
  }

  /** The group of the Backup of this name, if any snapshot carries its name. */
  find(backupName: string): SnapshotGroup | undefined {
    if (this.index) return this.index.get(backupName);
    const { groups } = this;
    const at = groups[this.next]?.backupName === backupName ? this.next : this.position(backupName);
    const group = groups[at];
    if (group?.backupName !== backupName) {
      this.next = at;
      return undefined;
    }
    this.next = at + 1;
    return group;
  }

  /** Where `backupName` is, or would be, in the groups (by name, while there is no index): a binary search. */
  private position(backupName: string): number {
    let low = 0;
    let high = this.groups.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (byName(this.groups[middle]!.backupName, backupName) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
