import { CnpgLabel } from './cnpg-api';
import type { VolumeSnapshot } from './kube-objects';
import { byName, nameOf } from './retention-inputs';

/**
 * Each group's label, and its place in `ordered`: its snapshots are `ordered[start]` up to, not including,
 * `ordered[end]`. There are at most as many groups as snapshots: typed arrays of that length are never grown nor
 * scanned by the garbage collector.
 */
interface GroupRanges {
  ordered: readonly VolumeSnapshot[];
  names: string[];
  starts: Int32Array;
  ends: Int32Array;
  /** Group by label: only when the listing was not already in groups by name. */
  index?: Map<string, number>;
}

/**
 * The groups of a listing in which each label's snapshots come together and by name, and the labels by name (as
 * the API server lists them by name: a snapshot's name starts with its Backup's): ranges of the listing itself.
 * Undefined as soon as one snapshot is out of that order.
 */
function rangesOfListing(snapshots: readonly VolumeSnapshot[]): GroupRanges | undefined {
  const label = CnpgLabel.BackupName;
  const names: string[] = [];
  const starts = new Int32Array(snapshots.length);
  const ends = new Int32Array(snapshots.length);
  let lastName: string | undefined;
  // Indexed loops: the planner runs these once per plan, before they are optimized, over a few hundred thousand.
  for (let at = 0; at < snapshots.length; at += 1) {
    const backupName = snapshots[at]!.metadata.labels?.[label];
    if (backupName === undefined) continue;
    const last = names.length - 1;
    if (backupName === lastName && ends[last] === at) {
      if (byName(nameOf(snapshots[at - 1]!), nameOf(snapshots[at]!)) > 0) return undefined;
      ends[last] = at + 1;
    } else if (lastName === undefined || byName(lastName, backupName) < 0) {
      starts[names.length] = at;
      ends[names.length] = at + 1;
      names.push(backupName);
      lastName = backupName;
    } else return undefined;
  }
  return { ordered: snapshots, names, starts, ends };
}

/** The groups of a listing in any order, gathered by label in the order each label is first listed. */
function gatheredRanges(snapshots: readonly VolumeSnapshot[]): GroupRanges {
  const label = CnpgLabel.BackupName;
  const members = new Map<string, VolumeSnapshot[]>();
  for (const snapshot of snapshots) {
    const backupName = snapshot.metadata.labels?.[label];
    if (backupName === undefined) continue;
    const group = members.get(backupName);
    if (group) group.push(snapshot);
    else members.set(backupName, [snapshot]);
  }
  const ordered: VolumeSnapshot[] = [];
  const names: string[] = [];
  const starts = new Int32Array(members.size);
  const ends = new Int32Array(members.size);
  const index = new Map<string, number>();
  for (const [backupName, group] of members) {
    index.set(backupName, names.length);
    starts[names.length] = ordered.length;
    // Array.prototype.sort is stable: equal names stay in listing order.
    for (const snapshot of group.sort((a, b) => byName(nameOf(a), nameOf(b)))) ordered.push(snapshot);
    ends[names.length] = ordered.length;
    names.push(backupName);
  }
  return { ordered, names, starts, ends, index };
}

/**
 * The VolumeSnapshots CNPG labelled with a Backup's name (cnpg.io/backupName), in groups by that name, numbered
 * in the order their first snapshot is listed; snapshots without the label are in no group. A group's snapshots
 * are in name order (code units; equal names in listing order).
 *
 * Hashing a few hundred thousand names, or copying as many snapshots, would be most of what a large plan costs, and
 * is rarely needed: listed by name, the snapshots already are in groups, and the groups by name. Then a group is a
 * range of the listing itself, and a Backup finds its group where the previous Backup's ended (the Backups are
 * listed in the same order), or else by binary search. Listed in any other order, the snapshots are gathered by
 * label first, and a Backup finds its group in a Map.
 */
export class SnapshotGroups {
  /** Every group's snapshots, group after group: those of group `g` are from `start(g)` up to `end(g)`. */
  readonly ordered: readonly VolumeSnapshot[];
  /** Kept apart from the snapshots: a lookup reads one string, not a snapshot's labels. */
  private readonly names: readonly string[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Group by label, when the listing was not in groups by name. */
  private readonly index: Map<string, number> | undefined;
  /** Where the next Backup's group is looked for first: after the previous Backup's. */
  private next = 0;

  constructor(snapshots: readonly VolumeSnapshot[]) {
    const ranges: GroupRanges = rangesOfListing(snapshots) ?? gatheredRanges(snapshots);
    this.ordered = ranges.ordered;
    this.names = ranges.names;
    this.starts = ranges.starts;
    this.ends = ranges.ends;
    this.index = ranges.index;
  }

  get count(): number {
    return this.names.length;
  }

  start(group: number): number {
    return this.starts[group]!;
  }

  end(group: number): number {
    return this.ends[group]!;
  }

  /** The label its snapshots carry. */
  backupName(group: number): string {
    return this.names[group]!;
  }

  /** The group of the Backup of this name, if any snapshot carries its name. */
  find(backupName: string): number | undefined {
    if (this.index) return this.index.get(backupName);
    const at = this.next < this.count && this.backupName(this.next) === backupName ? this.next : this.position(backupName);
    if (at === this.count || this.backupName(at) !== backupName) {
      this.next = at;
      return undefined;
    }
    this.next = at + 1;
    return at;
  }

  /** Where `backupName` is, or would be, among the groups (by name, when there is no index): a binary search. */
  private position(backupName: string): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (byName(this.backupName(middle), backupName) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
