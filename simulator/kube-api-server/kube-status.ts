/** Kubernetes `Status` bodies, as the API server writes them for errors. */

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  /** Empty, except the continue token a 410 Expired list answer carries. */
  metadata: { continue?: string };
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

export class KubeStatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatusError {
  return new KubeStatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details && { details }),
  });
}

export interface ResourceRef {
  resource: string;
  group: string;
  name?: string;
}

/** One invalid field, as field.ErrorList prints it: `<field>: <message>`. */
export interface FieldError {
  field: string;
  message: string;
}

/** field.Invalid's message: the offending value, then why (objects print as "object", as CEL errors do). */
export function invalidValue(field: string, value: unknown, detail: string): FieldError {
  const shown = value !== null && typeof value === 'object' ? '"object"' : JSON.stringify(value);
  return { field, message: `Invalid value: ${shown}: ${detail}` };
}

const qualified = (name: string, group: string) => (group ? `${name}.${group}` : name);

export const KubeErrors = {
  notFound: (ref: ResourceRef) =>
    failure(404, 'NotFound', `${qualified(ref.resource, ref.group)} "${ref.name}" not found`, {
      name: ref.name!,
      group: ref.group,
      kind: ref.resource,
    }),
  alreadyExists: (ref: ResourceRef) =>
    failure(409, 'AlreadyExists', `${qualified(ref.resource, ref.group)} "${ref.name}" already exists`, {
      name: ref.name!,
      group: ref.group,
      kind: ref.resource,
    }),
  conflict: (ref: ResourceRef, why: string) =>
    failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref.resource, ref.group)} "${ref.name}": ${why}`, {
      name: ref.name!,
      group: ref.group,
      kind: ref.resource,
    }),
  /** 422 Invalid; `webhook` names the validating webhook that denied the request, as the API server reports it. */
  invalid: (target: { kind: string; group: string; name: string }, errors: readonly FieldError[], webhook?: string) => {
    const listed = errors.map((e) => `${e.field}: ${e.message}`);
    const message = `${qualified(target.kind, target.group)} "${target.name}" is invalid: ${listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`}`;
    return failure(422, 'Invalid', webhook ? `admission webhook "${webhook}" denied the request: ${message}` : message, {
      name: target.name,
      group: target.group,
      kind: target.kind,
      causes: errors.map((e) => ({ reason: 'FieldValueInvalid', message: e.message, field: e.field })),
    });
  },
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (ref: ResourceRef & { namespace?: string }, user: string, verb: string) =>
    failure(
      403,
      'Forbidden',
      `${qualified(ref.resource, ref.group)}${ref.name ? ` "${ref.name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${ref.resource}" in API group "${ref.group}"${
        ref.namespace ? ` in the namespace "${ref.namespace}"` : ' at the cluster scope'
      }`,
      { ...(ref.name && { name: ref.name }), group: ref.group, kind: ref.resource },
    ),
  /**
   * The NamespaceLifecycle admission plugin refuses new content in a Terminating namespace
   * (plugin/pkg/admission/namespace/lifecycle/admission.go, Admit: errors.NewForbidden with cause NamespaceTerminating).
   */
  namespaceTerminating: (ref: ResourceRef, namespace: string) => {
    const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
    return failure(403, 'Forbidden', `${qualified(ref.resource, ref.group)} "${ref.name ?? ''}" is forbidden: ${why}`, {
      ...(ref.name && { name: ref.name }),
      group: ref.group,
      kind: ref.resource,
      causes: [{ reason: 'NamespaceTerminating', message: why, field: 'metadata.namespace' }],
    });
  },
  unsupportedMediaType: (contentType: string) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json (got "${contentType}")`,
    ),
  notFoundPath: () => failure(404, 'NotFound', 'the server could not find the requested resource'),
  methodNotAllowed: (method: string) =>
    failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
  tooManyRequests: (retryAfterSeconds: number) =>
    failure(429, 'TooManyRequests', 'Too many requests, please try again later.', {
      causes: [{ reason: 'TooManyRequests', message: 'Too many requests, please try again later.' }],
      retryAfterSeconds,
    }),
  internalError: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: 'UnexpectedServerResponse', message }] }),
  serviceUnavailable: () => failure(503, 'ServiceUnavailable', 'The server is currently unable to handle the request'),
  /**
   * A continue token older than the last etcd compaction: 410 Gone, reason Expired, with a token that resumes the
   * list inconsistently (Kubernetes API concepts, "Retrieving large results sets in chunks"; k8s.io/apiserver
   * pkg/storage/etcd3/errors.go, inconsistentContinue, and NewResourceExpired in k8s.io/apimachinery api/errors).
   */
  continueExpired: (inconsistentContinue: string) => {
    const error = failure(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
    error.status.metadata = { continue: inconsistentContinue };
    return error;
  },
};
