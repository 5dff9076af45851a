import type { Backup, Cluster, Job, PersistentVolumeClaim, Pod, VolumeSnapshot, VolumeSnapshotContent } from '../domain/kube-objects';

/**
 * The Kubernetes resources the scheduler works with, and the few verbs it uses on them.
 * Errors: TransientError for 429, 5xx, timeouts and resets (the workflows retry those);
 * KubernetesApiError with the API's own message for anything else (401 after one fresh token, 403, 422, ...).
 */
export interface ResourceTypes {
  clusters: Cluster;
  backups: Backup;
  volumesnapshots: VolumeSnapshot;
  volumesnapshotcontents: VolumeSnapshotContent;
  persistentvolumeclaims: PersistentVolumeClaim;
  jobs: Job;
  pods: Pod;
}
export type ResourceKind = keyof ResourceTypes;

/** Resources without a namespace; `namespace` arguments are ignored for them. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<ResourceKind> = new Set(['volumesnapshotcontents']);

/** The namespace argument of a list across every namespace (client-go's metav1.NamespaceAll). */
export const NAMESPACE_ALL = '';

export interface ListOptions {
  labelSelector?: string;
}

export interface DeleteOptions {
  /** Delete only if the object is still at this version (DeleteOptions.preconditions.resourceVersion). */
  resourceVersion?: string;
  /**
   * How dependents go (DeleteOptions.propagationPolicy). A Job deleted through the API leaves its pods behind unless
   * this says otherwise: batch/v1 Jobs default to orphaning them (kubectl sends Background).
   */
  propagationPolicy?: 'Background' | 'Foreground';
}

export type CreateResult<T> = { created: true; object: T } | { created: false; existing: T };

/** A JSON merge patch (RFC 7386) of an object's labels: each given label is set, the others are left as they are. */
export interface LabelsPatch {
  metadata: { labels: Record<string, string> };
}

/** A JSON merge patch of a VolumeSnapshotContent's deletionPolicy: whether deleting it deletes the storage snapshot. */
export interface DeletionPolicyPatch {
  spec: { deletionPolicy: 'Retain' | 'Delete' };
}

/** The only changes the scheduler makes to objects it did not create. */
export type ObjectPatch = LabelsPatch | DeletionPolicyPatch;

/**
 * What a DELETE did: 'deleted' (gone), 'deleting' (accepted: the object stays, with a deletionTimestamp, until
 * its finalizers are removed), or 'absent' (it was already gone: 404), so a re-run after a crash is safe.
 */
export type DeleteResult = 'deleted' | 'deleting' | 'absent';

export interface KubeResources {
  /** The object, or undefined when it does not exist (404). */
  get<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K] | undefined>;
  /** Every matching object, following `continue` tokens until the list is complete; NAMESPACE_ALL lists every namespace. */
  list<K extends ResourceKind>(kind: K, namespace: string, options?: ListOptions): Promise<ResourceTypes[K][]>;
  /** Creates `body`; when an object of that name already exists (409 AlreadyExists), returns it instead. */
  create<K extends ResourceKind>(kind: K, namespace: string, body: ResourceTypes[K]): Promise<CreateResult<ResourceTypes[K]>>;
  /** Sets annotations on the object with a JSON merge patch (other annotations stay); 'absent' when it does not exist. */
  annotate(kind: ResourceKind, namespace: string, name: string, annotations: Record<string, string>): Promise<'annotated' | 'absent'>;
  /** Merge-patches the object's labels or a content's deletionPolicy; undefined when it does not exist (404). */
  patch<K extends ResourceKind>(kind: K, namespace: string, name: string, patch: ObjectPatch): Promise<ResourceTypes[K] | undefined>;
  /**
   * Deletes the object. With `resourceVersion`, only that version is deleted: a changed object answers 409 Conflict
   * (KubernetesApiError).
   */
  delete(kind: ResourceKind, namespace: string, name: string, options?: DeleteOptions): Promise<DeleteResult>;
}

/** Connects to the Kubernetes API of one target's EKS cluster (cached across warm invocations). */
export type KubeResourcesFactory = (connection: KubeConnectionTarget) => Promise<KubeResources>;

export interface KubeConnectionTarget {
  eksCluster: string;
  auth: { kind: 'eks' } | { kind: 'kubeconfig'; path: string; context?: string | undefined };
}
