import { durationSeconds, type Duration } from './duration';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from './kube-objects';
import { isMarkedFor } from './scheduler-metadata';
import type { RetentionPolicy } from './target-spec';

/** What the retention planner reads: the namespace as listed now, the policy, and the time of the run. */

export interface RetentionInputs {
  /** The target whose marks (labels) make a Backup or VolumeSnapshot the scheduler's under scope `managed`. */
  target: string;
  /** The CNPG cluster whose backups are planned (spec.cluster.name of its Backups). */
  cluster: string;
  /** Backups in the namespace; other clusters' and other methods' are not planned. */
  backups: readonly Backup[];
  /** VolumeSnapshots in the namespace; only those labelled as the cluster's are planned. */
  snapshots: readonly VolumeSnapshot[];
  /** Clusters in the namespace: a recovery bootstrap may still need snapshots. */
  clusters: readonly Cluster[];
  /** Claims in the namespace: a Pending claim may be restoring from a snapshot. */
  claims: readonly PersistentVolumeClaim[];
  policy: RetentionPolicy;
  now: Date;
}

export const nameOf = (object: { metadata: { name: string } }): string => object.metadata.name;

export const phaseOf = (backup: Backup): string => backup.status?.phase ?? '';

/** Code-unit order: locale-aware comparison would make the plan depend on the machine's locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAY_MS = 86_400_000;
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** The two decimal digits at `at`, or -1 when either is not a digit. */
function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const units = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && units >= 0 && units <= 9 ? tens * 10 + units : -1;
}

/** Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (month 1 to 12), as Date.UTC counts them. */
function daysFromEpoch(year: number, month: number, day: number): number {
  // Years counted from March, so that the leap day ends a year: eras of 400 years have 146,097 days.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Milliseconds since the epoch. `YYYY-MM-DDTHH:MM:SSZ`, the form the API server writes every time in, is read
 * directly, character by character (several times faster than Date.parse, which counts on a large history); any
 * other form, a field out of range, or a year before 100, goes to Date.parse, which decides whether it is readable.
 */
function parseTime(text: string): number {
  if (
    text.length !== 20 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 90 // Z
  )
    return Date.parse(text);
  const century = twoDigits(text, 0);
  const yearOfCentury = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const year = century * 100 + yearOfCentury;
  const lastDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (
    century < 1 ||
    yearOfCentury < 0 ||
    lastDay === undefined ||
    day < 1 ||
    day > lastDay ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return Date.parse(text);
  return daysFromEpoch(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** Milliseconds since the epoch; an absent or unreadable time counts as `now`, so it never makes anything old enough to delete. */
export function instant(time: string | undefined, now: Date): number {
  const ms = time === undefined ? Number.NaN : parseTime(time);
  return Number.isNaN(ms) ? now.getTime() : ms;
}

/** When a backup completed (status.stoppedAt), or was created when it has no stop time. */
export const completionTimeOf = (backup: Backup): string | undefined => backup.status?.stoppedAt ?? backup.metadata.creationTimestamp;

/** The policy's durations in milliseconds; RetentionPolicySchema has already checked they are durations. */
export const durationMs = (text: string): number => durationSeconds(text as Duration) * 1000;

/** The API server has accepted the object's deletion; it stays until its finalizers are removed. */
export const isBeingDeleted = (object: { metadata: { deletionTimestamp?: string } }): boolean =>
  object.metadata.deletionTimestamp !== undefined;

/** The Backups the plan decides on: volume-snapshot Backups of the cluster. */
export function isPlanned(backup: Backup, inputs: Pick<RetentionInputs, 'cluster'>): boolean {
  return backup.spec.cluster.name === inputs.cluster && backup.spec.method === 'volumeSnapshot';
}

/** Scope `managed` covers only Backups carrying this target's marks; scope `all` covers every planned Backup. */
export function isInScope(backup: Backup, inputs: Pick<RetentionInputs, 'policy' | 'target'>): boolean {
  return inputs.policy.scope === 'all' || isMarkedFor(backup.metadata.labels, inputs.target);
}

/**
 * Scope `managed` covers only snapshots carrying this target's mark (`marked`: isSnapshotMarkedFor); scope `all`
 * covers every snapshot of the cluster.
 */
export function isSnapshotInScope(marked: boolean, policy: Pick<RetentionPolicy, 'scope'>): boolean {
  return policy.scope === 'all' || marked;
}
