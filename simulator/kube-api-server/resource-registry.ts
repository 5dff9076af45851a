import type { CrdKind } from '../crd-schemas';

/** The resources the test server serves, with the paths and kinds the real API server uses for them. */
export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** The vendored CRD schema objects of this resource are validated against, if any. */
  crd?: CrdKind;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { group: 'postgresql.cnpg.io', version: 'v1', resource: 'clusters', kind: 'Cluster', namespaced: true, crd: 'Cluster' },
  { group: 'postgresql.cnpg.io', version: 'v1', resource: 'backups', kind: 'Backup', namespaced: true, crd: 'Backup' },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    resource: 'scheduledbackups',
    kind: 'ScheduledBackup',
    namespaced: true,
    crd: 'ScheduledBackup',
  },
  {
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    resource: 'volumesnapshots',
    kind: 'VolumeSnapshot',
    namespaced: true,
    crd: 'VolumeSnapshot',
  },
  { group: 'snapshot.storage.k8s.io', version: 'v1', resource: 'volumesnapshotclasses', kind: 'VolumeSnapshotClass', namespaced: false },
  // Cluster-scoped (external-snapshotter client/config/crd/snapshot.storage.k8s.io_volumesnapshotcontents.yaml).
  {
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    resource: 'volumesnapshotcontents',
    kind: 'VolumeSnapshotContent',
    namespaced: false,
  },
  // Cluster-scoped; deleting one deletes everything in it (see namespace-controller.ts).
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
];

export function resourceTypeOf(resource: string): ResourceType {
  const type = RESOURCE_TYPES.find((t) => t.resource === resource);
  if (!type) throw new Error(`The test server does not serve ${resource}`);
  return type;
}

/** `group/version`, or just `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function resourceTypeOfKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => apiVersionOf(t) === apiVersion && t.kind === kind);
}

export interface ParsedPath {
  type: ResourceType;
  namespace?: string;
  name?: string;
}

/** `/api/v1/namespaces/ns/pods/x`, `/apis/group/v1/namespaces/ns/backups`, `/apis/group/v1/backups`, `/apis/group/v1/volumesnapshotclasses/x`. */
export function parseResourcePath(pathname: string): ParsedPath | undefined {
  const parts = pathname.split('/').filter(Boolean);
  let group = '';
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else return undefined;
  const version = parts[0] === 'api' ? 'v1' : parts[2]!;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = decodeURIComponent(rest[1]!);
    rest = rest.slice(2);
  }
  if (rest.length < 1 || rest.length > 2) return undefined;
  const type = RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === rest[0]);
  if (!type) return undefined;
  // A namespaced resource is also listed across all namespaces; a cluster-scoped one never has a namespace.
  if (type.namespaced ? namespace === undefined && rest[1] !== undefined : namespace !== undefined) return undefined;
  return { type, ...(namespace !== undefined && { namespace }), ...(rest[1] !== undefined && { name: decodeURIComponent(rest[1]) }) };
}
