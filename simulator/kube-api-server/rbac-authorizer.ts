import { parseAllDocuments } from 'yaml';

/** Kubernetes RBAC evaluation over Role, ClusterRole, RoleBinding and ClusterRoleBinding objects from YAML. */

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface RbacObject {
  kind: 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';
  metadata: { name: string; namespace?: string };
  rules?: PolicyRule[];
  subjects?: Array<{ kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }>;
  roleRef?: { kind: 'Role' | 'ClusterRole'; name: string };
}

export interface AccessRequest {
  user: string;
  groups: readonly string[];
  verb: string;
  apiGroup: string;
  resource: string;
  namespace?: string;
  name?: string;
}

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

export function parseRbac(yamlText: string): RbacObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as RbacObject | null)
    .filter((object): object is RbacObject => object !== null && RBAC_KINDS.has(object.kind));
}

const matches = (values: readonly string[] | undefined, value: string) => (values ?? []).some((v) => v === '*' || v === value);

export class RbacAuthorizer {
  constructor(private objects: RbacObject[]) {}

  replace(objects: RbacObject[]): void {
    this.objects = objects;
  }

  allows(request: AccessRequest): boolean {
    return this.objects
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .filter((binding) => binding.kind === 'ClusterRoleBinding' || binding.metadata.namespace === request.namespace)
      .filter((binding) =>
        (binding.subjects ?? []).some(
          (s) => (s.kind === 'Group' && request.groups.includes(s.name)) || (s.kind === 'User' && s.name === request.user),
        ),
      )
      .flatMap((binding) => this.rulesOf(binding))
      .some(
        (rule) =>
          matches(rule.apiGroups, request.apiGroup) &&
          matches(rule.resources, request.resource) &&
          matches(rule.verbs, request.verb) &&
          (!rule.resourceNames ||
            rule.resourceNames.length === 0 ||
            (request.name !== undefined && rule.resourceNames.includes(request.name))),
      );
  }

  private rulesOf(binding: RbacObject): PolicyRule[] {
    const ref = binding.roleRef;
    if (!ref) return [];
    const role = this.objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (ref.kind === 'ClusterRole' || o.metadata.namespace === binding.metadata.namespace),
    );
    return role?.rules ?? [];
  }
}
