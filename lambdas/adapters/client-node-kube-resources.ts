import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Observable,
  ResponseContext,
  SelfDecodingBody,
  type ConfigurationOptions,
  type KubeConfig,
  type ObservableMiddleware,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { CNPG_GROUP, CNPG_VERSION, SNAPSHOT_GROUP, SNAPSHOT_VERSION } from '../domain/cnpg-api';
import {
  CLUSTER_SCOPED_KINDS,
  type CreateResult,
  type DeleteOptions,
  type KubeResources,
  type ListOptions,
  type ResourceKind,
  type ResourceTypes,
} from './kube-resources';
import { toSchedulerError } from './kube-api-errors';
import { invocationDeadline } from './invocation-deadline';
import { DEFAULT_REQUEST_RETRY, REAL_TIME, withRetries, type RequestRetryPolicy, type RetryClock } from './request-retry';
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
  /** How transient failures are retried (default DEFAULT_REQUEST_RETRY). */
  retry?: RequestRetryPolicy;
  /** The time retries wait on (default: real time). */
  clock?: RetryClock;
}

interface ObjectList<T> {
  apiVersion: string;
  kind: string;
  items: T[];
  metadata?: { continue?: string };
}

/** One API call, given the per-call options that capture its response text. */
type Send = (options: ConfigurationOptions) => Promise<unknown>;

/**
 * KubeResources over @kubernetes/client-node. `onUnauthorized` renews the bearer token; a 401 is retried once
 * with a fresh one (the token may have outlived its credentials), then reported. Every attempt has a timeout, and
 * transient failures (429, 5xx, resets, timeouts) are retried after backoff that honours Retry-After, within the
 * request's budget and the invocation's deadline (request-retry.ts). Every verb here is idempotent, so a retry is
 * safe even when the first attempt reached the server: get and list read; create names its object, so a repeat
 * meets AlreadyExists and returns the object; delete of an object already gone reports it absent.
 *
 * Objects are returned as the API server sent them, parsed from the response text: the typed CoreV1/BatchV1 models
 * would turn timestamps into Date objects, rename fields (`_continue`) and drop the ones they do not know.
 */
export class ClientNodeKubeResources implements KubeResources {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;
  private readonly onUnauthorized: () => void;
  private readonly pageSize: number;
  private readonly retry: RequestRetryPolicy;
  private readonly clock: RetryClock;

  constructor(config: KubeConfig, options: ClientNodeKubeResourcesOptions = {}) {
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.retry = options.retry ?? DEFAULT_REQUEST_RETRY;
    this.clock = options.clock ?? REAL_TIME;
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.batch = config.makeApiClient(BatchV1Api);
  }

  async get<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    try {
      return (await this.call(`get ${kind} ${ref(kind, namespace, name)}`, this.read(kind, namespace, name))) as ResourceTypes[K];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Reads every page. A continue token expires (410 Gone, reason Expired) once etcd compacted past it, usually after
   * about five minutes; the API server then offers only an inconsistent remainder, so the list starts again from
   * the first page (Kubernetes API concepts, "Retrieving large results sets in chunks"), a few times at most.
   */
  async list<K extends ResourceKind>(kind: K, namespace: string, options: ListOptions = {}): Promise<ResourceTypes[K][]> {
    for (let restarts = 0; ; restarts += 1) {
      try {
        return await this.listOnce(kind, namespace, options);
      } catch (error) {
        if (!(error instanceof ExpiredContinueError)) throw error;
        if (restarts >= MAX_LIST_RESTARTS) throw error.cause;
      }
    }
  }

  private async listOnce<K extends ResourceKind>(kind: K, namespace: string, options: ListOptions): Promise<ResourceTypes[K][]> {
    const items: ResourceTypes[K][] = [];
    let token: string | undefined;
    do {
      const page = (await this.call(`list ${kind} in ${namespace}`, this.listPage(kind, namespace, options.labelSelector, token)).catch(
        (error: unknown) => {
          throw token !== undefined && isExpired(error) ? new ExpiredContinueError(error) : error;
        },
      )) as ObjectList<ResourceTypes[K]>;
      // Items of built-in lists carry no apiVersion and kind on the wire; the list says what they are.
      const typeMeta = { apiVersion: page.apiVersion, kind: page.kind.replace(/List$/, '') };
      items.push(...page.items.map((item) => ({ ...typeMeta, ...item })));
      token = page.metadata?.continue;
    } while (token);
    return items;
  }

  async create<K extends ResourceKind>(kind: K, namespace: string, body: ResourceTypes[K]): Promise<CreateResult<ResourceTypes[K]>> {
    const resource = customResource(kind);
    const name = body.metadata.name ?? '';
    try {
      const object = await this.call(`create ${kind} ${ref(kind, namespace, name)}`, (options) =>
        this.custom.createNamespacedCustomObject({ ...resource, namespace, plural: kind, body }, options),
      );
      return { created: true, object: object as ResourceTypes[K] };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await this.get(kind, namespace, name);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async annotate(
    kind: ResourceKind,
    namespace: string,
    name: string,
    annotations: Record<string, string>,
  ): Promise<'annotated' | 'absent'> {
    const resource = customResource(kind);
    const body = { metadata: { annotations } };
    try {
      await this.call(`annotate ${kind} ${ref(kind, namespace, name)}`, (options) =>
        this.custom.patchNamespacedCustomObject(
          { ...resource, namespace, plural: kind, name, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch, options),
        ),
      );
      return 'annotated';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  async delete(kind: ResourceKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<'deleted' | 'absent'> {
    const resource = customResource(kind);
    const body = options.resourceVersion === undefined ? {} : { body: { preconditions: { resourceVersion: options.resourceVersion } } };
    try {
      await this.call(`delete ${kind} ${ref(kind, namespace, name)}`, (callOptions) =>
        this.custom.deleteNamespacedCustomObject({ ...resource, namespace, plural: kind, name, ...body }, callOptions),
      );
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  private read(kind: ResourceKind, namespace: string, name: string): Send {
    if (kind === 'persistentvolumeclaims') return (options) => this.core.readNamespacedPersistentVolumeClaim({ namespace, name }, options);
    if (kind === 'jobs') return (options) => this.batch.readNamespacedJob({ namespace, name }, options);
    const resource = customResource(kind);
    if (CLUSTER_SCOPED_KINDS.has(kind))
      return (options) => this.custom.getClusterCustomObject({ ...resource, plural: kind, name }, options);
    return (options) => this.custom.getNamespacedCustomObject({ ...resource, namespace, plural: kind, name }, options);
  }

  private listPage(kind: ResourceKind, namespace: string, labelSelector: string | undefined, token: string | undefined): Send {
    const page = { limit: this.pageSize, ...(labelSelector && { labelSelector }), ...(token && { _continue: token }) };
    if (kind === 'persistentvolumeclaims')
      return (options) => this.core.listNamespacedPersistentVolumeClaim({ ...page, namespace }, options);
    if (kind === 'jobs') return (options) => this.batch.listNamespacedJob({ ...page, namespace }, options);
    const resource = customResource(kind);
    if (CLUSTER_SCOPED_KINDS.has(kind))
      return (options) => this.custom.listClusterCustomObject({ ...resource, ...page, plural: kind }, options);
    return (options) => this.custom.listNamespacedCustomObject({ ...resource, ...page, namespace, plural: kind }, options);
  }

  /** Sends the call with retries and parses the response text. */
  private call(action: string, send: Send): Promise<unknown> {
    return withRetries((timeoutMs) => this.attempt(action, send, timeoutMs), {
      policy: this.retry,
      clock: this.clock,
      deadline: invocationDeadline(),
    });
  }

  /** One attempt; a 401 renews the token and sends once more. */
  private async attempt(action: string, send: Send, timeoutMs: number): Promise<unknown> {
    try {
      return await sendForJson(send, timeoutMs);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 401)) throw toSchedulerError(error, action);
      this.onUnauthorized();
      try {
        return await sendForJson(send, timeoutMs);
      } catch (retryError) {
        throw toSchedulerError(retryError, action);
      }
    }
  }
}

/**
 * Sends one call, abandoned after `timeoutMs` (headers and body), with a response middleware that keeps the body
 * text, and returns that text parsed.
 */
async function sendForJson(send: Send, timeoutMs: number): Promise<unknown> {
  let text: string | undefined;
  const keepText: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(request));
    },
    post: (response) =>
      new Observable(
        response.body.text().then((body) => {
          text = body;
          // The typed client reads the body after this middleware: hand it a copy that can be read again.
          return new ResponseContext(response.httpStatusCode, response.headers, new SelfDecodingBody(Promise.resolve(Buffer.from(body))));
        }),
      ),
  };
  await send({ middleware: [keepText], middlewareMergeStrategy: 'append' });
  return text ? JSON.parse(text) : undefined;
}

function customResource(kind: ResourceKind): { group: string; version: string } {
  const resource = CUSTOM_RESOURCES[kind];
  if (!resource) throw new Error(`${kind} are read-only for the scheduler`);
  return resource;
}

function ref(kind: ResourceKind, namespace: string, name: string): string {
  return CLUSTER_SCOPED_KINDS.has(kind) ? name : `${namespace}/${name}`;
}

function isNotFound(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.status === 404;
}

function isExpired(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.status === 410 && error.reason === 'Expired';
}

/** Lists started again from the first page after an expired continue token, before the 410 is reported. */
const MAX_LIST_RESTARTS = 3;

/** A page request whose continue token had expired; its cause is the API's 410. */
class ExpiredContinueError extends Error {
  constructor(override readonly cause: unknown) {
    super('continue token expired');
  }
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.status === 409 && error.reason === 'AlreadyExists';
}
