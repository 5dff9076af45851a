import type { RecoveryPointCopy, RecoveryPointRecord, RecoveryPointVolume } from './recovery-point-record';

/**
 * Where a restore from the catalog runs: its own Region, where the storage snapshots it imports must be (EBS
 * snapshots are regional: Amazon EBS User Guide, "Amazon EBS snapshots"), and the Region the catalog's backups were
 * taken in (the primary stack's).
 */
export interface RestoreRegions {
  region: string;
  sourceRegion: string;
  now: Date;
}

/** A record's storage snapshots that a restore in `region` can import: the backup's own, or a completed copy's. */
export interface LocatedRecoveryPoint {
  region: string;
  /** `source`: the backup's snapshots where it was taken; `copy`: its copy in another Region. */
  from: 'source' | 'copy';
  /** The record as it is in that Region: every volume naming the snapshot there. */
  record: RecoveryPointRecord;
}

export type RecoveryPointLocation = { located: LocatedRecoveryPoint } | { unavailable: string };

/**
 * Whether a record is a recovery point in the restore's Region, and which snapshots stand for it there. In the
 * source Region: the backup's snapshots until retention expires them. In another Region: the newest completed copy
 * there that its own retention has not expired, whatever became of the source (a copy outlives it); a copy still
 * copying, or none, is no recovery point there, and `unavailable` says what the record does have.
 */
export function locateRecoveryPoint(record: RecoveryPointRecord, where: RestoreRegions): RecoveryPointLocation {
  if (where.region === where.sourceRegion) {
    if (record.expiredAt !== undefined)
      return { unavailable: `backup ${record.backup} expired at ${record.expiredAt}: retention released its snapshots` };
    return { located: { region: where.region, from: 'source', record } };
  }
  // A copy kept in another account is that account's: this account's EKS clusters cannot import it (README, region loss).
  const copies = (record.copies ?? []).filter((copy) => copy.region === where.region && copy.account === undefined);
  const usable = copies
    .filter((copy) => copy.completedAt !== undefined && Date.parse(copy.expiresAt) > where.now.getTime())
    .sort((a, b) => Date.parse(b.completedAt ?? '') - Date.parse(a.completedAt ?? ''));
  const copy = usable[0];
  if (!copy) return { unavailable: `backup ${record.backup} has no completed copy in ${where.region} (${describeCopies(record, where)})` };
  const volumes = copiedVolumes(record, copy);
  if (typeof volumes === 'string') return { unavailable: `backup ${record.backup}: its copy in ${where.region} ${volumes}` };
  // The source's expiry is the source's: in this Region the copy's own retention decides.
  const { expiredAt: _sourceExpiry, ...rest } = record;
  return { located: { region: where.region, from: 'copy', record: { ...rest, volumes } } };
}

/** The record's volumes with the copy's snapshots in place of the source's, or what the copy lacks. */
function copiedVolumes(record: RecoveryPointRecord, copy: RecoveryPointCopy): RecoveryPointVolume[] | string {
  const volumes: RecoveryPointVolume[] = [];
  for (const volume of record.volumes) {
    const copied = copy.volumes.find((v) => v.sourceSnapshotHandle === volume.snapshotHandle);
    if (!copied) return `has no copy of volume ${volume.snapshot} (${volume.snapshotHandle})`;
    volumes.push({ ...volume, snapshotHandle: copied.snapshotHandle, encrypted: true, kmsKeyId: copy.kmsKeyId });
  }
  return volumes;
}

/** What a record holds, for an error: its source's state and each copy's Region and state. */
function describeCopies(record: RecoveryPointRecord, where: RestoreRegions): string {
  const source = `source in ${where.sourceRegion}${record.expiredAt !== undefined ? ` expired at ${record.expiredAt}` : ''}`;
  const copies = (record.copies ?? []).map((copy) => {
    if (copy.account) return `copy in ${copy.region} kept in account ${copy.account.id}`;
    if (copy.completedAt === undefined) return `copy in ${copy.region} copying since ${copy.startedAt}`;
    if (Date.parse(copy.expiresAt) <= where.now.getTime()) return `copy in ${copy.region} expired at ${copy.expiresAt}`;
    return `copy in ${copy.region} completed at ${copy.completedAt}`;
  });
  return [source, ...(copies.length > 0 ? copies : ['no copies'])].join('; ');
}
