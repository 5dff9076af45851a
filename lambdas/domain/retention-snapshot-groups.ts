import { CnpgLabel } from './cnpg-api';
import type { VolumeSnapshot } from './kube-objects';
import { byName } from './retention-inputs';
import { isSnapshotMarkedFor } from './scheduler-metadata';

const MARKED = 1;
const DELETING = 2;

/**
 * What the planner reads of the grouped snapshots, by their place in `ordered`: read in the same pass that finds the
 * groups, while each snapshot is at hand, so that deciding on them touches none of them again. Unlabelled snapshots
 * of a listing in groups by name keep their places, unread.
 */
class SnapshotReadings {
  readonly names: string[];
  /** MARKED and DELETING bits. */
  readonly flags: Uint8Array;
  /** status.boundVolumeSnapshotContentName. */
  readonly contents: Array<string | undefined>;

  constructor(
    count: number,
    private readonly target: string,
  ) {
    this.names = new Array<string>(count);
    this.flags = new Uint8Array(count);
    this.contents = new Array<string | undefined>(count);
  }

  /** Reads the snapshot at `at` of `ordered`; returns its name. */
  read(at: number, snapshot: VolumeSnapshot): string {
    const { metadata } = snapshot;
    const marked = isSnapshotMarkedFor(metadata.labels, this.target) ? MARKED : 0;
    this.flags[at] = marked | (metadata.deletionTimestamp === undefined ? 0 : DELETING);
    this.contents[at] = snapshot.status?.boundVolumeSnapshotContentName;
    return (this.names[at] = metadata.name);
  }
}

/**
 * Each group's label, and its place in `ordered`: its snapshots are `ordered[start]` up to, not including,
 * `ordered[end]`. There are at most as many groups as snapshots: typed arrays of that length are never grown nor
 * scanned by the garbage collector.
 */
interface GroupRanges {
  ordered: readonly VolumeSnapshot[];
  readings: SnapshotReadings;
  labels: string[];
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
function rangesOfListing(snapshots: readonly VolumeSnapshot[], target: string): GroupRanges | undefined {
  const label = CnpgLabel.BackupName;
  const readings = new SnapshotReadings(snapshots.length, target);
  const labels: string[] = [];
  const starts = new Int32Array(snapshots.length);
  const ends = new Int32Array(snapshots.length);
  let lastLabel: string | undefined;
  let lastName = '';
  // Indexed loops: the planner runs these once per plan, before they are optimized, over a few hundred thousand.
  for (let at = 0; at < snapshots.length; at += 1) {
    const snapshot = snapshots[at]!;
    const backupName = snapshot.metadata.labels?.[label];
    if (backupName === undefined) continue;
    const name = readings.read(at, snapshot);
    const last = labels.length - 1;
    if (backupName === lastLabel && ends[last] === at) {
      if (byName(lastName, name) > 0) return undefined;
      ends[last] = at + 1;
    } else if (lastLabel === undefined || byName(lastLabel, backupName) < 0) {
      starts[labels.length] = at;
      ends[labels.length] = at + 1;
      labels.push(backupName);
      lastLabel = backupName;
    } else return undefined;
    lastName = name;
  }
  return { ordered: snapshots, readings, labels, starts, ends };
}

/** The groups of a listing in any order, gathered by label in the order each label is first listed. */
function gatheredRanges(snapshots: readonly VolumeSnapshot[], target: string): GroupRanges {
  const label = CnpgLabel.BackupName;
  const members = new Map<string, VolumeSnapshot[]>();
  let grouped = 0;
  for (const snapshot of snapshots) {
    const backupName = snapshot.metadata.labels?.[label];
    if (backupName === undefined) continue;
    grouped += 1;
    const group = members.get(backupName);
    if (group) group.push(snapshot);
    else members.set(backupName, [snapshot]);
  }
  const ordered: VolumeSnapshot[] = [];
  const readings = new SnapshotReadings(grouped, target);
  const labels: string[] = [];
  const starts = new Int32Array(members.size);
  const ends = new Int32Array(members.size);
  const index = new Map<string, number>();
  for (const [backupName, group] of members) {
    index.set(backupName, labels.length);
    starts[labels.length] = ordered.length;
    // Array.prototype.sort is stable: equal names stay in listing order.
    for (const snapshot of group.sort((a, b) => byName(a.metadata.name, b.metadata.name))) {
      readings.read(ordered.length, snapshot);
      ordered.push(snapshot);
    }
    ends[labels.length] = ordered.length;
    labels.push(backupName);
  }
  return { ordered, readings, labels, starts, ends, index };
}

/**
 * The VolumeSnapshots CNPG labelled with a Backup's name (cnpg.io/backupName), in groups by that name, numbered
 * in the order their first snapshot is listed; snapshots without the label are in no group. A group's snapshots
 * are in name order (code units; equal names in listing order). Of each grouped snapshot, what the planner reads
 * (its name, whether it carries the target's mark or is being deleted, its content) is read once, here.
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
  private readonly readings: SnapshotReadings;
  /** Kept apart from the snapshots: a lookup reads one string, not a snapshot's labels. */
  private readonly labels: readonly string[];
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Group by label, when the listing was not in groups by name. */
  private readonly index: Map<string, number> | undefined;
  /** Where the next Backup's group is looked for first: after the previous Backup's. */
  private next = 0;

  /** `target` is the one whose mark `isMarked` looks for. */
  constructor(snapshots: readonly VolumeSnapshot[], target: string) {
    const ranges: GroupRanges = rangesOfListing(snapshots, target) ?? gatheredRanges(snapshots, target);
    this.ordered = ranges.ordered;
    this.readings = ranges.readings;
    this.labels = ranges.labels;
    this.starts = ranges.starts;
    this.ends = ranges.ends;
    this.index = ranges.index;
  }

  get count(): number {
    return this.labels.length;
  }

  start(group: number): number {
    return this.starts[group]!;
  }

  end(group: number): number {
    return this.ends[group]!;
  }

  /** The label its snapshots carry. */
  backupName(group: number): string {
    return this.labels[group]!;
  }

  /** The name of the snapshot at `at` of `ordered`. */
  name(at: number): string {
    return this.readings.names[at]!;
  }

  /** Whether the snapshot at `at` of `ordered` carries the target's mark. */
  isMarked(at: number): boolean {
    return (this.readings.flags[at]! & MARKED) !== 0;
  }

  /** Whether the API server has accepted the deletion of the snapshot at `at` of `ordered` (deletionTimestamp). */
  isBeingDeleted(at: number): boolean {
    return (this.readings.flags[at]! & DELETING) !== 0;
  }

  /** The content the snapshot at `at` of `ordered` is bound to (status.boundVolumeSnapshotContentName). */
  content(at: number): string | undefined {
    return this.readings.contents[at];
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
