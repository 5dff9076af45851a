/** Kubernetes `Status` bodies, as the API server writes them for errors. */

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason: string; message: string; field: string }>; retryAfterSeconds?: number };
}

export class KubeStatusError extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

function failure(code: number, reason: string, message: string, details?: KubeStatus['details']): KubeStatusError {
  return new KubeStatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details && { details }) });
}

export interface ResourceRef {
  resource: string;
  group: string;
  name?: string;
}

const qualified = (ref: ResourceRef) => (ref.group ? `${ref.resource}.${ref.group}` : ref.resource);

export const KubeErrors = {
  notFound: (ref: ResourceRef) => failure(404, 'NotFound', `${qualified(ref)} "${ref.name}" not found`, { name: ref.name!, group: ref.group, kind: ref.resource }),
  alreadyExists: (ref: ResourceRef) =>
    failure(409, 'AlreadyExists', `${qualified(ref)} "${ref.name}" already exists`, { name: ref.name!, group: ref.group, kind: ref.resource }),
  conflict: (ref: ResourceRef, why: string) => failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name}": ${why}`),
  invalid: (kind: string, name: string, causes: Array<{ field: string; message: string }>) =>
    failure(422, 'Invalid', `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
      name,
      kind,
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
    }),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (ref: ResourceRef & { namespace?: string }, user: string, verb: string) =>
    failure(
      403,
      'Forbidden',
      `${qualified(ref)}${ref.name ? ` "${ref.name}"` : ''} is forbidden: User "${user}" cannot ${verb} resource "${ref.resource}" in API group "${ref.group}"${
        ref.namespace ? ` in the namespace "${ref.namespace}"` : ' at the cluster scope'
      }`,
      { ...(ref.name && { name: ref.name }), group: ref.group, kind: ref.resource },
    ),
  unsupportedMediaType: (contentType: string) => failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`),
  methodNotAllowed: (method: string) => failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
  tooManyRequests: (retryAfterSeconds: number) => failure(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }),
  internalError: (message: string) => failure(500, 'InternalError', `Internal error occurred: ${message}`),
  serviceUnavailable: () => failure(503, 'ServiceUnavailable', 'The server is currently unable to handle the request'),
};
