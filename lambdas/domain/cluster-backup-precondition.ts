import { CnpgAnnotation } from './cnpg-api';
import type { Cluster } from './kube-objects';

/**
 * Why a volume-snapshot Backup of the cluster cannot be taken now, or undefined when it can.
 * CNPG would fail such a Backup at once (checkPrerequisites); refusing first means nothing is created.
 */
export function clusterBackupBlocker(cluster: Cluster | undefined, target: { namespace: string; cluster: string }): string | undefined {
  const ref = `${target.namespace}/${target.cluster}`;
  if (!cluster) return `Cluster ${ref} does not exist`;
  if (cluster.metadata.deletionTimestamp) return `Cluster ${ref} is being deleted`;
  if (cluster.metadata.annotations?.[CnpgAnnotation.Hibernation] === 'on')
    return `Cluster ${ref} is hibernated (annotation ${CnpgAnnotation.Hibernation}: "on"); CNPG cannot back it up`;
  if (!cluster.spec.backup?.volumeSnapshot)
    return `Cluster ${ref} has no spec.backup.volumeSnapshot: set spec.backup.volumeSnapshot.className to a VolumeSnapshotClass`;
  return undefined;
}
