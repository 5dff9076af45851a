import { SimulatedStorageProvider, type SimulatedEncryption } from '../cnpg/storage-provider';

/**
 * The storage providers of one account, one per Region: EBS snapshots are regional (Amazon EBS User Guide, "Amazon EBS
 * snapshots"), so the EKS clusters of a Region share its provider, and a snapshot reaches another Region only as a
 * copy (CopySnapshot). A Region's provider is made on first use.
 */
export class SimulatedStorageRegions {
  private readonly providers = new Map<string, SimulatedStorageProvider>();

  constructor(
    readonly account: string,
    /** How each Region's volumes are encrypted, when not under the Region's default EBS key. */
    private readonly volumeEncryption: Readonly<Record<string, SimulatedEncryption>> = {},
  ) {}

  /** The provider of a Region. */
  region(name: string): SimulatedStorageProvider {
    let provider = this.providers.get(name);
    if (!provider) {
      const encryption = this.volumeEncryption[name];
      provider = new SimulatedStorageProvider({ region: name, account: this.account, ...(encryption && { volumeEncryption: encryption }) });
      this.providers.set(name, provider);
    }
    return provider;
  }

  /** The Region is lost: every storage snapshot in it is gone (the EKS clusters sharing its provider see that too). */
  lose(name: string): void {
    this.region(name).clear();
  }
}
