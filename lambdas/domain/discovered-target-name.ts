import { createHash } from 'node:crypto';
import { TARGET_NAME_MAX } from './target-spec';

/** Hex digits of the hash every discovered target's name ends with. */
export const DISCOVERED_HASH_LENGTH = 8;
/** What is left of a name for the readable part: the hash and its "-" take the rest. */
export const DISCOVERED_READABLE_MAX = TARGET_NAME_MAX - DISCOVERED_HASH_LENGTH - 1;

/** Where a discovered CNPG Cluster lives: what its target name is derived from. */
export interface ClusterCoordinates {
  eksCluster: string;
  namespace: string;
  cluster: string;
}

/**
 * The target name of a discovered Cluster: the Cluster's name, cut to 31 characters, then `-` and 8 hex digits of the
 * SHA-256 of `<eksCluster>/<namespace>/<cluster>`. Always hashed, never only on a collision: the name depends on the
 * Cluster alone, not on which other Clusters exist, so it stays the same for the Cluster's whole life and the target
 * label on its Backups and snapshots keeps matching it. Clusters of one name in two namespaces or on two EKS clusters
 * differ in the hash. The readable part is the Cluster's name alone, so the admission policy can check that an object
 * marked for a discovered target is of that target's Cluster (it sees the namespace, and cannot compute a hash).
 * A valid target name: a DNS label of at most 40 characters.
 */
export function discoveredTargetName(coordinates: ClusterCoordinates): string {
  const readable = coordinates.cluster.slice(0, DISCOVERED_READABLE_MAX).replace(/-+$/, '');
  const hash = createHash('sha256')
    .update(`${coordinates.eksCluster}/${coordinates.namespace}/${coordinates.cluster}`)
    .digest('hex')
    .slice(0, DISCOVERED_HASH_LENGTH);
  return `${readable}-${hash}`;
}
