import type { ClusterSpec } from './kube-objects';

/**
 * What a restore does with each field of the source Cluster's spec, decided once per field:
 * - `copy`: kept as it is, because it says how the cluster runs (parameters, resources, placement);
 * - `fit`: copied, then fitted to the restored cluster (its name, size or snapshots) by restore-manifest.ts;
 * - `adapt`: kept in part or rewritten for the new cluster;
 * - `replace`: the restore writes its own value;
 * - `drop`: never carried over.
 * The key type is every spec field of the generated CRD type, so a CNPG upgrade that adds one does not compile until
 * it is decided here (and test/domain/restore-spec-fields.test.ts checks the list against the vendored CRD itself).
 */
export type SpecFieldDecision = 'copy' | { fit: string } | { adapt: string } | { replace: string } | { drop: string };

export const RESTORE_SPEC_FIELDS = {
  affinity: 'copy',
  backup: {
    adapt:
      'volumeSnapshot and target are kept; the in-tree WAL archive (barmanObjectStore, retentionPolicy) is dropped, so the restored cluster never archives into the source’s WAL path',
  },
  bootstrap: { replace: 'recovery from the chosen backup’s VolumeSnapshots' },
  certificates: { drop: 'the source’s server certificate names the source’s services; CNPG issues the new cluster its own' },
  description: 'copy',
  enablePDB: 'copy',
  enableSuperuserAccess: 'copy',
  env: 'copy',
  envFrom: 'copy',
  ephemeralVolumeSource: 'copy',
  ephemeralVolumesSizeLimit: 'copy',
  externalClusters: {
    replace: 'only `origin`, the source’s WAL archive, for a point-in-time or replica restore; none otherwise',
  },
  failoverDelay: 'copy',
  imageCatalogRef: 'copy',
  imageName: {
    replace: 'the image the backup was taken with, from its recorded Cluster (restore-image.ts); none when imageCatalogRef names it',
  },
  imagePullPolicy: 'copy',
  imagePullSecrets: 'copy',
  inheritedMetadata: 'copy',
  instances: { replace: 'the instance count of the restore request' },
  livenessProbeTimeout: 'copy',
  logLevel: 'copy',
  managed: {
    adapt: 'roles and disabled default services are kept; additional services are dropped, their explicit names are the source’s',
  },
  maxSyncReplicas: {
    fit: 'dropped with minSyncReplicas when the restored cluster has too few instances for it (CNPG’s webhook refuses it)',
  },
  minSyncReplicas: { fit: 'dropped with maxSyncReplicas when the restored cluster has too few instances for them' },
  monitoring: 'copy',
  nodeMaintenanceWindow: 'copy',
  plugins: {
    adapt: 'WAL-archiver plugins are dropped; a kept barman-cloud plugin writes under the new cluster’s name (serverName)',
  },
  podSecurityContext: 'copy',
  podSelectorRefs: 'copy',
  postgresGID: 'copy',
  postgresUID: 'copy',
  postgresql: { fit: 'postgresql.synchronous is dropped when it needs more standbys than the restored cluster has' },
  primaryLease: 'copy',
  primaryUpdateMethod: 'copy',
  primaryUpdateStrategy: 'copy',
  priorityClassName: 'copy',
  probes: 'copy',
  projectedVolumeTemplate: 'copy',
  replica: { replace: 'set only for a replica restore, following `origin`' },
  replicationSlots: 'copy',
  resources: 'copy',
  schedulerName: 'copy',
  seccompProfile: 'copy',
  securityContext: 'copy',
  serviceAccountName: {
    fit: 'a requested account replaces it; a restore that reads the WAL archive runs under the source’s account (restore-service-account.ts)',
  },
  serviceAccountTemplate: { fit: 'dropped when the restored cluster names its account (the two are mutually exclusive)' },
  smartShutdownTimeout: 'copy',
  startDelay: 'copy',
  stopDelay: 'copy',
  storage: { fit: 'at least the restore size of the data snapshot' },
  superuserSecret: 'copy',
  switchoverDelay: 'copy',
  tablespaces: { fit: 'each restored tablespace’s storage at least the restore size of its snapshot' },
  topologySpreadConstraints: { fit: 'a selector of the source’s pods (cnpg.io/cluster) selects the restored cluster’s' },
  walStorage: { fit: 'at least the restore size of the WAL snapshot' },
} as const satisfies Record<keyof ClusterSpec, SpecFieldDecision>;

/** The spec fields a restored cluster takes from the source: those kept as they are, and those fitted afterwards. */
export const COPIED_SPEC_FIELDS = (Object.keys(RESTORE_SPEC_FIELDS) as (keyof ClusterSpec)[]).filter((field) => {
  const decision: SpecFieldDecision = RESTORE_SPEC_FIELDS[field];
  return decision === 'copy' || 'fit' in decision;
});
