/** A captured data directory: what a storage snapshot holds (undefined for an empty database). */
export type StorageImage = Promise<Blob | undefined>;

/** EC2's SnapshotState for the states the simulation reaches (EC2 API Reference, Snapshot: State). */
export type SimulatedSnapshotState = 'pending' | 'completed' | 'error';

/** How a storage snapshot is encrypted (EC2 API Reference, Snapshot: Encrypted, KmsKeyId). */
export interface SimulatedEncryption {
  encrypted: boolean;
  /** The KMS key's ARN, for an encrypted snapshot. */
  kmsKeyId?: string;
}

/** What EC2 tells of a storage snapshot besides its size (EC2 API Reference, Snapshot). */
export interface SimulatedSnapshotDetails extends SimulatedEncryption {
  state: SimulatedSnapshotState;
  /** When it was started (epoch ms, virtual time). */
  startedAt: number;
  /** When a pending snapshot completes on its own (epoch ms, virtual time): a copy; a cut one completes when the CSI driver reports it ready. */
  completesAt?: number;
  volumeId: string;
  description?: string;
  tags: Record<string, string>;
  /** The other accounts it is shared with: its createVolumePermission (EC2 API Reference, ModifySnapshotAttribute). */
  sharedWith?: string[];
}

export interface SimulatedStorageProviderOptions {
  region: string;
  account: string;
  /**
   * How the volumes the CSI driver snapshots are encrypted. Default: under the Region's default EBS key, as with EBS
   * encryption by default (Amazon EBS User Guide, "Encryption by default"): a snapshot of an encrypted volume is
   * encrypted under the volume's key ("How Amazon EBS encryption works"). The EBS CSI driver's StorageClass parameters
   * `encrypted` and `kmsKeyId` (aws-ebs-csi-driver docs/parameters.md) choose another; the simulation has no
   * StorageClasses, so this stands for them.
   */
  volumeEncryption?: SimulatedEncryption;
}

/** The ARN of a Region's default EBS key (AWS managed key `aws/ebs`, one per account and Region): a fixed key id here. */
export const defaultEbsKeyArn = (region: string, account: string) =>
  `arn:aws:kms:${region}:${account}:key/00000000-0000-4000-8000-0000000e0b5d`;

/**
 * The storage snapshots that exist at the provider in one account and Region, as the CSI driver reports them
 * (ListSnapshots: snapshot_id and size_bytes) and EC2 describes them, and the data each holds. EBS snapshots are
 * regional: any EKS cluster of the account and Region reaches the same ones and can create volumes from them (Amazon
 * EBS User Guide, "Amazon EBS snapshots"), so the simulated EKS clusters of one Region share one provider; a test
 * server started alone has its own.
 */
export class SimulatedStorageProvider {
  readonly region: string;
  readonly account: string;
  readonly volumeEncryption: SimulatedEncryption;
  /** Snapshot id to size in bytes: the snapshots that exist. */
  readonly sizes = new Map<string, number>();
  /** Snapshot id to the data directory captured when it was cut. */
  readonly images = new Map<string, StorageImage>();
  /** Snapshot id to what EC2 describes of it besides its size. */
  readonly details = new Map<string, SimulatedSnapshotDetails>();

  constructor(options: SimulatedStorageProviderOptions = { region: 'eu-west-1', account: '123456789012' }) {
    this.region = options.region;
    this.account = options.account;
    this.volumeEncryption = options.volumeEncryption ?? { encrypted: true, kmsKeyId: defaultEbsKeyArn(options.region, options.account) };
  }

  /** The Region's default EBS key. */
  get defaultKmsKeyId(): string {
    return defaultEbsKeyArn(this.region, this.account);
  }

  has(handle: string): boolean {
    return this.sizes.has(handle);
  }

  handles(): string[] {
    return [...this.sizes.keys()].sort();
  }

  /**
   * The CSI driver cut a snapshot of a volume (aws-ebs-csi-driver pkg/cloud/cloud.go, CreateSnapshot: EC2
   * CreateSnapshot): pending, encrypted as the volume is, until the driver reports it ready.
   */
  cut(handle: string, sizeBytes: number, startedAt: number, volumeId: string): void {
    this.sizes.set(handle, sizeBytes);
    this.details.set(handle, { state: 'pending', startedAt, volumeId, tags: {}, ...this.volumeEncryption });
  }

  /** The EBS CSI driver reports a snapshot ready to use once EC2 says it is completed (pkg/cloud/cloud.go, ec2SnapshotResponseToStruct). */
  complete(handle: string): void {
    const details = this.details.get(handle);
    if (details) this.details.set(handle, { ...details, state: 'completed' });
  }

  /** A snapshot made some other way (a copy from another Region): its size, data and details as given. */
  add(handle: string, sizeBytes: number, image: StorageImage | undefined, details: SimulatedSnapshotDetails): void {
    this.sizes.set(handle, sizeBytes);
    if (image) this.images.set(handle, image);
    this.details.set(handle, details);
  }

  /** The snapshot is deleted: its data goes with it. */
  remove(handle: string): void {
    this.sizes.delete(handle);
    this.images.delete(handle);
    this.details.delete(handle);
  }

  /** Every snapshot of the Region is gone (the Region is lost, as far as its storage goes). */
  clear(): void {
    this.sizes.clear();
    this.images.clear();
    this.details.clear();
  }
}
