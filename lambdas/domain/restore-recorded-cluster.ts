import { PreconditionFailedError } from '../errors';
import { CnpgAnnotation } from './cnpg-api';
import type { Cluster, VolumeSnapshot } from './kube-objects';
import type { RestoreSpecSource } from './restore-request';

/**
 * The source Cluster as CNPG recorded it at backup time: every snapshot of a volume-snapshot backup carries the whole
 * Cluster object, spec and status, as JSON in annotation `cnpg.io/clusterManifest` (cloudnative-pg
 * pkg/reconciler/backup/volumesnapshot/reconciler.go, enrichSnapshot). Snapshots outlive their Cluster by default
 * (`snapshotOwnerReference: none`), so this is the spec to restore from once the Cluster has been deleted.
 */
export function recordedCluster(snapshot: VolumeSnapshot): Cluster | undefined {
  const raw = snapshot.metadata.annotations?.[CnpgAnnotation.ClusterManifest];
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { metadata, spec, status } = parsed as Partial<Record<'metadata' | 'spec' | 'status', unknown>>;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return undefined;
  // CNPG serialises the whole Cluster object, so its metadata names it; a record without a name is not one.
  if (metadata === null || typeof metadata !== 'object' || !('name' in metadata) || typeof metadata.name !== 'string') return undefined;
  // The operator's typed client leaves apiVersion and kind out of the JSON: they are not read from it.
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: metadata as Cluster['metadata'],
    spec: spec as Cluster['spec'],
    ...(status !== null && typeof status === 'object' && { status }),
  };
}

/** The Cluster whose spec a restore copies: the live one, or the backup's record of it, as asked or as available. */
export function restoreSpecSource(input: {
  asked: RestoreSpecSource | undefined;
  live: Cluster | undefined;
  recorded: Cluster | undefined;
  source: { namespace: string; cluster: string };
  dataSnapshot: string;
}): { from: RestoreSpecSource; cluster: Cluster } {
  const ref = `${input.source.namespace}/${input.source.cluster}`;
  const from = input.asked ?? (input.live ? 'cluster' : 'backup');
  if (from === 'cluster') {
    if (!input.live)
      throw new PreconditionFailedError(
        `Cluster ${ref} does not exist; restore it from the spec its backup recorded with specFrom "backup" (the default when the Cluster is gone)`,
      );
    return { from, cluster: input.live };
  }
  if (!input.recorded)
    throw new PreconditionFailedError(
      `Cluster ${ref} ${input.live ? 'exists' : 'does not exist'} and VolumeSnapshot ${input.source.namespace}/${input.dataSnapshot} carries no readable ${CnpgAnnotation.ClusterManifest} annotation to restore its spec from${input.live ? ': use specFrom "cluster"' : ''}`,
    );
  return { from, cluster: input.recorded };
}
