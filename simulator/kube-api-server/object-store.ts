import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '../virtual-clock';
import { resourceTypeOf, type ResourceType } from './resource-registry';

/** The finalizer the namespace controller removes once the namespace is empty (core/v1 types.go: FinalizerKubernetes). */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** A stored Kubernetes object; the store fills uid, resourceVersion and creationTimestamp. */
export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    generateName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }>;
  };
  [field: string]: unknown;
}

/** What the store is given: an object with a name; metadata the store owns is filled in. */
export interface NewObject {
  apiVersion: string;
  kind: string;
  metadata: Partial<StoredObject['metadata']> & { name: string };
  [field: string]: unknown;
}

/** RFC 3339 to the second, as the API server writes timestamps. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const NAMESPACES = resourceTypeOf('namespaces');
/** The label the API server sets on every namespace (pkg/registry/core/namespace/strategy.go, PrepareForCreate). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** pkg/registry/core/namespace/strategy.go, PrepareForCreate: phase Active and the `kubernetes` finalizer. */
const namespaceDefaults = () => ({ spec: { finalizers: [NAMESPACE_FINALIZER] }, status: { phase: 'Active' } });

const obj = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** Deleted, and held by no finalizer any more (a namespace also by none in spec.finalizers). */
const isReleased = (object: StoredObject) =>
  object.metadata.deletionTimestamp !== undefined &&
  (object.metadata.finalizers ?? []).length === 0 &&
  namespaceFinalizersOf(object).length === 0;

const namespaceFinalizersOf = (object: StoredObject): unknown[] =>
  object.kind === 'Namespace' && object.apiVersion === 'v1' ? ((obj(object.spec).finalizers as unknown[] | undefined) ?? []) : [];

const byNamespaceThenName = (a: StoredObject, b: StoredObject) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/** Objects by resource, namespace and name, with a global resourceVersion counter and owner-reference garbage collection. */
export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private version = 1000;

  constructor(private readonly clock: VirtualClock) {}

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.resource}/${namespace ?? ''}/${name}`;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(this.key(type, namespace, name));
  }

  /** The objects of a resource (in one namespace, or all), ordered by namespace and name like the API server's storage. */
  list(type: ResourceType, namespace?: string): StoredObject[] {
    const prefix = namespace === undefined ? `${type.resource}/` : `${type.resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([, object]) => object)
      .sort(byNamespaceThenName);
  }

  /**
   * Adds a new object (the caller has checked it does not exist) and returns the stored copy. A namespaced object's
   * namespace is created with it when it does not exist yet. Not modelled: the NamespaceLifecycle admission plugin
   * refuses content in a namespace that does not exist (plugin/pkg/admission/namespace/lifecycle/admission.go);
   * tests seed objects without creating their namespace first, so it is created as `kubectl create namespace` would.
   */
  insert(type: ResourceType, object: NewObject): StoredObject {
    const { namespace, ...metadata } = structuredClone(object.metadata);
    if (type.namespaced && namespace !== undefined && !this.get(NAMESPACES, undefined, namespace))
      this.insert(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const stored: StoredObject = {
      ...structuredClone(object),
      ...(type.resource === 'namespaces' && namespaceDefaults()),
      metadata: {
        ...metadata,
        ...(type.namespaced && { namespace }),
        ...(type.resource === 'namespaces' && { labels: { ...metadata.labels, [NAMESPACE_NAME_LABEL]: metadata.name } }),
        uid: randomUUID(),
        resourceVersion: String(++this.version),
        creationTimestamp: metadata.creationTimestamp ?? kubeTime(this.clock.now()),
      },
    };
    this.objects.set(this.key(type, stored.metadata.namespace, stored.metadata.name), stored);
    return stored;
  }

  /**
   * Replaces an object, bumping its resourceVersion. An object being deleted goes once its last finalizer is
   * removed (apiserver registry/generic/registry/store.go, Update: ShouldDeleteDuringUpdate).
   */
  update(type: ResourceType, object: StoredObject): StoredObject {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } };
    const key = this.key(type, stored.metadata.namespace, stored.metadata.name);
    if (isReleased(stored)) {
      this.objects.delete(key);
      this.collectGarbage();
    } else this.objects.set(key, stored);
    return stored;
  }

  /**
   * Deletes an object, then, like the garbage collector, every object none of whose owners exists any more; with
   * `orphan` (propagationPolicy Orphan) its dependents lose the owner reference instead. An object with finalizers
   * is not removed: it gets a deletionTimestamp and stays until its controllers remove them (apiserver
   * registry/generic/registry/store.go, Delete: updateForGracefulDeletionAndFinalizers; Kubernetes docs, "Finalizers").
   * A second delete of such an object changes nothing.
   */
  delete(type: ResourceType, namespace: string | undefined, name: string, orphan = false): StoredObject | undefined {
    const key = this.key(type, namespace, name);
    const object = this.objects.get(key);
    if (!object) return undefined;
    // A namespace with spec.finalizers is only marked Terminating; the namespace controller empties it, removes its
    // finalizer, and deletes it again (pkg/registry/core/namespace/storage/storage.go, Delete).
    if (namespaceFinalizersOf(object).length > 0) {
      if (object.metadata.deletionTimestamp !== undefined) return object;
      return this.update(type, {
        ...object,
        metadata: { ...object.metadata, deletionTimestamp: kubeTime(this.clock.now()) },
        status: { ...obj(object.status), phase: 'Terminating' },
      });
    }
    if ((object.metadata.finalizers ?? []).length > 0) {
      if (object.metadata.deletionTimestamp !== undefined) return object;
      const marked = { ...object, metadata: { ...object.metadata, deletionTimestamp: kubeTime(this.clock.now()) } };
      return this.update(type, marked);
    }
    this.objects.delete(key);
    if (orphan) this.releaseDependents(object.metadata.uid);
    this.collectGarbage();
    return object;
  }

  private releaseDependents(ownerUid: string): void {
    for (const [key, object] of this.objects) {
      const owners = object.metadata.ownerReferences ?? [];
      if (!owners.some((owner) => owner.uid === ownerUid)) continue;
      const metadata = {
        ...object.metadata,
        ownerReferences: owners.filter((owner) => owner.uid !== ownerUid),
        resourceVersion: String(++this.version),
      };
      if (metadata.ownerReferences.length === 0) Reflect.deleteProperty(metadata, 'ownerReferences');
      this.objects.set(key, { ...object, metadata });
    }
  }

  /** Dependents whose owners are all gone are deleted; one with finalizers is only marked, like any delete. */
  private collectGarbage(): void {
    for (let collected = true; collected;) {
      collected = false;
      const uids = new Set([...this.objects.values()].map((o) => o.metadata.uid));
      for (const [key, object] of this.objects) {
        const owners = object.metadata.ownerReferences ?? [];
        if (owners.length === 0 || owners.some((owner) => uids.has(owner.uid)) || object.metadata.deletionTimestamp !== undefined) continue;
        if ((object.metadata.finalizers ?? []).length > 0)
          this.objects.set(key, {
            ...object,
            metadata: { ...object.metadata, deletionTimestamp: kubeTime(this.clock.now()), resourceVersion: String(++this.version) },
          });
        else {
          this.objects.delete(key);
          collected = true;
        }
      }
    }
  }

  get resourceVersion(): string {
    return String(this.version);
  }
}
