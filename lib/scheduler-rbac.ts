import { CNPG_GROUP, SNAPSHOT_GROUP } from '../lambdas/domain/cnpg-api';
import { KUBERNETES_GROUP } from './kubernetes-group';
import type { KubernetesManifest } from './kubernetes-manifest';

/**
 * The Kubernetes RBAC of the scheduler's group on one EKS cluster: one ClusterRole with exactly the verbs the workflows
 * use, bound by a RoleBinding in each namespace that holds a target, and the snapshot-content read bound cluster-wide.
 * `test/e2e/rbac-minimality.test.ts` removes each verb and sees a workflow fail.
 */

interface RbacRule {
  /** Which step of which workflow needs it. */
  why: string;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const NAMESPACED_RULES: readonly RbacRule[] = [
  {
    why: "backup: read the Cluster; retention: find restores that still need a snapshot; restore: create and follow one; drill: create its throwaway Cluster and delete it (only one carrying the drill's labels, execution and name)",
    apiGroups: [CNPG_GROUP],
    resources: ['clusters'],
    verbs: ['get', 'list', 'create', 'delete'],
  },
  {
    why: 'backup: create and follow; retention: list and delete expired ones; restore: mark the chosen one (an annotation)',
    apiGroups: [CNPG_GROUP],
    resources: ['backups'],
    verbs: ['get', 'list', 'create', 'patch', 'delete'],
  },
  {
    why: "backup: mark the snapshots of a completed Backup as ours (labels); retention: delete the snapshots of expired Backups (CNPG leaves them behind); restore from the catalog: import the backup's snapshots (bound to imported contents, never of a volume)",
    apiGroups: [SNAPSHOT_GROUP],
    resources: ['volumesnapshots'],
    verbs: ['list', 'create', 'patch', 'delete'],
  },
  {
    why: "retention: never delete a snapshot a Pending claim is being restored from; drill: delete its Cluster's volumes (only claims labelled with the drill Cluster and named after it)",
    apiGroups: [''],
    resources: ['persistentvolumeclaims'],
    verbs: ['list', 'delete'],
  },
  {
    why: "restore: a failed snapshot-recovery Job fails the restore fast; drill: create its verification Job, follow it, and delete it (only one carrying the drill's labels and execution)",
    apiGroups: ['batch'],
    resources: ['jobs'],
    verbs: ['list', 'get', 'create', 'delete'],
  },
  {
    why: "drill: read the verification Job's pod for each step's exit code and termination message (no logs, no exec)",
    apiGroups: [''],
    resources: ['pods'],
    verbs: ['list'],
  },
];

/**
 * Contents are cluster-scoped. Patch: a completed backup's contents are kept with Retain, and released (Delete) before
 * retention deletes the snapshot. Get: only for targets with retention scope `all`, whose retention also deletes
 * snapshots not ours and reads their content's deletionPolicy to warn when the storage stays. Create: a restore from
 * the recovery-point catalog imports the backup's storage snapshots (the admission policy confines it to that).
 */
function clusterRules(readsForeignContents: boolean): RbacRule[] {
  return [
    {
      why: readsForeignContents
        ? "backup: keep a completed backup's storage snapshots (deletionPolicy Retain); retention: release them (Delete) before deleting the snapshot, and read the deletionPolicy of contents of snapshots not ours it deletes (scope all: Retain keeps storage, warned about); restore from the catalog: import a storage snapshot by its handle (Retain)"
        : "backup: keep a completed backup's storage snapshots (deletionPolicy Retain); retention: release them (Delete) before deleting the snapshot; restore from the catalog: import a storage snapshot by its handle (Retain)",
      apiGroups: [SNAPSHOT_GROUP],
      resources: ['volumesnapshotcontents'],
      verbs: readsForeignContents ? ['get', 'create', 'patch'] : ['create', 'patch'],
    },
  ];
}

/**
 * Discovery reads across namespaces, and only reads: the labelled Clusters (one LIST per tick and audit, filtered by the
 * API server on the policy label), and our policy-labelled Backups (one LIST per retention tick: the discovered targets
 * of before whose backups retention still sweeps). Writes stay bound per namespace.
 */
const DISCOVERY_RULES: readonly RbacRule[] = [
  {
    why: 'discovery: list the Clusters labelled cnpg-snapshot-scheduler/policy in every namespace (a label selector)',
    apiGroups: [CNPG_GROUP],
    resources: ['clusters'],
    verbs: ['list'],
  },
  {
    why: 'retention: list our Backups labelled with a policy in every namespace, to keep sweeping targets no longer discovered',
    apiGroups: [CNPG_GROUP],
    resources: ['backups'],
    verbs: ['list'],
  },
];

/** A namespaced rule less the verbs the discovery role grants in every namespace anyway (no grant twice). */
function withoutDiscoveryReads(rule: RbacRule): RbacRule {
  const covered = DISCOVERY_RULES.filter(
    (d) => d.apiGroups.join() === rule.apiGroups.join() && d.resources.join() === rule.resources.join(),
  );
  const coveredVerbs = new Set(covered.flatMap((d) => d.verbs));
  if (coveredVerbs.size === 0) return rule;
  return {
    ...rule,
    why: `${rule.why} (${[...coveredVerbs].join(', ')}: granted in every namespace by the discovery role)`,
    verbs: rule.verbs.filter((verb) => !coveredVerbs.has(verb)),
  };
}

const NAME = KUBERNETES_GROUP;
const DISCOVERY_NAME = `${KUBERNETES_GROUP}-discovery`;
const SNAPSHOT_CONTENTS_NAME = `${KUBERNETES_GROUP}-snapshot-contents`;
const LABELS = { 'app.kubernetes.io/name': KUBERNETES_GROUP };
const SUBJECTS = [{ kind: 'Group', name: KUBERNETES_GROUP, apiGroup: 'rbac.authorization.k8s.io' }];

const clusterRole = (name: string, rules: readonly RbacRule[]): KubernetesManifest => ({
  object: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: LABELS },
    rules: rules.map(({ apiGroups, resources, verbs }) => ({ apiGroups, resources, verbs })),
  },
  itemComments: { rules: rules.map((rule) => rule.why) },
});

const roleRef = (name: string) => ({ kind: 'ClusterRole', name, apiGroup: 'rbac.authorization.k8s.io' });

const clusterRoleBinding = (name: string): KubernetesManifest => ({
  object: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: LABELS },
    subjects: SUBJECTS,
    roleRef: roleRef(name),
  },
});

/**
 * The RBAC objects for the scheduler's targets and its discovery namespaces on one EKS cluster. A namespace under
 * discovery is bound like a target's (what a discovered target's workflows do there is what an explicit one's do),
 * and the discovery reads are bound cluster-wide.
 */
export function schedulerRbac(
  targets: ReadonlyArray<{ namespace: string; retention: { scope: 'managed' | 'all' } }>,
  discoveryNamespaces: readonly string[] = [],
): KubernetesManifest[] {
  const namespaces = [...targets.map((t) => t.namespace), ...discoveryNamespaces];
  const discovery: KubernetesManifest[] =
    discoveryNamespaces.length === 0
      ? []
      : [
          { ...clusterRole(DISCOVERY_NAME, DISCOVERY_RULES), comment: 'What discovery reads across namespaces: only lists.' },
          clusterRoleBinding(DISCOVERY_NAME),
        ];
  return [
    {
      ...clusterRole(NAME, discoveryNamespaces.length === 0 ? NAMESPACED_RULES : NAMESPACED_RULES.map(withoutDiscoveryReads)),
      comment: 'What the workflows may do in the namespaces of their targets.',
    },
    ...[...new Set(namespaces)].sort().map((namespace): KubernetesManifest => ({
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: NAME, namespace, labels: LABELS },
        subjects: SUBJECTS,
        roleRef: roleRef(NAME),
      },
    })),
    {
      ...clusterRole(SNAPSHOT_CONTENTS_NAME, clusterRules(targets.some((t) => t.retention.scope === 'all'))),
      comment: 'Snapshot contents are cluster-scoped.',
    },
    clusterRoleBinding(SNAPSHOT_CONTENTS_NAME),
    ...discovery,
  ];
}

/**
 * What a standby's restore does in a namespace of a disaster recovery EKS cluster, and nothing else: no backups, no
 * retention, no drills there until the restored Cluster becomes a target.
 */
const RESTORE_RULES: readonly RbacRule[] = [
  {
    why: 'restore: refuse a Cluster of that name, find the earlier restore of the same request, create the Cluster and follow it',
    apiGroups: [CNPG_GROUP],
    resources: ['clusters'],
    verbs: ['get', 'list', 'create'],
  },
  {
    why: "restore from the catalog: import the backup's snapshots (bound to imported contents); get: a retried step finds its own",
    apiGroups: [SNAPSHOT_GROUP],
    resources: ['volumesnapshots'],
    verbs: ['get', 'create'],
  },
  {
    why: 'restore: a failed snapshot-recovery Job fails the restore fast',
    apiGroups: ['batch'],
    resources: ['jobs'],
    verbs: ['list'],
  },
];

const RESTORE_CONTENT_RULES: readonly RbacRule[] = [
  {
    why: 'restore from the catalog: import a storage snapshot by its handle (Retain); get: a retried step finds its own',
    apiGroups: [SNAPSHOT_GROUP],
    resources: ['volumesnapshotcontents'],
    verbs: ['get', 'create'],
  },
];

const RESTORE_NAME = `${KUBERNETES_GROUP}-restore`;
const RESTORE_CONTENTS_NAME = `${KUBERNETES_GROUP}-restore-snapshot-contents`;

/** The RBAC of a standby's restores on one EKS cluster of the disaster recovery Region: its namespaces only. */
export function standbyRbac(namespaces: readonly string[]): KubernetesManifest[] {
  return [
    { ...clusterRole(RESTORE_NAME, RESTORE_RULES), comment: 'What a restore from the copies may do in the namespaces it restores into.' },
    ...[...new Set(namespaces)].sort().map((namespace): KubernetesManifest => ({
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: RESTORE_NAME, namespace, labels: LABELS },
        subjects: SUBJECTS,
        roleRef: roleRef(RESTORE_NAME),
      },
    })),
    { ...clusterRole(RESTORE_CONTENTS_NAME, RESTORE_CONTENT_RULES), comment: 'Snapshot contents are cluster-scoped.' },
    clusterRoleBinding(RESTORE_CONTENTS_NAME),
  ];
}
