// Deep imports: the package index loads every generated API and model, and KubeConfig plus the HTTP layer are all
// the calls below need (the typed APIs would only parse into models this adapter does not use).
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { CNPG_GROUP, CNPG_VERSION, SNAPSHOT_GROUP, SNAPSHOT_VERSION } from '../domain/cnpg-api';
import {
  CLUSTER_SCOPED_KINDS,
  NAMESPACE_ALL,
  type CreateResult,
  type DeleteOptions,
  type DeleteResult,
  type KubeResources,
  type ObjectPatch,
  type ListOptions,
  type ResourceKind,
  type ResourceTypes,
} from './kube-resources';
import { toSchedulerError } from './kube-api-errors';
import { invocationDeadline } from './invocation-deadline';
import { DEFAULT_REQUEST_RETRY, REAL_TIME, withRetries, type RequestRetryPolicy, type RetryClock } from './request-retry';
import { KubernetesApiError } from '../errors';

/** Where each kind lives in the API: the core group is under /api, every other group under /apis. */
const API_PATHS: Record<ResourceKind, string> = {
  clusters: `/apis/${CNPG_GROUP}/${CNPG_VERSION}`,
  backups: `/apis/${CNPG_GROUP}/${CNPG_VERSION}`,
  volumesnapshots: `/apis/${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`,
  volumesnapshotcontents: `/apis/${SNAPSHOT_GROUP}/${SNAPSHOT_VERSION}`,
  persistentvolumeclaims: '/api/v1',
  jobs: '/apis/batch/v1',
  pods: '/api/v1',
};

/**
 * Kinds the scheduler writes (Jobs and claims: a drill's verification Job and its cluster's volumes; contents: their
 * deletionPolicy); it only reads the others.
 */
const WRITABLE_KINDS: ReadonlySet<ResourceKind> = new Set([
  'clusters',
  'backups',
  'volumesnapshots',
  'volumesnapshotcontents',
  'jobs',
  'persistentvolumeclaims',
]);

const USER_AGENT = 'cnpg-snapshot-scheduler';

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

/** One API request: method, path with query, and the JSON body if any. */
interface ApiRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
  /** Of the body; default application/json. */
  contentType?: string;
}

/**
 * KubeResources over @kubernetes/client-node: its KubeConfig authenticates each request and sets up TLS (CA, client
 * certificates, proxies), and its HTTP layer sends it. `onUnauthorized` renews the bearer token; a 401 is retried once
 * with a fresh one (the token may have outlived its credentials), then reported. Every attempt has a timeout, and
 * transient failures (429, 5xx, resets, timeouts) are retried after backoff that honours Retry-After, within the
 * request's budget and the invocation's deadline (request-retry.ts). Every verb here is idempotent, so a retry is
 * safe even when the first attempt reached the server: get and list read; create names its object, so a repeat
 * meets AlreadyExists and returns the object; delete of an object already gone reports it absent.
 *
 * Objects are returned as the API server sent them, parsed from the response text: typed models would turn timestamps into Date objects, rename fields (`_continue`) and drop the ones they do not know.
 */
export class ClientNodeKubeResources implements KubeResources {
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly server: string;
  private readonly onUnauthorized: () => void;
  private readonly pageSize: number;
  private readonly retry: RequestRetryPolicy;
  private readonly clock: RetryClock;

  constructor(
    private readonly config: KubeConfig,
    options: ClientNodeKubeResourcesOptions = {},
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('The kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    this.onUnauthorized = options.onUnauthorized ?? (() => undefined);
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.retry = options.retry ?? DEFAULT_REQUEST_RETRY;
    this.clock = options.clock ?? REAL_TIME;
  }

  async get<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    try {
      return (await this.call(`get ${kind} ${ref(kind, namespace, name)}`, {
        method: HttpMethod.GET,
        path: objectPath(kind, namespace, name),
      })) as ResourceTypes[K];
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
    writable(kind);
    const name = body.metadata.name;
    try {
      const object = await this.call(`create ${kind} ${ref(kind, namespace, name)}`, {
        method: HttpMethod.POST,
        path: collectionPath(kind, namespace),
        body,
      });
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
    writable(kind);
    try {
      // A JSON merge patch (RFC 7386): the given annotations are set, the others left as they are.
      await this.call(`annotate ${kind} ${ref(kind, namespace, name)}`, {
        method: HttpMethod.PATCH,
        path: objectPath(kind, namespace, name),
        body: { metadata: { annotations } },
        contentType: 'application/merge-patch+json',
      });
      return 'annotated';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  async patch<K extends ResourceKind>(kind: K, namespace: string, name: string, patch: ObjectPatch): Promise<ResourceTypes[K] | undefined> {
    writable(kind);
    try {
      return (await this.call(`patch ${kind} ${ref(kind, namespace, name)}`, {
        method: HttpMethod.PATCH,
        path: objectPath(kind, namespace, name),
        body: patch,
        contentType: 'application/merge-patch+json',
      })) as ResourceTypes[K];
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(kind: ResourceKind, namespace: string, name: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    writable(kind);
    const deleteOptions = {
      ...(options.resourceVersion !== undefined && { preconditions: { resourceVersion: options.resourceVersion } }),
      ...(options.propagationPolicy !== undefined && { propagationPolicy: options.propagationPolicy }),
    };
    const body = Object.keys(deleteOptions).length === 0 ? {} : { body: deleteOptions };
    try {
      const answer = await this.call(`delete ${kind} ${ref(kind, namespace, name)}`, {
        method: HttpMethod.DELETE,
        path: objectPath(kind, namespace, name),
        ...body,
      });
      // The API server answers with the object: with a deletionTimestamp while finalizers hold it, else as removed.
      return isDeletionPending(answer) ? 'deleting' : 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'absent';
      throw error;
    }
  }

  private listPage(kind: ResourceKind, namespace: string, labelSelector: string | undefined, token: string | undefined): ApiRequest {
    const query = new URLSearchParams();
    if (token) query.set('continue', token);
    if (labelSelector) query.set('labelSelector', labelSelector);
    query.set('limit', String(this.pageSize));
    return { method: HttpMethod.GET, path: `${collectionPath(kind, namespace)}?${query.toString()}` };
  }

  /** Sends the call with retries and parses the response text. */
  private call(action: string, request: ApiRequest): Promise<unknown> {
    return withRetries((timeoutMs) => this.attempt(action, request, timeoutMs), {
      policy: this.retry,
      clock: this.clock,
      deadline: invocationDeadline(),
    });
  }

  /** One attempt; a 401 renews the token and sends once more. */
  private async attempt(action: string, request: ApiRequest, timeoutMs: number): Promise<unknown> {
    try {
      return await this.send(request, timeoutMs);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 401)) throw toSchedulerError(error, action);
      this.onUnauthorized();
      try {
        return await this.send(request, timeoutMs);
      } catch (retryError) {
        throw toSchedulerError(retryError, action);
      }
    }
  }

  /**
   * One request, abandoned after `timeoutMs` (headers and body), authenticated by the KubeConfig (bearer token,
   * client certificate, CA); an answer outside 2xx is an ApiException carrying the response text.
   */
  private async send(request: ApiRequest, timeoutMs: number): Promise<unknown> {
    const context = new RequestContext(`${this.server}${request.path}`, request.method);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('User-Agent', USER_AGENT);
    if (request.body !== undefined) {
      context.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      context.setBody(JSON.stringify(request.body));
    }
    context.setSignal(AbortSignal.timeout(timeoutMs));
    await this.config.applySecurityAuthentication(context);
    const response = await this.http.send(context).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299)
      throw new ApiException(response.httpStatusCode, `${request.method} ${request.path}`, text, response.headers);
    return text ? JSON.parse(text) : undefined;
  }
}

function collectionPath(kind: ResourceKind, namespace: string): string {
  const scope = CLUSTER_SCOPED_KINDS.has(kind) || namespace === NAMESPACE_ALL ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${API_PATHS[kind]}${scope}/${kind}`;
}

function objectPath(kind: ResourceKind, namespace: string, name: string): string {
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

function writable(kind: ResourceKind): void {
  if (!WRITABLE_KINDS.has(kind)) throw new Error(`${kind} are read-only for the scheduler`);
}

function ref(kind: ResourceKind, namespace: string, name: string): string {
  return CLUSTER_SCOPED_KINDS.has(kind) ? name : `${namespace}/${name}`;
}

function isDeletionPending(answer: unknown): boolean {
  const metadata = (answer as { metadata?: { deletionTimestamp?: unknown } } | undefined)?.metadata;
  return typeof metadata?.deletionTimestamp === 'string';
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
