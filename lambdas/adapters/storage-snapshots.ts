import type { CopyAccount } from '../domain/copy-policy';
import type { SnapshotCopyRequest } from '../domain/snapshot-copy-request';

/**
 * The provider's storage snapshots (EBS snapshots with the EBS CSI driver), reached through the EC2 API rather than
 * through Kubernetes: to read what a backup really holds (size, encryption, KMS key), to copy it to a disaster
 * recovery Region, and to delete copies that their own retention expires. Every call names its Region: EBS
 * snapshots are regional (Amazon EBS User Guide, "Amazon EBS snapshots").
 *
 * Errors: TransientError for throttling, 5xx, timeouts and resets; any other answer of EC2 as an error naming the
 * call and EC2's error code.
 */
export interface StorageSnapshots {
  /** The snapshots of these ids that exist in the Region; an id that does not exist is left out, not an error. */
  describe(region: string, ids: readonly string[]): Promise<StorageSnapshot[]>;
  /** The account's snapshots in the Region that carry every one of these tags (key and value). */
  listTagged(region: string, tags: Readonly<Record<string, string>>): Promise<StorageSnapshot[]>;
  /** Starts a copy of a snapshot into `request.region`, encrypted under `kmsKeyId`; answers the copy's id (pending). */
  copy(request: StorageSnapshotCopyRequest): Promise<string>;
  /** Deletes a snapshot; one that does not exist (any more) is `absent`. */
  delete(region: string, id: string): Promise<'deleted' | 'absent'>;
  /** Lets another account create volumes from and copy a snapshot of this account (its createVolumePermission). */
  share(region: string, id: string, accountId: string): Promise<void>;
  /** Takes a share back; a snapshot that does not exist (any more) is `absent`. */
  unshare(region: string, id: string, accountId: string): Promise<'unshared' | 'absent'>;
}

/** The storage snapshots of another account, reached through a role there (one StorageSnapshots per account). */
export type AccountStorageSnapshots = (account: CopyAccount) => StorageSnapshots;

/** EC2's SnapshotState (API Reference, Snapshot). */
export type StorageSnapshotState = 'pending' | 'completed' | 'error' | 'recoverable' | 'recovering';

/** One snapshot as EC2 DescribeSnapshots answers for it. */
export interface StorageSnapshot {
  id: string;
  region: string;
  state: StorageSnapshotState;
  /** EC2's progress, as a percentage (`"40%"`); absent when EC2 gives none. */
  progress?: string;
  /** EC2's reason for an `error` state. */
  stateMessage?: string;
  encrypted: boolean;
  /** The KMS key the snapshot is encrypted under (an ARN), for an encrypted snapshot. */
  kmsKeyId?: string;
  volumeSizeGiB: number;
  startTime: string;
  tags: Record<string, string>;
}

/** What CopySnapshot is asked: the domain's copy request (lambdas/domain/snapshot-copy-request.ts). */
export type StorageSnapshotCopyRequest = SnapshotCopyRequest;
