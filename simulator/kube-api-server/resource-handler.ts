import { isDeepStrictEqual } from 'node:util';
import { admitCreate, admitUpdate, type PolicyAdmission } from './admission';
import { KubeErrors, type ResourceRef } from './kube-status';
import { LabelSelectorError, matchesLabels, parseLabelSelector, type LabelRequirement } from './label-selector';
import type { NewObject, ObjectStore, StoredObject } from './object-store';
import { applyJsonPatch, applyMergePatch, PatchError, type PatchOperation } from './patches';
import { apiVersionOf, resourceTypeOf, type ParsedPath, type ResourceType } from './resource-registry';
import { seededRandom } from './seeded-random';
import type { AdmissionOperation, AdmissionRecord, ValidatingAdmissionPolicies } from './validating-admission-policy';

/** The verbs of the API server's resource endpoints, as RBAC names them. */
export type Verb = 'get' | 'list' | 'create' | 'delete' | 'deletecollection' | 'patch' | 'update';

export interface VerbResult {
  status: number;
  payload: unknown;
}

/** Who sent the request, and what admission made of it (filled in as the request runs). */
export interface RequestContext {
  user: { username: string; groups: readonly string[] };
  admission: AdmissionRecord;
}

type Json = Record<string, unknown>;

const NAMESPACES = resourceTypeOf('namespaces');
const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
/** The characters the API server draws generateName suffixes from (no vowels, no look-alikes). */
const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_NAMES_SEED = 1123;
const FIELD_SELECTOR_KEYS = new Set(['metadata.name', 'metadata.namespace']);
const SERVER_OWNED_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'];
const CONFLICT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

function asObject(value: unknown, what = 'the request body'): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw KubeErrors.badRequest(`${what} is not a JSON object`);
  return value as Json;
}

/** Position of an object in the API server's storage order (namespace, then name), compared by code point. */
const storageKey = (object: StoredObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

function parseSelector(text: string, kind: 'label' | 'field'): LabelRequirement[] {
  try {
    const requirements = parseLabelSelector(text);
    for (const requirement of kind === 'field' ? requirements : []) {
      if (!FIELD_SELECTOR_KEYS.has(requirement.key)) throw new LabelSelectorError(`field label not supported: ${requirement.key}`);
      if (requirement.op !== 'eq' && requirement.op !== 'neq')
        throw new LabelSelectorError(`invalid field selector operator for ${requirement.key}`);
    }
    return requirements;
  } catch (error) {
    if (error instanceof LabelSelectorError) throw KubeErrors.badRequest(`unable to parse requirement: ${error.message}`);
    throw error;
  }
}

interface ContinueToken {
  resourceVersion: string;
  after: string;
  /** How many compactions the server had made when it issued the token. */
  compactions?: number;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (typeof decoded.resourceVersion === 'string' && typeof decoded.after === 'string') return decoded as ContinueToken;
  } catch {
    // reported below
  }
  throw KubeErrors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The resource verbs over the object store: what the API server does once a request is authenticated and authorized. */
export class ResourceHandler {
  private readonly random = seededRandom(GENERATED_NAMES_SEED);
  /** etcd compactions so far: a continue token issued before the latest one refers to compacted history. */
  private compactions = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly policies: () => ValidatingAdmissionPolicies,
  ) {}

  /**
   * etcd compacts its history up to now (kube-apiserver does so every 5 minutes by default): a list continued with a
   * token issued before it can no longer be served consistently and answers 410 Expired.
   */
  compact(): void {
    this.compactions += 1;
  }

  execute(verb: Verb, path: ParsedPath, query: URLSearchParams, body: unknown, contentType: string, context: RequestContext): VerbResult {
    const { type, namespace, name } = path;
    const ref: ResourceRef = { resource: type.resource, group: type.group, ...(name !== undefined && { name }) };
    switch (verb) {
      case 'get': {
        const object = this.store.get(type, namespace, name!);
        if (!object) throw KubeErrors.notFound(ref);
        return { status: 200, payload: object };
      }
      case 'list':
        return { status: 200, payload: this.list(type, namespace, query) };
      case 'create':
        return { status: 201, payload: this.create(type, namespace, body, context) };
      case 'delete':
        return { status: 200, payload: this.delete(ref, type, namespace, query, body, context) };
      case 'deletecollection': {
        // registry/generic/registry/store.go DeleteCollection deletes item by item, each through admission as a DELETE.
        const selected = this.select(type, namespace, query);
        for (const object of selected)
          this.policyAdmission(context, 'DELETE', type, { namespace: object.metadata.namespace, name: object.metadata.name }, null)(object);
        const deleted = selected
          .map((object) => this.store.delete(type, object.metadata.namespace, object.metadata.name))
          .filter((o) => o !== undefined);
        return { status: 200, payload: this.listOf(type, deleted) };
      }
      case 'patch':
      case 'update':
        return { status: 200, payload: this.modify(verb, ref, type, namespace, body, contentType, context) };
    }
  }

  private select(type: ResourceType, namespace: string | undefined, query: URLSearchParams): StoredObject[] {
    const labels = parseSelector(query.get('labelSelector') ?? '', 'label');
    const fields = parseSelector(query.get('fieldSelector') ?? '', 'field');
    return this.store
      .list(type, namespace)
      .filter((o) => matchesLabels(labels, o.metadata.labels))
      .filter((o) => matchesLabels(fields, { 'metadata.name': o.metadata.name, 'metadata.namespace': o.metadata.namespace ?? '' }));
  }

  private listOf(type: ResourceType, items: StoredObject[], metadata: Json = {}) {
    return {
      apiVersion: apiVersionOf(type),
      kind: `${type.kind}List`,
      metadata: { resourceVersion: this.store.resourceVersion, ...metadata },
      items,
    };
  }

  private list(type: ResourceType, namespace: string | undefined, query: URLSearchParams) {
    if (query.get('watch') === 'true' || query.get('watch') === '1')
      throw KubeErrors.badRequest('watch is not supported by the test server');
    const limitText = query.get('limit') ?? '0';
    if (!/^\d+$/.test(limitText)) throw KubeErrors.badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
    const limit = Number(limitText);
    const token = query.get('continue') ? decodeContinue(query.get('continue')!) : undefined;
    if (token && (token.compactions ?? 0) < this.compactions) {
      // The remainder at the current revision, from where the expired token stood (etcd3 store GetList).
      const inconsistent: ContinueToken = {
        resourceVersion: this.store.resourceVersion,
        after: token.after,
        compactions: this.compactions,
      };
      throw KubeErrors.continueExpired(Buffer.from(JSON.stringify(inconsistent)).toString('base64url'));
    }
    const selected = this.select(type, namespace, query);
    const remaining = token ? selected.filter((o) => storageKey(o) > token.after) : selected;
    if (limit === 0 || remaining.length <= limit) return this.listOf(type, remaining);
    const page = remaining.slice(0, limit);
    const next: ContinueToken = {
      resourceVersion: token?.resourceVersion ?? this.store.resourceVersion,
      after: storageKey(page.at(-1)!),
      compactions: this.compactions,
    };
    return this.listOf(type, page, {
      continue: Buffer.from(JSON.stringify(next)).toString('base64url'),
      remainingItemCount: remaining.length - page.length,
    });
  }

  /**
   * The validating admission policies' verdict on one object: throws their denial, and keeps what they recorded
   * (audit annotations, warnings) on the request. For a DELETE the object is the old one and `object` is null.
   */
  private policyAdmission(
    context: RequestContext,
    operation: AdmissionOperation,
    type: ResourceType,
    at: { namespace: string | undefined; name: string },
    oldObject: StoredObject | null,
  ): PolicyAdmission {
    return (subject) => {
      const record = this.policies().admit({
        operation,
        resource: { group: type.group, version: type.version, resource: type.resource },
        kind: { group: type.group, version: type.version, kind: type.kind },
        subResource: '',
        namespace: at.namespace ?? '',
        name: at.name,
        namespaced: type.namespaced,
        object: operation === 'DELETE' ? null : subject,
        oldObject: operation === 'DELETE' ? subject : oldObject,
        userInfo: context.user,
      });
      Object.assign(context.admission.auditAnnotations, record.auditAnnotations);
      context.admission.warnings.push(...record.warnings);
      if (record.denial) throw record.denial;
    };
  }

  private create(type: ResourceType, namespace: string | undefined, body: unknown, context: RequestContext): StoredObject {
    const object = asObject(body);
    const metadata = { ...asObject(object.metadata ?? {}, 'metadata') };
    for (const key of SERVER_OWNED_METADATA) Reflect.deleteProperty(metadata, key);
    if (object.apiVersion !== apiVersionOf(type) || object.kind !== type.kind)
      throw KubeErrors.badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind (${type.kind})`,
      );
    if (type.namespaced) {
      if (metadata.namespace !== undefined && metadata.namespace !== namespace)
        throw KubeErrors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      metadata.namespace = namespace;
      if (this.store.get(NAMESPACES, undefined, namespace!)?.metadata.deletionTimestamp !== undefined)
        throw KubeErrors.namespaceTerminating(
          { resource: type.resource, group: type.group, ...(typeof metadata.name === 'string' && { name: metadata.name }) },
          namespace!,
        );
    }
    // The name admission sees is the one asked for, before a generated one (endpoints/handlers/create.go).
    const requestedName = typeof metadata.name === 'string' ? metadata.name : '';
    if (!metadata.name && typeof metadata.generateName === 'string')
      metadata.name = this.generateName(type, namespace, metadata.generateName);
    const admitted: Json = { ...object, metadata };
    // The main resource endpoint ignores status: only controllers write it, through the status subresource.
    Reflect.deleteProperty(admitted, 'status');
    admitCreate(type, admitted, this.policyAdmission(context, 'CREATE', type, { namespace, name: requestedName }, null));
    if (this.store.get(type, namespace, String(metadata.name)))
      throw KubeErrors.alreadyExists({ resource: type.resource, group: type.group, name: String(metadata.name) });
    return this.store.insert(type, admitted as NewObject);
  }

  private generateName(type: ResourceType, namespace: string | undefined, prefix: string): string {
    for (;;) {
      const suffix = Array.from({ length: 5 }, () => NAME_SUFFIX_ALPHABET[Math.floor(this.random() * NAME_SUFFIX_ALPHABET.length)]).join(
        '',
      );
      const name = `${prefix}${suffix}`;
      if (!this.store.get(type, namespace, name)) return name;
    }
  }

  private delete(
    ref: ResourceRef,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
    body: unknown,
    context: RequestContext,
  ): StoredObject {
    const options = body === undefined ? {} : asObject(body, 'DeleteOptions');
    const current = this.store.get(type, namespace, ref.name!);
    if (!current) throw KubeErrors.notFound(ref);
    const preconditions = (options.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
    if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid)
      throw KubeErrors.conflict(
        ref,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion)
      throw KubeErrors.conflict(ref, CONFLICT_MESSAGE);
    // After the preconditions, before the object goes (store.go Delete: BeforeDelete, then deleteValidation).
    this.policyAdmission(context, 'DELETE', type, { namespace, name: ref.name! }, null)(current);
    const policy = options.propagationPolicy ?? query.get('propagationPolicy');
    return this.store.delete(type, namespace, ref.name!, policy === 'Orphan')!;
  }

  private modify(
    verb: 'patch' | 'update',
    ref: ResourceRef,
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    contentType: string,
    context: RequestContext,
  ): StoredObject {
    const mediaType = contentType.split(';')[0]!.trim();
    if (verb === 'patch' && mediaType !== MERGE_PATCH && mediaType !== JSON_PATCH) throw KubeErrors.unsupportedMediaType(mediaType);
    const current = this.store.get(type, namespace, ref.name!);
    if (!current) throw KubeErrors.notFound(ref);
    const next = asObject(this.applyChange(verb, mediaType, current, body, type));
    const metadata = asObject(next.metadata ?? {}, 'metadata');
    if (metadata.name !== undefined && metadata.name !== current.metadata.name)
      throw KubeErrors.badRequest(
        `the name of the object (${typeof metadata.name === 'string' ? metadata.name : JSON.stringify(metadata.name)}) does not match the name on the URL (${current.metadata.name})`,
      );
    // A resourceVersion in the body is a precondition; an update (PUT) of a custom resource must carry one.
    const expectedVersion = metadata.resourceVersion ?? (verb === 'update' ? '' : current.metadata.resourceVersion);
    if (expectedVersion !== current.metadata.resourceVersion) throw KubeErrors.conflict(ref, CONFLICT_MESSAGE);
    const { labels, annotations, ownerReferences, finalizers } = metadata;
    // apimachinery ValidateObjectMetaUpdate: "no new finalizers can be added if the object is being deleted".
    const deletionTimestamp = current.metadata.deletionTimestamp;
    const added = Array.isArray(finalizers) ? finalizers.filter((f) => !(current.metadata.finalizers ?? []).includes(String(f))) : [];
    if (deletionTimestamp !== undefined && added.length > 0)
      throw KubeErrors.invalid({ kind: type.kind, group: type.group, name: current.metadata.name }, [
        { field: 'metadata.finalizers', message: 'Forbidden: no new finalizers can be added if the object is being deleted' },
      ]);
    const candidate: Json = {
      ...next,
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: {
        name: current.metadata.name,
        ...(current.metadata.namespace !== undefined && { namespace: current.metadata.namespace }),
        uid: current.metadata.uid,
        resourceVersion: current.metadata.resourceVersion,
        creationTimestamp: current.metadata.creationTimestamp,
        ...(deletionTimestamp !== undefined && { deletionTimestamp }),
        ...(current.metadata.generateName !== undefined && { generateName: current.metadata.generateName }),
        ...(labels !== undefined && { labels }),
        ...(annotations !== undefined && { annotations }),
        ...(ownerReferences !== undefined && { ownerReferences }),
        ...(Array.isArray(finalizers) && finalizers.length > 0 && { finalizers }),
      },
    };
    // Status belongs to the status subresource: the main endpoint keeps what the controllers wrote.
    if (current.status === undefined) Reflect.deleteProperty(candidate, 'status');
    else candidate.status = current.status;
    // A patch is an UPDATE to admission.
    admitUpdate(
      type,
      current,
      candidate,
      this.policyAdmission(context, 'UPDATE', type, { namespace, name: current.metadata.name }, current),
    );
    if (isDeepStrictEqual(candidate, current)) return current;
    return this.store.update(type, candidate as StoredObject);
  }

  private applyChange(verb: 'patch' | 'update', mediaType: string, current: StoredObject, body: unknown, type: ResourceType): unknown {
    if (verb === 'update') return body;
    if (mediaType === MERGE_PATCH) return applyMergePatch(current, asObject(body, 'the merge patch'));
    if (!Array.isArray(body)) throw KubeErrors.badRequest('the JSON patch is not an array of operations');
    try {
      return applyJsonPatch(current, body as PatchOperation[]);
    } catch (error) {
      if (error instanceof PatchError)
        throw KubeErrors.invalid({ kind: type.kind, group: type.group, name: current.metadata.name }, [
          { field: '<patch>', message: error.message },
        ]);
      throw error;
    }
  }
}
