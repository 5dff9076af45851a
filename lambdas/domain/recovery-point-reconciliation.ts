import type { RecoveryPointRecord } from './recovery-point-record';
import { copyLocation, storageLocationKey, type StorageLocation } from './storage-location';

/** A record whose own storage snapshots are gone at the provider: it is no recovery point any more. */
export interface LostRecoveryPoint {
  backup: string;
  /** The storage snapshots of its volumes that no longer exist. */
  snapshotHandles: string[];
}

/** A copy of a backup whose snapshots are gone in its Region: the record no longer has it. */
export interface LostRecoveryPointCopy {
  backup: string;
  region: string;
  snapshotHandles: string[];
}

export interface RecoveryPointDrift {
  lost: LostRecoveryPoint[];
  lostCopies: LostRecoveryPointCopy[];
}

/**
 * The storage snapshots the catalog claims, by location (storageLocationKey: a Region of the scheduler's account, or
 * of the account a copy is kept in): the volumes of each record that is still a recovery point
 * (not expired) in the Region the backups are taken in, and every copy's snapshots in the copy's Region (a copy
 * outlives its source's retention). What the provider is asked about, and nothing more.
 */
export function claimedStorageSnapshots(records: readonly RecoveryPointRecord[], sourceRegion: string): Map<string, string[]> {
  const claimed = new Map<string, Set<string>>();
  const claim = (region: string, handle: string) => {
    const handles = claimed.get(region) ?? new Set<string>();
    handles.add(handle);
    claimed.set(region, handles);
  };
  for (const record of records) {
    if (record.expiredAt === undefined) for (const volume of record.volumes) claim(sourceRegion, volume.snapshotHandle);
    for (const copy of record.copies ?? [])
      for (const volume of copy.volumes) claim(storageLocationKey(copyLocation(copy)), volume.snapshotHandle);
  }
  return new Map([...claimed].map(([region, handles]) => [region, [...handles].sort()]));
}

/**
 * Where the catalog claims more than the provider holds (drift: a snapshot deleted behind the scheduler's back, a
 * Region's storage lost): a record that is still a recovery point and misses any volume's storage snapshot in the
 * source Region is lost (a restore needs every volume); a copy missing any of its snapshots in its Region is lost.
 * `existing` holds, by location key, the snapshots the provider has of those asked about (claimedStorageSnapshots); a
 * Region not in it was not asked about, and nothing there is judged.
 */
export function recoveryPointDrift(input: {
  records: readonly RecoveryPointRecord[];
  sourceRegion: string;
  existing: ReadonlyMap<string, ReadonlySet<string>>;
}): RecoveryPointDrift {
  const missingIn = (region: string, handles: readonly string[]): string[] => {
    const existing = input.existing.get(region);
    return existing ? handles.filter((handle) => !existing.has(handle)) : [];
  };
  const lost: LostRecoveryPoint[] = [];
  const lostCopies: LostRecoveryPointCopy[] = [];
  for (const record of input.records) {
    const missing =
      record.expiredAt === undefined
        ? missingIn(
            input.sourceRegion,
            record.volumes.map((v) => v.snapshotHandle),
          )
        : [];
    if (missing.length > 0) lost.push({ backup: record.backup, snapshotHandles: missing });
    for (const copy of record.copies ?? []) {
      const gone = missingIn(
        storageLocationKey(copyLocation(copy)),
        copy.volumes.map((v) => v.snapshotHandle),
      );
      if (gone.length > 0) lostCopies.push({ backup: record.backup, region: copy.region, snapshotHandles: gone });
    }
  }
  return { lost, lostCopies };
}

/** The location of each key claimedStorageSnapshots answers: the source Region, and every copy's. */
export function claimedLocations(records: readonly RecoveryPointRecord[], sourceRegion: string): Map<string, StorageLocation> {
  const locations = new Map<string, StorageLocation>([[sourceRegion, { region: sourceRegion }]]);
  for (const copy of records.flatMap((record) => record.copies ?? [])) {
    const location = copyLocation(copy);
    locations.set(storageLocationKey(location), location);
  }
  return locations;
}
