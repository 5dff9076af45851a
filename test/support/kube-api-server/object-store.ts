import { randomUUID } from 'node:crypto';
import type { ResourceType } from './resource-registry';
import type { VirtualClock } from '../virtual-clock';

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
    generateName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    deletionTimestamp?: string;
  };
  [field: string]: unknown;
}

/** RFC 3339 to the second, as the API server writes timestamps. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Objects by resource, namespace and name, with a global resourceVersion counter and owner-reference GC. */
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

  list(type: ResourceType, namespace?: string): StoredObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === type.kind && o.apiVersion === (type.group ? `${type.group}/${type.version}` : type.version))
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Adds a new object (the caller has checked it does not exist) and returns the stored copy. */
  insert(type: ResourceType, object: Omit<StoredObject, 'metadata'> & { metadata: Partial<StoredObject['metadata']> & { name: string } }): StoredObject {
    const stored: StoredObject = {
      ...structuredClone(object),
      metadata: {
        ...structuredClone(object.metadata),
        ...(type.namespaced ? {} : { namespace: undefined }),
        uid: randomUUID(),
        resourceVersion: String(++this.version),
        creationTimestamp: object.metadata.creationTimestamp ?? kubeTime(this.clock.now()),
      },
    } as StoredObject;
    if (!type.namespaced) delete stored.metadata.namespace;
    this.objects.set(this.key(type, stored.metadata.namespace, stored.metadata.name), stored);
    return stored;
  }

  /** Replaces an object in place, bumping its resourceVersion. */
  update(type: ResourceType, object: StoredObject): StoredObject {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.version) } };
    this.objects.set(this.key(type, stored.metadata.namespace, stored.metadata.name), stored);
    return stored;
  }

  /** Deletes an object and, like the garbage collector, every object that names it as an owner. */
  delete(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const key = this.key(type, namespace, name);
    const object = this.objects.get(key);
    if (!object) return undefined;
    this.objects.delete(key);
    this.collectDependents(object.metadata.uid);
    return object;
  }

  private collectDependents(ownerUid: string): void {
    for (const [key, object] of [...this.objects]) {
      if (object.metadata.ownerReferences?.some((ref) => ref.uid === ownerUid) && this.objects.has(key)) {
        this.objects.delete(key);
        this.collectDependents(object.metadata.uid);
      }
    }
  }

  get resourceVersion(): string {
    return String(this.version);
  }
}
