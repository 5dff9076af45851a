import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';
import { byName, completionTimeOf, instant, isBeingDeleted, phaseOf } from './retention-inputs';

const IN_SCOPE = 1;
const DELETING = 2;

/**
 * The Backups a retention plan decides on, with what the plan reads of each, read and parsed once while the Backup
 * is at hand, by their place among them (in listing order). Kept in columns, not in an object per Backup: a plan of a
 * hundred thousand Backups would otherwise make as many objects that live as long as the plan, which the garbage
 * collector copies while the plan is made.
 */
export class PlannedBackups {
  private readonly backups: Backup[] = [];
  private readonly names: string[] = [];
  private readonly phases: string[] = [];
  /** status.stoppedAt, or the creation time without one, as written. */
  private readonly completionTimes: Array<string | undefined> = [];
  /** The same, in ms since the epoch (an unreadable one as `now`). */
  private readonly completedAts: Float64Array;
  /** Its VolumeSnapshots are `ordered` of the snapshot groups from `first` up to, not including, `end`. */
  private readonly firsts: Int32Array;
  private readonly ends: Int32Array;
  /** IN_SCOPE and DELETING bits. */
  private readonly flags: Uint8Array;
  /** Snapshots its status names that are not listed, by name; only for the Backups that have any. */
  private readonly missing = new Map<number, string[]>();

  /** `capacity`: at least as many as will be added. */
  constructor(
    capacity: number,
    private readonly now: Date,
  ) {
    this.completedAts = new Float64Array(capacity);
    this.firsts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  get count(): number {
    return this.names.length;
  }

  /** `first` and `end`: its snapshots' range in the groups; `missing`: the snapshots its status names that are not listed. */
  add(backup: Backup, name: string, inScope: boolean, first: number, end: number, missing: string[] | undefined): void {
    const at = this.names.length;
    const completionTime = completionTimeOf(backup);
    this.backups.push(backup);
    this.names.push(name);
    this.phases.push(phaseOf(backup));
    this.completionTimes.push(completionTime);
    this.completedAts[at] = instant(completionTime, this.now);
    this.firsts[at] = first;
    this.ends[at] = end;
    this.flags[at] = (inScope ? IN_SCOPE : 0) | (isBeingDeleted(backup) ? DELETING : 0);
    if (missing) this.missing.set(at, missing);
  }

  /** Their places, newest completion first, then by name, last first. */
  newestFirst(): number[] {
    const order = new Array<number>(this.count);
    for (let at = 0; at < order.length; at += 1) order[at] = at;
    // A plain array of small integers: its sort (TimSort) is linear on the listing's own, nearly sorted, order.
    return order.sort((a, b) => this.completedAts[b]! - this.completedAts[a]! || byName(this.names[b]!, this.names[a]!));
  }

  backup(at: number): Backup {
    return this.backups[at]!;
  }

  name(at: number): string {
    return this.names[at]!;
  }

  /** status.phase, empty when CNPG has not set one yet. */
  phase(at: number): string {
    return this.phases[at]!;
  }

  isCompleted(at: number): boolean {
    return this.phases[at] === BackupPhase.Completed;
  }

  completionTime(at: number): string | undefined {
    return this.completionTimes[at];
  }

  completedAt(at: number): number {
    return this.completedAts[at]!;
  }

  isInScope(at: number): boolean {
    return (this.flags[at]! & IN_SCOPE) !== 0;
  }

  isBeingDeleted(at: number): boolean {
    return (this.flags[at]! & DELETING) !== 0;
  }

  firstSnapshot(at: number): number {
    return this.firsts[at]!;
  }

  endOfSnapshots(at: number): number {
    return this.ends[at]!;
  }

  missingSnapshots(at: number): string[] | undefined {
    return this.missing.size === 0 ? undefined : this.missing.get(at);
  }
}
