import { kubeTime, type ObjectStore, type StoredObject } from '../kube-api-server/object-store';
import type { ResourceType } from '../kube-api-server/resource-registry';

/** Small helpers shared by the simulated controllers. */
export type Json = Record<string, unknown>;
export const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
/** A string field of a stored object, or `fallback` when it is absent or not a string. */
export const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
export const at = (ms: number) => kubeTime(new Date(ms));
export const ms = (time: unknown) => new Date(String(time)).getTime();
export const seconds = (count: number) => count * 1000;

/** A controller's writes: whole-object updates and status merges, each a no-op when the object is gone. */
export class SimulatedWrites {
  constructor(readonly store: ObjectStore) {}

  update(type: ResourceType, object: StoredObject, changes: Json): boolean {
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name);
    if (!current) return false;
    this.store.update(type, { ...current, ...changes });
    return true;
  }

  setStatus(type: ResourceType, object: StoredObject, status: Json): boolean {
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name);
    return current !== undefined && this.update(type, current, { status: { ...obj(current.status), ...status } });
  }
}
