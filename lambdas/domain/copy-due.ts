import type { CopyPolicy } from './copy-policy';
import type { RecoveryPointRecord } from './recovery-point-record';

export type CopyDue = { due: true } | { due: false; reason: string };

/** The UTC day of a time, `YYYY-MM-DD`. */
const utcDay = (time: string) => new Date(time).toISOString().slice(0, 10);

/**
 * Whether a completed backup is copied to the policy's Region now. Never one whose storage retention is releasing,
 * nor one copied there already (a second delivery of the same completion). `every: backup` copies each other one;
 * `every: day` the first completed backup of a UTC day (by the backup's stoppedAt) of which no backup of that day has
 * a copy started to that Region, from the target's catalog records: a copy that failed was removed, so a later backup
 * of the day takes its place.
 */
export function decideCopyDue(input: {
  policy: CopyPolicy;
  record: RecoveryPointRecord;
  records: readonly RecoveryPointRecord[];
}): CopyDue {
  const { policy, record } = input;
  const copiedThere = (r: RecoveryPointRecord) => (r.copies ?? []).some((copy) => copy.region === policy.region);
  if (record.expiredAt !== undefined) return { due: false, reason: `retention released the backup at ${record.expiredAt}` };
  if (copiedThere(record)) return { due: false, reason: `the backup has a copy in ${policy.region} already` };
  if (policy.every === 'backup') return { due: true };
  const day = utcDay(record.stoppedAt);
  const copiedToday = input.records.find((r) => r.backup !== record.backup && utcDay(r.stoppedAt) === day && copiedThere(r));
  if (copiedToday) return { due: false, reason: `backup ${copiedToday.backup} of ${day} has a copy in ${policy.region}` };
  return { due: true };
}
