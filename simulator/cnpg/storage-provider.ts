/** A captured data directory: what a storage snapshot holds (undefined for an empty database). */
export type StorageImage = Promise<Blob | undefined>;

/**
 * The storage snapshots that exist at the provider, as the CSI driver reports them (ListSnapshots: snapshot_id and
 * size_bytes), and the data each holds. EBS snapshots are regional: any EKS cluster of the account and Region reaches
 * the same ones and can create volumes from them (Amazon EBS User Guide, "Amazon EBS snapshots"), so the simulated EKS
 * clusters of one run share one provider; a test server started alone has its own.
 */
export class SimulatedStorageProvider {
  /** Snapshot id to size in bytes. */
  readonly sizes = new Map<string, number>();
  /** Snapshot id to the data directory captured when it was cut. */
  readonly images = new Map<string, StorageImage>();

  has(handle: string): boolean {
    return this.sizes.has(handle);
  }

  handles(): string[] {
    return [...this.sizes.keys()].sort();
  }
}
