import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import type { VirtualClock } from '../virtual-clock';
import { createServerCertificates } from './certificate-authority';
import type { SimulatedStorageProvider } from '../cnpg/storage-provider';
import { CnpgSimulation } from '../cnpg/cnpg-simulation';
import { EksTokenVerifier, type TokenPrincipal } from './eks-token-verifier';
import { FaultInjector, type FaultResponse } from './fault-injector';
import { KubeErrors, KubeStatusError } from './kube-status';
import { ObjectStore, type StoredObject } from './object-store';
import { parseRbac, RbacAuthorizer } from './rbac-authorizer';
import { parseResourcePath, resourceTypeOf, resourceTypeOfKind, type ParsedPath } from './resource-registry';
import { admitCreate } from './admission';
import { ResourceHandler, type RequestContext, type Verb } from './resource-handler';
import { ValidatingAdmissionPolicies } from './validating-admission-policy';

export type TestPrincipal = TokenPrincipal;

export interface KubeApiTestServerOptions {
  clock: VirtualClock;
  /** The value a token's signed x-k8s-aws-id header must carry. */
  eksClusterName: string;
  /** The STS region tokens must be scoped to. */
  region: string;
  /** Simulated EKS access entries: access key to identity and Kubernetes groups. */
  principals: TestPrincipal[];
  /** YAML manifests the cluster holds: their RBAC objects and ValidatingAdmissionPolicies (and bindings) are enforced. */
  manifests: string[];
  /** A static bearer token with full access, for test setup only. */
  adminToken?: string;
  /** The storage provider, shared with the other simulated EKS clusters of the account and Region; its own if unset. */
  storage?: SimulatedStorageProvider;
}

/** One request as the server saw it; `status` is -1 for a connection reset, `at` the virtual time. */
export interface RecordedRequest {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  status: number;
  username?: string;
  at: string;
  /** What the admission policies wrote into the request's audit event. */
  auditAnnotations?: Record<string, string>;
}

/** What `seed` accepts: any object of a served kind (Cluster, VolumeSnapshotClass, PersistentVolumeClaim, ...). */
export interface KubeObjectLike {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string };
}

interface Identity {
  user: string;
  groups: string[];
  admin: boolean;
}

const ADMIN: Identity = { user: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'], admin: true };

/**
 * The Kubernetes API of a simulated EKS cluster over HTTPS: EKS IAM token authentication, RBAC from manifests, the
 * served resources with CRD admission and validating admission policies, and the CNPG and CSI controllers on the
 * virtual clock. Requests run in order: injected faults, authentication, authorization, then the verb (admission
 * inside it, as the API server's registry runs it).
 */
export class KubeApiTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly faults = new FaultInjector();
  readonly cnpg: CnpgSimulation;
  private readonly store: ObjectStore;
  private readonly resources: ResourceHandler;
  private readonly verifier: EksTokenVerifier;
  private readonly authorizer: RbacAuthorizer;
  private readonly policies: ValidatingAdmissionPolicies;
  private revokedBeforeMs = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  /** The most requests this server has had in progress at once (instrumentation for the bench, not a model). */
  peakConcurrentRequests = 0;
  private readonly unsubscribe: () => void;
  private readonly requestListeners = new Set<() => void>();

  private constructor(
    private readonly options: KubeApiTestServerOptions,
    private readonly server: Server,
    readonly url: string,
    readonly caData: string,
  ) {
    this.store = new ObjectStore(options.clock);
    this.policies = ValidatingAdmissionPolicies.fromObjects(
      options.manifests.flatMap((text) => parseAllDocuments(text).map((document) => document.toJS() as unknown)),
    );
    this.resources = new ResourceHandler(this.store, () => this.policies);
    this.cnpg = new CnpgSimulation(this.store, options.clock, options.storage);
    this.verifier = new EksTokenVerifier({
      clusterName: options.eksClusterName,
      region: options.region,
      principals: options.principals,
      now: () => options.clock.now(),
    });
    this.authorizer = new RbacAuthorizer(options.manifests.flatMap((text) => parseRbac(text)));
    this.unsubscribe = options.clock.onAdvance(() => this.cnpg.reconcile());
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response));
  }

  static async start(options: KubeApiTestServerOptions): Promise<KubeApiTestServer> {
    const certificates = await createServerCertificates();
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
    await this.cnpg.data.close();
  }

  /** Stores an object as given, status included (test setup), after the same admission as a create. */
  // Generic so that an object literal of any served kind is taken whole, without excess-property checks.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  seed<T extends KubeObjectLike>(object: T): StoredObject {
    const type = resourceTypeOfKind(object.apiVersion, object.kind);
    if (!type) throw new Error(`The test server does not serve ${object.apiVersion} ${object.kind}`);
    const copy = structuredClone(object) as unknown as StoredObject;
    admitCreate(type, copy);
    if (this.store.get(type, copy.metadata.namespace, copy.metadata.name))
      throw new Error(`${type.resource} ${copy.metadata.namespace ?? ''}/${copy.metadata.name} is already seeded`);
    const stored = this.store.insert(type, copy);
    this.cnpg.reconcile();
    return structuredClone(stored);
  }

  /** Deletes an object as a cluster admin would (`kubectl delete`), its dependents with it (garbage collection). */
  remove(resource: string, namespace: string, name: string): void {
    if (!this.store.delete(resourceTypeOf(resource), namespace, name)) throw new Error(`No ${resource} ${namespace}/${name} to remove`);
    this.cnpg.reconcile();
  }

  /** Deep copies of the stored objects of a resource, after the controllers have caught up with the clock. */
  objects<T>(resource: string, namespace?: string): T[] {
    this.cnpg.reconcile();
    return structuredClone(this.store.list(resourceTypeOf(resource), namespace)) as T[];
  }

  /**
   * Calls `listener` as each request arrives, before it is served (instrumentation for tests, not a model): a test
   * can move the virtual clock per request, so a client polling in real time sees the controllers progress.
   */
  onRequest(listener: () => void): () => void {
    this.requestListeners.add(listener);
    return () => this.requestListeners.delete(listener);
  }

  /** Every token signed before `time` is refused from now on (a token that expired mid-run). */
  revokeTokensIssuedBefore(time: Date): void {
    this.revokedBeforeMs = time.getTime();
  }

  /** Replaces every RBAC object with those in `manifestYaml`. */
  replaceRbac(manifestYaml: string): void {
    this.authorizer.replace(parseRbac(manifestYaml));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const listener of this.requestListeners) listener();
    const url = new URL(request.url ?? '/', this.url);
    const path = parseResourcePath(url.pathname);
    const verb = path && verbOf(request.method ?? '', path);
    const record: RecordedRequest = {
      verb: verb ?? String(request.method).toLowerCase(),
      resource: path?.type.resource ?? url.pathname,
      ...(path?.namespace !== undefined && { namespace: path.namespace }),
      ...(path?.name !== undefined && { name: path.name }),
      status: 0,
      at: this.options.clock.now().toISOString(),
    };
    this.requests.push(record);
    this.inFlight += 1;
    this.peakConcurrentRequests = Math.max(this.peakConcurrentRequests, this.inFlight);
    response.once('close', () => (this.inFlight -= 1));
    const context: RequestContext = { user: { username: '', groups: [] }, admission: { auditAnnotations: {}, warnings: [] } };
    try {
      for (const fault of this.faults.match({
        verb: record.verb,
        resource: record.resource,
        ...(record.name !== undefined && { name: record.name }),
        continued: url.searchParams.has('continue'),
      })) {
        if (await this.inject(fault, request)) {
          record.status = -1;
          return;
        }
      }
      const identity = await this.authenticate(request);
      record.username = identity.user;
      context.user = { username: identity.user, groups: identity.groups };
      if (!path) throw KubeErrors.notFoundPath();
      if (!verb) throw KubeErrors.methodNotAllowed(String(request.method));
      if (!identity.admin) this.authorize(identity, verb, path);
      const body = await readBody(request);
      // The simulated databases work asynchronously (captures, restores, Jobs' queries): what they do by now is done first.
      await this.cnpg.settled();
      this.cnpg.reconcile();
      const { status, payload } = this.resources.execute(
        verb,
        path,
        url.searchParams,
        body,
        request.headers['content-type'] ?? '',
        context,
      );
      this.cnpg.reconcile();
      record.status = status;
      withAdmission(record, response, context);
      send(response, status, payload, this.options.clock.now());
    } catch (error) {
      const status = error instanceof KubeStatusError ? error.status : KubeErrors.internalError((error as Error).message).status;
      record.status = status.code;
      withAdmission(record, response, context);
      if (status.details?.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(status.details.retryAfterSeconds));
      send(response, status.code, status, this.options.clock.now());
    }
  }

  /** Applies one injected fault; true when the connection was reset (nothing more is sent). */
  private async inject(fault: FaultResponse, request: IncomingMessage): Promise<boolean> {
    if ('latencyMs' in fault) {
      await sleep(fault.latencyMs);
      return false;
    }
    if ('reset' in fault) {
      request.socket.destroy();
      return true;
    }
    if ('compaction' in fault) {
      this.resources.compact();
      return false;
    }
    if (fault.status === 429) throw KubeErrors.tooManyRequests(fault.retryAfterSeconds ?? 1);
    throw fault.status === 500 ? KubeErrors.internalError('injected fault') : KubeErrors.serviceUnavailable();
  }

  private async authenticate(request: IncomingMessage): Promise<Identity> {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (this.options.adminToken !== undefined && token === this.options.adminToken) return ADMIN;
    const verdict = await this.verifier.verify(token);
    if (!verdict.ok || verdict.signedAt.getTime() < this.revokedBeforeMs) throw KubeErrors.unauthorized();
    return { user: verdict.principal.username, groups: [...verdict.principal.groups, 'system:authenticated'], admin: false };
  }

  private authorize(identity: Identity, verb: Verb, path: ParsedPath): void {
    const { type, namespace, name } = path;
    const request = { user: identity.user, groups: identity.groups, verb, apiGroup: type.group, resource: type.resource };
    if (!this.authorizer.allows({ ...request, ...(namespace !== undefined && { namespace }), ...(name !== undefined && { name }) }))
      throw KubeErrors.forbidden(
        { resource: type.resource, group: type.group, ...(name !== undefined && { name }), ...(namespace !== undefined && { namespace }) },
        identity.user,
        verb,
      );
  }
}

/** Audit annotations onto the recorded request; warnings as `Warning: 299 - "<text>"` headers (RFC 7234 5.5). */
function withAdmission(record: RecordedRequest, response: ServerResponse, context: RequestContext): void {
  if (Object.keys(context.admission.auditAnnotations).length > 0) record.auditAnnotations = { ...context.admission.auditAnnotations };
  if (context.admission.warnings.length > 0)
    response.setHeader(
      'Warning',
      context.admission.warnings.map((warning) => `299 - ${JSON.stringify(warning)}`),
    );
}

function verbOf(method: string, path: ParsedPath): Verb | undefined {
  const named = path.name !== undefined;
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return named ? undefined : 'create';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    case 'PATCH':
      return named ? 'patch' : undefined;
    case 'PUT':
      return named ? 'update' : undefined;
    default:
      return undefined;
  }
}

/** The JSON body, or undefined when there is none (a DELETE may carry DeleteOptions or nothing). */
async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw KubeErrors.badRequest('the request body is not valid JSON');
  }
}

/**
 * The API server's answer. Its `Date` header is the virtual time: Go's net/http server writes a Date header on every
 * response the handler did not set one on (net/http/server.go, chunkWriter.writeHeader; over HTTP/2
 * golang.org/x/net/http2/server.go, responseWriterState.writeChunk), and kube-apiserver sets none.
 */
function send(response: ServerResponse, status: number, payload: unknown, date: Date): void {
  const body = JSON.stringify(payload);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Date: date.toUTCString() });
  response.end(body);
}
