import type { CopyAccount } from './copy-policy';
import type { RecoveryPointCopy } from './recovery-point-record';

/** Where storage snapshots are: a Region of the scheduler's own account, or of another account (reached through its role). */
export interface StorageLocation {
  region: string;
  account?: CopyAccount;
}

/** A copy's location: its Region, in the account it is kept in. */
export function copyLocation(copy: RecoveryPointCopy): StorageLocation {
  return { region: copy.region, ...(copy.account && { account: copy.account }) };
}

/** One key per location: the Region alone for the scheduler's own account, `<region>@<account id>` for another's. */
export function storageLocationKey(location: StorageLocation): string {
  return location.account ? `${location.region}@${location.account.id}` : location.region;
}
