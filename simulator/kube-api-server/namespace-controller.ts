import { NAMESPACE_FINALIZER, type ObjectStore } from './object-store';
import { RESOURCE_TYPES, resourceTypeOf } from './resource-registry';

const NAMESPACES = resourceTypeOf('namespaces');
const NAMESPACED = RESOURCE_TYPES.filter((type) => type.namespaced);

/**
 * The namespace controller of kube-controller-manager, as kubernetes pkg/controller/namespace/deletion/
 * namespaced_resources_deleter.go carries out a namespace deletion (Delete): for a namespace marked Terminating, every
 * namespaced resource in it is deleted (deleteAllContent, a deletecollection per resource, so an object with
 * finalizers is only marked and stays until its controllers remove them); while any content remains the namespace
 * waits (ResourcesRemainingError); once it is empty, the `kubernetes` finalizer is removed from spec.finalizers
 * (finalizeNamespace) and the namespace is deleted (deleteNamespace).
 */
export class NamespaceController {
  constructor(private readonly store: ObjectStore) {}

  /** True when anything moved. */
  reconcile(): boolean {
    let progressed = false;
    for (const namespace of this.store.list(NAMESPACES)) {
      if (namespace.metadata.deletionTimestamp === undefined) continue;
      const name = namespace.metadata.name;
      let remaining = 0;
      for (const type of NAMESPACED)
        for (const object of this.store.list(type, name)) {
          // A second delete of an object held by finalizers changes nothing (the store's Delete).
          if (object.metadata.deletionTimestamp === undefined) progressed = true;
          this.store.delete(type, name, object.metadata.name);
          if (this.store.get(type, name, object.metadata.name)) remaining += 1;
        }
      if (remaining > 0) continue;
      // Finalized and deleted: with no finalizer left, the update removes the namespace (the store's Update).
      const spec = (namespace.spec ?? {}) as { finalizers?: string[] };
      const finalizers = (spec.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
      if (finalizers.length === (spec.finalizers ?? []).length) continue;
      this.store.update(NAMESPACES, { ...namespace, spec: { ...spec, finalizers } });
      progressed = true;
    }
    return progressed;
  }
}
