import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VirtualClock } from '../virtual-clock';
import { admitCreate, admitUpdate } from './admission';
import { createServerCertificates } from './certificate-authority';
import { CnpgSimulation } from './cnpg-simulation';
import { EksTokenVerifier, type TokenPrincipal } from './eks-token-verifier';
import { FaultInjector } from './fault-injector';
import { KubeErrors, KubeStatusError } from './kube-status';
import { LabelSelectorError, matchesLabels, parseLabelSelector } from './label-selector';
import { ObjectStore, type StoredObject } from './object-store';
import { applyJsonPatch, applyMergePatch, PatchError } from './patches';
import { parseRbac, RbacAuthorizer } from './rbac-authorizer';
import { parseResourcePath, resourceTypeOf, resourceTypeOfKind, type ResourceType } from './resource-registry';

export type TestPrincipal = TokenPrincipal;

export interface KubeApiTestServerOptions {
  clock: VirtualClock;
  /** The value a token's signed x-k8s-aws-id header must carry. */
  eksClusterName: string;
  /** The STS region tokens must be scoped to. */
  region: string;
  /** Simulated EKS access entries: access key to identity and Kubernetes groups. */
  principals: TestPrincipal[];
  /** RBAC YAML files to load, e.g. ['k8s/rbac.yaml']. */
  rbacManifests: string[];
  /** A static bearer token with full access, for test setup only. */
  adminToken?: string;
}

export interface RecordedRequest {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  status: number;
  username?: string;
  at: string;
}

type Verb = 'get' | 'list' | 'create' | 'delete' | 'patch' | 'update';

interface Identity {
  user: string;
  groups: string[];
  admin: boolean;
}

const ADMIN: Identity = { user: 'kubernetes-admin', groups: ['system:masters'], admin: true };

export class KubeApiTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultInjector();
  readonly cnpg: CnpgSimulation;
  private readonly store: ObjectStore;
  private readonly verifier: EksTokenVerifier;
  private readonly authorizer: RbacAuthorizer;
  private revokedBefore = 0;
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly options: KubeApiTestServerOptions,
    private readonly server: Server,
    readonly url: string,
    readonly caData: string,
  ) {
    this.store = new ObjectStore(options.clock);
    this.cnpg = new CnpgSimulation(this.store, options.clock);
    this.verifier = new EksTokenVerifier({ clusterName: options.eksClusterName, region: options.region, principals: options.principals, now: () => options.clock.now() });
    this.authorizer = new RbacAuthorizer(options.rbacManifests.flatMap((path) => parseRbac(readFileSync(path, 'utf8'))));
    this.unsubscribe = options.clock.onAdvance(() => this.cnpg.reconcile());
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response));
  }

  static async start(options: KubeApiTestServerOptions): Promise<KubeApiTestServer> {
    const certificates = createServerCertificates();
    const server = createServer({ cert: certificates.certPem, key: certificates.keyPem });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the test server has no TCP address');
    return new KubeApiTestServer(options, server, `https://127.0.0.1:${address.port}`, Buffer.from(certificates.caPem).toString('base64'));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Stores an object directly (test setup), after the same admission as a create. */
  seed(object: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }): StoredObject {
    const type = resourceTypeOfKind(object.apiVersion, object.kind);
    if (!type) throw new Error(`The test server does not serve ${object.apiVersion} ${object.kind}`);
    const copy = structuredClone(object) as unknown as Record<string, unknown>;
    admitCreate(type, copy);
    const stored = this.store.insert(type, copy as Parameters<ObjectStore['insert']>[1]);
    this.cnpg.reconcile();
    return stored;
  }

  /** Deep copies of the stored objects of a resource (after the simulation has caught up with the clock). */
  objects<T>(resource: string, namespace?: string): T[] {
    this.cnpg.reconcile();
    return structuredClone(this.store.list(resourceTypeOf(resource), namespace)) as T[];
  }

  /** Every token signed before `time` is refused from now on (a token that expired mid-run). */
  revokeTokensIssuedBefore(time: Date): void {
    this.revokedBefore = time.getTime();
  }

  replaceRbac(manifestYaml: string): void {
    this.authorizer.replace(parseRbac(manifestYaml));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const path = parseResourcePath(url.pathname);
    const verb = verbOf(request.method ?? 'GET', path?.name);
    const record: RecordedRequest = {
      verb: verb ?? String(request.method),
      resource: path?.type.resource ?? url.pathname,
      ...(path?.namespace !== undefined && { namespace: path.namespace }),
      ...(path?.name !== undefined && { name: path.name }),
      status: 0,
      at: this.options.clock.now().toISOString(),
    };
    this.requests.push(record);
    try {
      for (const fault of this.faults.match({ verb: record.verb, resource: record.resource, ...(record.name && { name: record.name }) })) {
        if ('latencyMs' in fault) await sleep(fault.latencyMs);
        else if ('reset' in fault) {
          record.status = -1;
          request.socket.destroy();
          return;
        } else if (fault.status === 429) {
          response.setHeader('Retry-After', String(fault.retryAfterSeconds ?? 1));
          throw KubeErrors.tooManyRequests(fault.retryAfterSeconds ?? 1);
        } else throw fault.status === 500 ? KubeErrors.internalError('injected fault') : KubeErrors.serviceUnavailable();
      }
      const identity = this.authenticate(request);
      record.username = identity.user;
      if (!path || !verb) throw KubeErrors.notFound({ resource: url.pathname, group: '', name: '' });
      if (!identity.admin) this.authorize(identity, verb, path.type, path.namespace, path.name);
      const body = ['create', 'patch', 'update'].includes(verb) ? await readBody(request) : undefined;
      this.cnpg.reconcile();
      const { status, payload } = this.execute(verb, path.type, path.namespace, path.name, url.searchParams, body, request.headers['content-type'] ?? '');
      this.cnpg.reconcile();
      record.status = status;
      send(response, status, payload);
    } catch (error) {
      const status = error instanceof KubeStatusError ? error.status : KubeErrors.internalError((error as Error).message).status;
      record.status = status.code;
      send(response, status.code, status);
    }
  }

  private authenticate(request: IncomingMessage): Identity {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (this.options.adminToken && token === this.options.adminToken) return ADMIN;
    const verdict = this.verifier.verify(token);
    if (!verdict.ok || verdict.signedAt.getTime() < this.revokedBefore) throw KubeErrors.unauthorized();
    return { user: verdict.principal.username, groups: [...verdict.principal.groups, 'system:authenticated'], admin: false };
  }

  private authorize(identity: Identity, verb: Verb, type: ResourceType, namespace: string | undefined, name: string | undefined): void {
    const allowed = this.authorizer.allows({ user: identity.user, groups: identity.groups, verb, apiGroup: type.group, resource: type.resource, ...(namespace !== undefined && { namespace }), ...(name !== undefined && { name }) });
    if (!allowed) throw KubeErrors.forbidden({ resource: type.resource, group: type.group, ...(name && { name }), ...(namespace && { namespace }) }, identity.user, verb);
  }

  private execute(verb: Verb, type: ResourceType, namespace: string | undefined, name: string | undefined, query: URLSearchParams, body: unknown, contentType: string): { status: number; payload: unknown } {
    const ref = { resource: type.resource, group: type.group, ...(name && { name }) };
    switch (verb) {
      case 'get': {
        const object = this.store.get(type, namespace, name!);
        if (!object) throw KubeErrors.notFound(ref);
        return { status: 200, payload: object };
      }
      case 'list':
        return { status: 200, payload: this.list(type, namespace, query) };
      case 'create': {
        const object = asObject(body);
        const metadata = asObject(object.metadata ?? {});
        if (!metadata.name && typeof metadata.generateName === 'string') metadata.name = `${metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
        if (type.namespaced) {
          if (metadata.namespace !== undefined && metadata.namespace !== namespace)
            throw KubeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
          metadata.namespace = namespace;
        }
        object.metadata = metadata;
        if (object.apiVersion !== (type.group ? `${type.group}/${type.version}` : type.version) || object.kind !== type.kind)
          throw KubeErrors.badRequest(`the API version or kind in the body (${String(object.apiVersion)} ${String(object.kind)}) does not match the path`);
        admitCreate(type, object);
        if (this.store.get(type, namespace, String(metadata.name))) throw KubeErrors.alreadyExists({ ...ref, name: String(metadata.name) });
        for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp']) delete metadata[key];
        delete object.status;
        return { status: 201, payload: this.store.insert(type, object as Parameters<ObjectStore['insert']>[1]) };
      }
      case 'delete': {
        const deleted = this.store.delete(type, namespace, name!);
        if (!deleted) throw KubeErrors.notFound(ref);
        return { status: 200, payload: deleted };
      }
      case 'patch':
      case 'update': {
        const current = this.store.get(type, namespace, name!);
        if (!current) throw KubeErrors.notFound(ref);
        let next: unknown;
        try {
          if (verb === 'update') next = body;
          else if (contentType.startsWith('application/merge-patch+json')) next = applyMergePatch(current, body);
          else if (contentType.startsWith('application/json-patch+json')) next = applyJsonPatch(current, body as Parameters<typeof applyJsonPatch>[1]);
          else throw KubeErrors.unsupportedMediaType(contentType);
        } catch (error) {
          if (error instanceof PatchError) throw KubeErrors.invalid(type.kind, name!, [{ field: 'patch', message: error.message }]);
          throw error;
        }
        const object = asObject(next);
        const metadata = asObject(object.metadata);
        if (metadata.resourceVersion !== current.metadata.resourceVersion && verb === 'update')
          throw KubeErrors.conflict(ref, 'the object has been modified; please apply your changes to the latest version and try again');
        admitUpdate(type, current, object);
        const updated = { ...object, metadata: { ...current.metadata, labels: metadata.labels, annotations: metadata.annotations } } as StoredObject;
        return { status: 200, payload: this.store.update(type, updated) };
      }
    }
  }

  private list(type: ResourceType, namespace: string | undefined, query: URLSearchParams) {
    let requirements;
    try {
      requirements = parseLabelSelector(query.get('labelSelector') ?? '');
    } catch (error) {
      if (error instanceof LabelSelectorError) throw KubeErrors.badRequest(`unable to parse requirement: ${error.message}`);
      throw error;
    }
    const all = this.store.list(type, namespace).filter((o) => matchesLabels(requirements, o.metadata.labels));
    const after = query.get('continue') ? Buffer.from(query.get('continue')!, 'base64url').toString('utf8') : undefined;
    const remaining = after === undefined ? all : all.filter((o) => o.metadata.name > after);
    const limit = Number(query.get('limit') ?? 0);
    const page = limit > 0 ? remaining.slice(0, limit) : remaining;
    const more = limit > 0 && remaining.length > limit;
    return {
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      kind: `${type.kind}List`,
      metadata: { resourceVersion: this.store.resourceVersion, ...(more && { continue: Buffer.from(page.at(-1)!.metadata.name).toString('base64url'), remainingItemCount: remaining.length - page.length }) },
      items: page,
    };
  }
}

function verbOf(method: string, name: string | undefined): Verb | undefined {
  switch (method) {
    case 'GET':
      return name ? 'get' : 'list';
    case 'POST':
      return name ? undefined : 'create';
    case 'DELETE':
      return name ? 'delete' : undefined;
    case 'PATCH':
      return name ? 'patch' : undefined;
    case 'PUT':
      return name ? 'update' : undefined;
    default:
      return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw KubeErrors.badRequest('the request body is not a JSON object');
  return value as Record<string, unknown>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw KubeErrors.badRequest('the request body is not valid JSON');
  }
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
