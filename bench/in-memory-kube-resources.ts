import type {
  CreateResult,
  DeleteResult,
  KubeResources,
  ObjectPatch,
  ResourceKind,
  ResourceTypes,
} from '../lambdas/adapters/kube-resources';

/**
 * KubeResources over arrays held in memory, with no API server behind them: what is left of a handler's time is
 * its own work. Lists ignore selectors (the bench seeds only the target's objects); writes are counted, not applied.
 */
export class InMemoryKubeResources implements KubeResources {
  readonly writes: Array<{ verb: 'create' | 'annotate' | 'patch' | 'delete'; kind: ResourceKind; name: string }> = [];

  constructor(private readonly objects: { [K in ResourceKind]?: ReadonlyArray<ResourceTypes[K]> }) {}

  get<K extends ResourceKind>(kind: K, _namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    return Promise.resolve(this.objects[kind]?.find((o) => o.metadata.name === name));
  }

  list<K extends ResourceKind>(kind: K): Promise<ResourceTypes[K][]> {
    return Promise.resolve(this.objects[kind]?.slice() ?? []);
  }

  create<K extends ResourceKind>(kind: K, _namespace: string, body: ResourceTypes[K]): Promise<CreateResult<ResourceTypes[K]>> {
    this.writes.push({ verb: 'create', kind, name: body.metadata.name });
    return Promise.resolve({ created: true, object: body });
  }

  annotate(kind: ResourceKind, _namespace: string, name: string): Promise<'annotated'> {
    this.writes.push({ verb: 'annotate', kind, name });
    return Promise.resolve('annotated');
  }

  async patch<K extends ResourceKind>(
    kind: K,
    namespace: string,
    name: string,
    _patch: ObjectPatch,
  ): Promise<ResourceTypes[K] | undefined> {
    this.writes.push({ verb: 'patch', kind, name });
    return this.get(kind, namespace, name);
  }

  delete(kind: ResourceKind, _namespace: string, name: string): Promise<DeleteResult> {
    this.writes.push({ verb: 'delete', kind, name });
    return Promise.resolve('deleted');
  }
}
