import { ApiException, BatchV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { CNPG_GROUP, CNPG_VERSION, SNAPSHOT_GROUP, SNAPSHOT_VERSION } from '../domain/cnpg-api';
import {
  CLUSTER_SCOPED_KINDS,
  type CreateResult,
  type KubeResources,
  type ListOptions,
  type ResourceKind,
  type ResourceTypes,
} from './kube-resources';
import { toSchedulerError } from './kube-api-errors';
import { KubernetesApiError } from '../errors';

const CUSTOM_RESOURCES: Partial<Record<ResourceKind, { group: string; version: string }>> = {
  clusters: { group: CNPG_GROUP, version: CNPG_VERSION },
  backups: { group: CNPG_GROUP, version: CNPG_VERSION },
  volumesnapshots: { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION },
  volumesnapshotclasses: { group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION },
};

/** Objects per list page: large lists (tens of thousands of snapshots) are read in pages, never at once. */
export const DEFAULT_PAGE_SIZE = 500;

export interface ClientNodeKubeResourcesOptions {
  /** Renews the bearer token; called before the one retry of a 401. */
  onUnauthorized?: () => void;
  pageSize?: number;
}

interface ObjectList<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

/** Typed client models hold Date objects; the domain reads objects as the API sent them (RFC 3339 strings). */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * KubeResources over @kubernetes/client-node. `onUnauthorized` renews the bearer token; a 401 is retried once
 * with a fresh one (the token may have outlived its credentials), then reported.
 */
export class ClientNodeKubeResources implements KubeResources {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;

  private readonly onUnauthorized: () => void;
  private readonly pageSize: number;

  constructor(config: KubeConfig, options: ClientNodeKubeResourcesOptions = {}) {
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.batch = config.makeApiClient(BatchV1Api);
  }

  async get<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    try {
      return await this.call(`get ${kind} ${this.ref(kind, namespace, name)}`, () => this.read(kind, namespace, name));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list<K extends ResourceKind>(kind: K, namespace: string, options: ListOptions = {}): Promise<ResourceTypes[K][]> {
    const items: ResourceTypes[K][] = [];
    let token: string | undefined;
    do {
      const page = await this.call(`list ${kind} in ${namespace}`, () => this.listPage(kind, namespace, options.labelSelector, token));
      items.push(...page.items);
      token = page.metadata?._continue ?? page.metadata?.continue;
    } while (token);
    return items;
  }

  async create<K extends ResourceKind>(kind: K, namespace: string, body: ResourceTypes[K]): Promise<CreateResult<ResourceTypes[K]>> {
    const resource = this.customResource(kind);
    const name = body.metadata.name ?? '';
    try {
      const object = await this.call(`create ${kind} ${this.ref(kind, namespace, name)}`, () =>
        this.custom.createNamespacedCustomObject({ ...resource, namespace, plural: kind, body }),
      );
      return { created: true, object: plain<ResourceTypes[K]>(object) };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await this.get(kind, namespace, name);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async delete(kind: ResourceKind, namespace: string, name: string): Promise<'deleted' | 'absent'> {
    const resource = this.customResource(kind);
    try {
      await this.call(`delete ${kind} ${this.ref(kind, namespace, name)}`, () =>
        this.custom.deleteNamespacedCustomObject({ ...resource, namespace, plural: kind, name }),
      );
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  private async read<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K]> {
    if (kind === 'persistentvolumeclaims') return plain(await this.core.readNamespacedPersistentVolumeClaim({ namespace, name }));
    if (kind === 'jobs') return plain(await this.batch.readNamespacedJob({ namespace, name }));
    const resource = this.customResource(kind);
    const object: unknown = CLUSTER_SCOPED_KINDS.has(kind)
      ? await this.custom.getClusterCustomObject({ ...resource, plural: kind, name })
      : await this.custom.getNamespacedCustomObject({ ...resource, namespace, plural: kind, name });
    return plain(object);
  }

  private async listPage<K extends ResourceKind>(kind: K, namespace: string, labelSelector: string | undefined, token: string | undefined) {
    const query = { namespace, limit: this.pageSize, ...(labelSelector && { labelSelector }), ...(token && { _continue: token }) };
    if (kind === 'persistentvolumeclaims')
      return plain<ObjectList<ResourceTypes[K]>>(await this.core.listNamespacedPersistentVolumeClaim(query));
    if (kind === 'jobs') return plain<ObjectList<ResourceTypes[K]>>(await this.batch.listNamespacedJob(query));
    return plain<ObjectList<ResourceTypes[K]>>(
      await this.custom.listNamespacedCustomObject({ ...this.customResource(kind), ...query, plural: kind }),
    );
  }

  private customResource(kind: ResourceKind): { group: string; version: string } {
    const resource = CUSTOM_RESOURCES[kind];
    if (!resource) throw new Error(`${kind} are read-only for the scheduler`);
    return resource;
  }

  private ref(kind: ResourceKind, namespace: string, name: string): string {
    return CLUSTER_SCOPED_KINDS.has(kind) ? name : `${namespace}/${name}`;
  }

  private async call<T>(action: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 401)) throw toSchedulerError(error, action);
      this.onUnauthorized();
      try {
        return await request();
      } catch (retryError) {
        throw toSchedulerError(retryError, action);
      }
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.status === 404;
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.status === 409 && error.reason === 'AlreadyExists';
}
