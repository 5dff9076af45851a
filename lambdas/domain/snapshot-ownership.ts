import type { ClusterSpec } from './kube-objects';

/**
 * What deleting something else does to a cluster's backups. CNPG gives its VolumeSnapshots an owner according to
 * `spec.backup.volumeSnapshot.snapshotOwnerReference`: `none` (default) lets them outlive their Backup and Cluster,
 * `backup` makes them go with their Backup, `cluster` with the Cluster (api/v1/cluster_types.go;
 * pkg/reconciler/backup/volumesnapshot/reconciler.go, enrichSnapshot; docs "Persistence of volume snapshot objects").
 */
export function snapshotOwnershipWarning(spec: ClusterSpec, ref: string): string | undefined {
  const owner = spec.backup?.volumeSnapshot?.snapshotOwnerReference;
  if (owner === 'cluster')
    return `Cluster ${ref} has snapshotOwnerReference "cluster": deleting the Cluster deletes every one of its snapshots, so no backup survives the disaster it is for; set spec.backup.volumeSnapshot.snapshotOwnerReference to "none"`;
  if (owner === 'backup')
    return `Cluster ${ref} has snapshotOwnerReference "backup": deleting a Backup object deletes its snapshots, whoever deletes it; "none" keeps them until retention deletes them`;
  return undefined;
}
