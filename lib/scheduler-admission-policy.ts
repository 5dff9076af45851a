import { CNPG_GROUP, CnpgLabel, KubeLabel, SNAPSHOT_GROUP } from '../lambdas/domain/cnpg-api';
import { DISCOVERED_HASH_LENGTH, DISCOVERED_READABLE_MAX } from '../lambdas/domain/discovered-target-name';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel } from '../lambdas/domain/scheduler-metadata';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { KUBERNETES_GROUP } from './kubernetes-group';
import type { KubernetesManifest } from './kubernetes-manifest';

/**
 * A ValidatingAdmissionPolicy that confines what the scheduler's group may write, whatever RBAC grants it: the API
 * server evaluates it on every write request from that group (and on no one else's), after RBAC, and denies with a
 * message that says why. Semantics: kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/.
 *
 * It knows the configured targets (generated per EKS cluster, like the RBAC): the marks of what the scheduler
 * creates are the labels `app.kubernetes.io/managed-by=cnpg-snapshot-scheduler` and `cnpg-snapshot-scheduler/target=<a
 * target of the object's namespace>`; a VolumeSnapshot (CNPG's, whose managed-by label is CNPG's) is marked by the
 * target label alone; and a marked Backup or snapshot must also be of that target's cluster.
 *
 * In a namespace under discovery the targets are not known when the policy is generated: there a Backup or snapshot
 * is marked for a discovered target when its target label has the form of a discovered target's name
 * (discovered-target-name.ts: the Cluster's name cut to 31 characters, `-`, 8 hex digits) and that name's readable
 * part is the name of the object's own cluster. The hash cannot be checked in CEL; the readable part ties the mark to
 * the cluster, so a Backup or snapshot of one Cluster is never taken for another's.
 *
 * A restore from the recovery-point catalog imports a backup's storage snapshots: it may create a VolumeSnapshotContent
 * naming an existing storage snapshot (never a volume) with Retain, and the VolumeSnapshot bound to it, both marked for
 * the restore request, in the deployment's namespaces only.
 */

export const POLICY_NAME = KUBERNETES_GROUP;

type PolicyTarget = Pick<TargetSpec, 'name' | 'namespace' | 'cluster'> & { retention: Pick<TargetSpec['retention'], 'scope'> };

interface Validation {
  /** What the rule guarantees, written above it in the manifest. */
  why: string;
  expression: string;
  message?: string;
  messageExpression?: string;
}

const MANAGED_BY = KubeLabel.ManagedBy;
const TARGET = SchedulerLabel.Target;
const BACKUPS = `${CNPG_GROUP}/backups`;
const CLUSTERS = `${CNPG_GROUP}/clusters`;
const SNAPSHOTS = `${SNAPSHOT_GROUP}/volumesnapshots`;
const CONTENTS = `${SNAPSHOT_GROUP}/volumesnapshotcontents`;
const JOBS = 'batch/jobs';
const CLAIMS = '/persistentvolumeclaims';
/** The name of a drill Cluster (drill-cluster.ts): `<cluster>-drill-<YYYYMMDDHHMMSS>`. */
const DRILL_CLUSTER_NAME = '-drill-[0-9]{14}$';

/** A CEL string literal; only names (RFC 1123, label keys) are ever written, so nothing needs escaping. */
function literal(text: string): string {
  if (!/^[A-Za-z0-9./_-]*$/.test(text)) throw new Error(`${JSON.stringify(text)} cannot be written into the admission policy`);
  return `'${text}'`;
}

/** A CEL string literal of a regular expression of ours: no quote or backslash, so nothing needs escaping. */
function regexLiteral(pattern: string): string {
  if (/['\\]/.test(pattern)) throw new Error(`${JSON.stringify(pattern)} cannot be written into the admission policy`);
  return `'${pattern}'`;
}

const list = (items: readonly string[]) => `[${items.map(literal).join(', ')}]`;
const map = (entries: ReadonlyArray<readonly [string, string]>) => `{${entries.map(([k, v]) => `${literal(k)}: ${v}`).join(', ')}}`;
const on = (resource: string, operation: 'CREATE' | 'UPDATE' | 'DELETE') =>
  `variables.resource == ${literal(resource)} && request.operation == '${operation}'`;
const never = (resource: string, operation: 'CREATE' | 'UPDATE' | 'DELETE') => `!(${on(resource, operation)})`;
/** `condition` must hold for requests of `resource` and `operation`; other requests pass this rule. */
const onlyIf = (resource: string, operation: 'CREATE' | 'UPDATE' | 'DELETE', condition: string) =>
  `!(${on(resource, operation)}) ||\n(${condition})`;

/** A discovered target's name: a readable part of 1 to 31 characters (a DNS label), `-`, the hash. */
const DISCOVERED_NAME = `^[a-z0-9]([-a-z0-9]{0,${DISCOVERED_READABLE_MAX - 2}}[a-z0-9])?-[0-9a-f]{${DISCOVERED_HASH_LENGTH}}$`;

function variables(targets: readonly PolicyTarget[], discoveryNamespaces: readonly string[]) {
  const namespaces = [...new Set([...targets.map((t) => t.namespace), ...discoveryNamespaces])].sort();
  const byNamespace = namespaces.map((ns) => {
    const own = targets.filter((t) => t.namespace === ns).sort((a, b) => (a.name < b.name ? -1 : 1));
    return [ns, map(own.map((t) => [t.name, literal(t.cluster)] as const))] as const;
  });
  const scopeAll = namespaces.map(
    (ns) =>
      [ns, list([...new Set(targets.filter((t) => t.namespace === ns && t.retention.scope === 'all').map((t) => t.cluster))])] as const,
  );
  const labelsOf = (object: string) => `${object} != null && has(${object}.metadata.labels) ? ${object}.metadata.labels : {}`;
  const annotationsOf = (object: string) =>
    `${object} != null && has(${object}.metadata.annotations) ? ${object}.metadata.annotations : {}`;
  const field = (name: string, fallback: string) =>
    `(has(object.metadata.${name}) ? object.metadata.${name} : ${fallback}) == (has(oldObject.metadata.${name}) ? oldObject.metadata.${name} : ${fallback})`;
  return [
    { name: 'resource', expression: `request.resource.group + '/' + request.resource.resource` },
    // Namespace -> target -> cluster, and namespace -> the clusters whose retention scope is `all`.
    { name: 'targets', expression: map(byNamespace) },
    { name: 'scopeAllClusters', expression: map(scopeAll) },
    { name: 'targetNamespaces', expression: map(targets.map((t) => [t.name, literal(t.namespace)] as const)) },
    {
      name: 'namespaceTargets',
      expression: `request.namespace in variables.targets ? variables.targets[request.namespace] : {}`,
    },
    { name: 'namespaceClusters', expression: `variables.namespaceTargets.map(t, variables.namespaceTargets[t])` },
    // The object the request is about: the one written, or for a DELETE the one deleted.
    { name: 'subject', expression: `request.operation == 'DELETE' ? oldObject : object` },
    { name: 'labels', expression: labelsOf('variables.subject') },
    { name: 'oldLabels', expression: labelsOf('oldObject') },
    { name: 'newAnnotations', expression: annotationsOf('object') },
    { name: 'oldAnnotations', expression: annotationsOf('oldObject') },
    {
      name: 'managed',
      expression: `${literal(MANAGED_BY)} in variables.labels && variables.labels[${literal(MANAGED_BY)}] == ${literal(MANAGER_NAME)}`,
    },
    // Under discovery: the cluster a Backup or snapshot is of, and the discovered target its mark names when that
    // target's name is made from this cluster's (else '').
    { name: 'underDiscovery', expression: `request.namespace in ${list([...discoveryNamespaces].sort())}` },
    {
      name: 'subjectCluster',
      expression: `variables.resource == ${literal(BACKUPS)} && variables.subject != null ? variables.subject.spec.cluster.name :
variables.resource == ${literal(SNAPSHOTS)} && ${literal(CnpgLabel.Cluster)} in variables.labels ? variables.labels[${literal(CnpgLabel.Cluster)}] : ''`,
    },
    {
      name: 'discoveredTarget',
      expression: `variables.underDiscovery && (variables.managed || variables.resource == ${literal(SNAPSHOTS)}) && variables.subjectCluster != '' &&
${literal(TARGET)} in variables.labels && variables.labels[${literal(TARGET)}].matches(${regexLiteral(DISCOVERED_NAME)}) &&
(variables.labels[${literal(TARGET)}].substring(0, size(variables.labels[${literal(TARGET)}]) - ${DISCOVERED_HASH_LENGTH + 1}) == variables.subjectCluster ||
  (size(variables.subjectCluster) > ${DISCOVERED_READABLE_MAX} &&
   variables.subjectCluster.startsWith(variables.labels[${literal(TARGET)}].substring(0, size(variables.labels[${literal(TARGET)}]) - ${DISCOVERED_HASH_LENGTH + 1})) &&
   variables.subjectCluster.substring(size(variables.labels[${literal(TARGET)}]) - ${DISCOVERED_HASH_LENGTH + 1}, ${DISCOVERED_READABLE_MAX}).matches('^-*$')))
? variables.labels[${literal(TARGET)}] : ''`,
    },
    // The target named by the marks when they are this scheduler's (on a VolumeSnapshot, the target label alone), for a
    // target of the request's namespace or a discovered one; else ''.
    {
      name: 'markedTarget',
      expression: `(variables.managed || variables.resource == ${literal(SNAPSHOTS)}) && ${literal(TARGET)} in variables.labels && variables.labels[${literal(TARGET)}] in variables.namespaceTargets ? variables.labels[${literal(TARGET)}] : variables.discoveredTarget`,
    },
    {
      name: 'markedCluster',
      expression: `variables.markedTarget == '' ? '' : variables.markedTarget in variables.namespaceTargets ? variables.namespaceTargets[variables.markedTarget] : variables.subjectCluster`,
    },
    // An update leaves finalizers and owners as they were (the scheduler never takes or gives ownership).
    { name: 'sameOwnership', expression: `${field('finalizers', '[]')} && ${field('ownerReferences', '[]')}` },
  ];
}

function validations(targets: readonly PolicyTarget[], discoveryNamespaces: readonly string[]): Validation[] {
  const namespaces = [...new Set([...targets.map((t) => t.namespace), ...discoveryNamespaces])].sort();
  const discovery = list([...discoveryNamespaces].sort());
  const discoveredName = regexLiteral(DISCOVERED_NAME);
  const marks = `labels ${MANAGED_BY}=${MANAGER_NAME} and ${TARGET}=<a target of this namespace>`;
  const protectedUntil = literal(SchedulerAnnotation.RestoreProtectedUntil);
  const restoreLabel = literal(SchedulerLabel.RestoreRequest);
  const drillLabel = literal(SchedulerLabel.Drill);
  const drillCluster = `variables.labels[${literal(SchedulerLabel.DrillCluster)}]`;
  const snapshotSources = `object.spec.bootstrap.recovery.volumeSnapshots`;
  const isSnapshotRef = (ref: string) =>
    `${ref}.kind == 'VolumeSnapshot' && has(${ref}.apiGroup) && ${ref}.apiGroup == '${SNAPSHOT_GROUP}'`;
  const absentOr = (path: string, condition: string) => {
    const parts = path.split('.');
    // From object.spec.<field> down: spec itself is required by the CRD.
    const guards = parts.slice(2).map((_, i) => `!has(${parts.slice(0, i + 3).join('.')})`);
    return `(${guards.join(' || ')} || ${condition})`;
  };
  return [
    {
      why: 'It writes only the kinds it works with, never a subresource (status, exec, ...).',
      expression: `request.subResource == '' && variables.resource in ${list([BACKUPS, CLUSTERS, SNAPSHOTS, CONTENTS, JOBS, CLAIMS])}`,
      messageExpression: `'cnpg-snapshot-scheduler writes only Backups, Clusters, VolumeSnapshots, VolumeSnapshotContents, Jobs and PersistentVolumeClaims, not ' + variables.resource + (request.subResource != '' ? '/' + request.subResource : '')`,
    },
    {
      why: 'It writes only in the namespaces of its targets (contents are cluster-scoped).',
      expression: `variables.resource == '${CONTENTS}' || request.namespace in variables.targets`,
      messageExpression: `'cnpg-snapshot-scheduler writes only in the namespaces of its targets (${namespaces.join(', ')}), not in ' + request.namespace`,
    },
    {
      why: 'Backup create: carries our marks and backs up that target cluster.',
      expression: onlyIf(BACKUPS, 'CREATE', `variables.markedCluster != '' && object.spec.cluster.name == variables.markedCluster`),
      messageExpression: `'a Backup cnpg-snapshot-scheduler creates carries the ${marks}, and backs up that target\\'s cluster (Backup ' + object.metadata.name + ' of cluster ' + object.spec.cluster.name + ')'`,
    },
    {
      why: 'Backup create: a volume-snapshot backup with only the fields the backup workflow sets.',
      expression: onlyIf(
        BACKUPS,
        'CREATE',
        `object.spec.method == 'volumeSnapshot' && object.spec.all(field, field in ${list(['cluster', 'method', 'online', 'onlineConfiguration', 'target'])})`,
      ),
      message:
        'a Backup cnpg-snapshot-scheduler creates is method volumeSnapshot and sets only spec.cluster, method, online, onlineConfiguration and target',
    },
    {
      why: "Backup delete: only Backups of a target's cluster with our managed-by label, and if marked for a target, for that one (and, for a target with retention scope all, any volume-snapshot Backup of its cluster).",
      expression: onlyIf(
        BACKUPS,
        'DELETE',
        `(variables.managed && (oldObject.spec.cluster.name in variables.namespaceClusters || variables.discoveredTarget != '') &&
  (!(${literal(TARGET)} in variables.labels) || variables.markedCluster == oldObject.spec.cluster.name)) ||
(request.namespace in variables.scopeAllClusters && oldObject.spec.cluster.name in variables.scopeAllClusters[request.namespace] && oldObject.spec.method == 'volumeSnapshot')`,
      ),
      messageExpression: `'Backup ' + request.name + ' does not carry the marks of cnpg-snapshot-scheduler (label ${MANAGED_BY}=${MANAGER_NAME} on a Backup of a target\\'s cluster, and if labelled ${TARGET}, that target): it deletes only its own Backups'`,
    },
    {
      why: `Backup update: only the annotation ${SchedulerAnnotation.RestoreProtectedUntil} (a restore keeps its backup), on a Backup of a target cluster.`,
      expression: onlyIf(
        BACKUPS,
        'UPDATE',
        `oldObject.spec.cluster.name in variables.namespaceClusters && object.spec == oldObject.spec &&
variables.labels == variables.oldLabels && variables.sameOwnership &&
variables.newAnnotations.all(k, k == ${protectedUntil} || (k in variables.oldAnnotations && variables.oldAnnotations[k] == variables.newAnnotations[k])) &&
variables.oldAnnotations.all(k, k == ${protectedUntil} || k in variables.newAnnotations)`,
      ),
      message: `cnpg-snapshot-scheduler changes nothing on a Backup but the annotation ${SchedulerAnnotation.RestoreProtectedUntil}, on Backups of its targets' clusters`,
    },
    {
      why: 'Cluster create: a restore (or drill) carries its marks.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        `variables.managed && (${restoreLabel} in variables.labels || ${drillLabel} in variables.labels)`,
      ),
      message: `a Cluster cnpg-snapshot-scheduler creates carries the labels ${MANAGED_BY}=${MANAGER_NAME} and ${SchedulerLabel.RestoreRequest} (a restore) or ${SchedulerLabel.Drill} (a drill)`,
    },
    {
      why: 'Cluster create: bootstraps from VolumeSnapshots and nothing else.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        `has(object.spec.bootstrap) && object.spec.bootstrap.all(method, method == 'recovery') &&
has(object.spec.bootstrap.recovery.volumeSnapshots) && !has(object.spec.bootstrap.recovery.backup) &&
${snapshotSources}.all(role, role in ['storage', 'walStorage', 'tablespaceStorage']) &&
${isSnapshotRef(`${snapshotSources}.storage`)} &&
(!has(${snapshotSources}.walStorage) || ${isSnapshotRef(`${snapshotSources}.walStorage`)}) &&
(!has(${snapshotSources}.tablespaceStorage) || ${snapshotSources}.tablespaceStorage.all(t, ${isSnapshotRef(`${snapshotSources}.tablespaceStorage[t]`)}))`,
      ),
      message: 'a Cluster cnpg-snapshot-scheduler creates bootstraps from VolumeSnapshots only (spec.bootstrap.recovery.volumeSnapshots)',
    },
    {
      why: 'Cluster create: archives nowhere (no barmanObjectStore, no WAL-archiver plugin), so it cannot write into any archive.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        `(!has(object.spec.backup) || !has(object.spec.backup.barmanObjectStore)) &&
${absentOr('object.spec.plugins', 'object.spec.plugins.all(p, !has(p.isWALArchiver) || !p.isWALArchiver)')}`,
      ),
      message: 'a Cluster cnpg-snapshot-scheduler creates archives no WAL: no spec.backup.barmanObjectStore, no plugin with isWALArchiver',
    },
    {
      why: 'Cluster create: external clusters are WAL archives to read (barmanObjectStore or plugin), never a server to connect to.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        absentOr(
          'object.spec.externalClusters',
          `object.spec.externalClusters.all(c, c.all(f, f in ['name', 'barmanObjectStore', 'plugin']))`,
        ),
      ),
      message:
        'an external cluster of a Cluster cnpg-snapshot-scheduler creates has only name, barmanObjectStore or plugin (no connectionParameters, password or certificates)',
    },
    {
      why: 'Cluster create: its pods read no Secret through env, envFrom or projected volumes.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        `${absentOr('object.spec.env', 'object.spec.env.all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef))')} &&
${absentOr('object.spec.envFrom', 'object.spec.envFrom.all(e, !has(e.secretRef))')} &&
${absentOr('object.spec.projectedVolumeTemplate.sources', 'object.spec.projectedVolumeTemplate.sources.all(s, !has(s.secret))')}`,
      ),
      message:
        'a Cluster cnpg-snapshot-scheduler creates reads no Secret through spec.env (secretKeyRef), spec.envFrom (secretRef) or spec.projectedVolumeTemplate (secret)',
    },
    {
      why: 'Cluster create: no pg_hba rule lets anyone in without a password.',
      expression: onlyIf(
        CLUSTERS,
        'CREATE',
        absentOr('object.spec.postgresql.pg_hba', `object.spec.postgresql.pg_hba.all(rule, !rule.matches('(^|\\\\s)trust(\\\\s|$)'))`),
      ),
      message: 'a Cluster cnpg-snapshot-scheduler creates has no pg_hba rule with method trust',
    },
    {
      why: 'Cluster delete: only drill clusters (a restored cluster is never deleted).',
      expression: onlyIf(CLUSTERS, 'DELETE', `variables.managed && ${drillLabel} in variables.labels`),
      messageExpression: `'Cluster ' + request.name + ' is not a drill cluster of cnpg-snapshot-scheduler (labels ${MANAGED_BY}=${MANAGER_NAME} and ${SchedulerLabel.Drill}): it deletes no other Cluster'`,
    },
    {
      why: 'Cluster update: never.',
      expression: never(CLUSTERS, 'UPDATE'),
      message: 'cnpg-snapshot-scheduler never changes a Cluster',
    },
    {
      why: "VolumeSnapshot create: only a restore's import of a catalogued snapshot: marked for its restore request, bound to a content given by name (never a snapshot of a volume: CNPG creates the snapshots of a Backup).",
      expression: onlyIf(
        SNAPSHOTS,
        'CREATE',
        `variables.managed && ${restoreLabel} in variables.labels &&
has(object.spec.source.volumeSnapshotContentName) && !has(object.spec.source.persistentVolumeClaimName)`,
      ),
      message: `a VolumeSnapshot cnpg-snapshot-scheduler creates imports a catalogued snapshot: labels ${MANAGED_BY}=${MANAGER_NAME} and ${SchedulerLabel.RestoreRequest}, spec.source.volumeSnapshotContentName only (it never snapshots a volume)`,
    },
    {
      // Retention deletes, with a Backup, the snapshots labelled with its name, and orphans of the cluster; until it
      // marks every snapshot before deleting it, an unmarked backup snapshot of a target's cluster is allowed too.
      // Then the second line becomes scopeAllClusters (targets whose retention deletes Backups it did not create).
      why: "VolumeSnapshot delete: only backup snapshots CNPG made for a target's cluster (labels cnpg.io/backupName, cnpg.io/cluster), and if marked, marked for that target.",
      expression: onlyIf(
        SNAPSHOTS,
        'DELETE',
        `'${CnpgLabel.BackupName}' in variables.labels && '${CnpgLabel.Cluster}' in variables.labels &&
(variables.labels['${CnpgLabel.Cluster}'] in variables.namespaceClusters || variables.discoveredTarget != '') &&
(!(${literal(TARGET)} in variables.labels) || variables.markedCluster == variables.labels['${CnpgLabel.Cluster}'])`,
      ),
      messageExpression: `'VolumeSnapshot ' + request.name + ' is not a backup snapshot of a target of cnpg-snapshot-scheduler in this namespace (labels ${CnpgLabel.BackupName}, ${CnpgLabel.Cluster}=<a target\\'s cluster>, and if marked, marked for that target): it deletes only the snapshots of its targets\\' backups'`,
    },
    {
      why: "VolumeSnapshot update: only adding our target label to a snapshot CNPG made for a backup of that target's cluster; nothing else changes (CNPG's managed-by label stays).",
      expression: onlyIf(
        SNAPSHOTS,
        'UPDATE',
        `'${CnpgLabel.BackupName}' in variables.oldLabels && '${CnpgLabel.Cluster}' in variables.oldLabels &&
variables.markedCluster == variables.oldLabels['${CnpgLabel.Cluster}'] &&
variables.oldLabels.all(k, k in variables.labels && variables.labels[k] == variables.oldLabels[k]) &&
variables.labels.all(k, k in variables.oldLabels || k == ${literal(TARGET)}) &&
object.spec == oldObject.spec && variables.newAnnotations == variables.oldAnnotations && variables.sameOwnership`,
      ),
      message: `cnpg-snapshot-scheduler changes nothing on a VolumeSnapshot but adding the label ${TARGET}=<the target of the snapshot's cluster> to a snapshot labelled ${CnpgLabel.BackupName}`,
    },
    {
      why: "Job create: only a drill's verification Job: marked for a target of the namespace as its drill, named after the drill Cluster it checks, reading no Secret but that Cluster's application Secret, mounting nothing, with no service account token.",
      expression: onlyIf(
        JOBS,
        'CREATE',
        `variables.markedTarget != '' && ${drillLabel} in variables.labels && variables.labels[${drillLabel}] == variables.markedTarget &&
${literal(SchedulerLabel.DrillCluster)} in variables.labels && ${drillCluster}.matches('${DRILL_CLUSTER_NAME}') &&
object.metadata.name == ${drillCluster} + '-verify' &&
object.spec.template.spec.all(f, f in ${list(['restartPolicy', 'automountServiceAccountToken', 'securityContext', 'containers'])}) &&
object.spec.template.spec.automountServiceAccountToken == false &&
object.spec.template.spec.containers.all(c, !has(c.envFrom) && !has(c.volumeMounts) &&
  (!has(c.env) || c.env.all(e, !has(e.valueFrom) ||
    (e.valueFrom.all(k, k == 'secretKeyRef') && e.valueFrom.secretKeyRef.name == ${drillCluster} + '-app'))))`,
      ),
      messageExpression: `'a Job cnpg-snapshot-scheduler creates is a drill\\'s verification Job: the ${marks} and ${SchedulerLabel.Drill}=<that target>, named <drill cluster>-verify after its label ${SchedulerLabel.DrillCluster}, reading only that cluster\\'s application Secret through env, with no volumes, no other pod fields and no service account token (Job ' + object.metadata.name + ')'`,
    },
    {
      why: "Job delete: only a drill's verification Job.",
      expression: onlyIf(
        JOBS,
        'DELETE',
        `variables.markedTarget != '' && ${drillLabel} in variables.labels && variables.labels[${drillLabel}] == variables.markedTarget &&
${literal(SchedulerLabel.DrillCluster)} in variables.labels && ${drillCluster}.matches('${DRILL_CLUSTER_NAME}') &&
oldObject.metadata.name == ${drillCluster} + '-verify'`,
      ),
      messageExpression: `'Job ' + request.name + ' is not a drill verification Job of cnpg-snapshot-scheduler: it deletes no other Job'`,
    },
    {
      why: 'Job update: never.',
      expression: never(JOBS, 'UPDATE'),
      message: 'cnpg-snapshot-scheduler never changes a Job',
    },
    {
      why: "PersistentVolumeClaim delete: only a drill Cluster's volumes (labelled cnpg.io/cluster=<drill cluster>, named <drill cluster>-<serial>, -wal or -tbs-<name>).",
      expression: onlyIf(
        CLAIMS,
        'DELETE',
        `'${CnpgLabel.Cluster}' in variables.labels && variables.labels['${CnpgLabel.Cluster}'].matches('${DRILL_CLUSTER_NAME}') &&
oldObject.metadata.name.matches('^' + variables.labels['${CnpgLabel.Cluster}'] + '-[0-9]+(-wal|-tbs-[a-z0-9-]+)?$')`,
      ),
      messageExpression: `'PersistentVolumeClaim ' + request.name + ' is not a volume of a drill cluster: cnpg-snapshot-scheduler deletes no other claim'`,
    },
    {
      why: "PersistentVolumeClaim create or update: never (CNPG makes a Cluster's volumes).",
      expression: `${never(CLAIMS, 'CREATE')} && ${never(CLAIMS, 'UPDATE')}`,
      message: 'cnpg-snapshot-scheduler creates and changes no PersistentVolumeClaim',
    },
    {
      why: "VolumeSnapshotContent create: only a restore's import of a catalogued storage snapshot: marked for its restore request, an existing snapshot by handle (never a volume's), Retain (deleting the import never deletes the storage), bound into a namespace of the deployment.",
      expression: onlyIf(
        CONTENTS,
        'CREATE',
        `variables.managed && ${restoreLabel} in variables.labels && object.spec.deletionPolicy == 'Retain' &&
has(object.spec.source.snapshotHandle) && !has(object.spec.source.volumeHandle) &&
has(object.spec.volumeSnapshotRef.namespace) && object.spec.volumeSnapshotRef.namespace in variables.targets`,
      ),
      message: `a VolumeSnapshotContent cnpg-snapshot-scheduler creates imports a storage snapshot: labels ${MANAGED_BY}=${MANAGER_NAME} and ${SchedulerLabel.RestoreRequest}, spec.source.snapshotHandle only, deletionPolicy Retain, for a VolumeSnapshot in a namespace of the deployment`,
    },
    {
      why: 'VolumeSnapshotContent delete: only contents with our marks, bound into that target namespace (for a discovered target, into a namespace under discovery).',
      expression: onlyIf(
        CONTENTS,
        'DELETE',
        `variables.managed && '${TARGET}' in variables.labels &&
((variables.labels['${TARGET}'] in variables.targetNamespaces &&
  oldObject.spec.volumeSnapshotRef.namespace == variables.targetNamespaces[variables.labels['${TARGET}']]) ||
 (oldObject.spec.volumeSnapshotRef.namespace in ${discovery} && variables.labels['${TARGET}'].matches(${discoveredName})))`,
      ),
      messageExpression: `'VolumeSnapshotContent ' + request.name + ' does not carry the marks of cnpg-snapshot-scheduler (labels ${MANAGED_BY}=${MANAGER_NAME} and ${TARGET}=<a target>, bound into its namespace)'`,
    },
    {
      why: 'VolumeSnapshotContent update: only spec.deletionPolicy (Retain or Delete), of a content bound into a target namespace.',
      expression: onlyIf(
        CONTENTS,
        'UPDATE',
        `oldObject.spec.volumeSnapshotRef.namespace in variables.targets && object.spec.deletionPolicy in ['Retain', 'Delete'] &&
object.spec.all(f, f == 'deletionPolicy' || (f in oldObject.spec && object.spec[f] == oldObject.spec[f])) &&
oldObject.spec.all(f, f in object.spec) &&
variables.labels == variables.oldLabels && variables.newAnnotations == variables.oldAnnotations && variables.sameOwnership`,
      ),
      message:
        'cnpg-snapshot-scheduler changes nothing on a VolumeSnapshotContent but spec.deletionPolicy (Retain or Delete), on contents bound into the namespaces of its targets',
    },
  ];
}

/** The policy and its binding for the targets of one EKS cluster. */
export function schedulerAdmissionPolicy(
  targets: readonly PolicyTarget[],
  discoveryNamespaces: readonly string[] = [],
): KubernetesManifest[] {
  const rules = validations(targets, discoveryNamespaces);
  return [
    {
      comment: [
        `Confines what the group ${KUBERNETES_GROUP} may write, whatever its RBAC: the API server evaluates it on`,
        'every write request from that group (and on no one else: matchConditions), and denies with a message.',
      ].join('\n'),
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: POLICY_NAME, labels: { 'app.kubernetes.io/name': KUBERNETES_GROUP } },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              { apiGroups: ['*'], apiVersions: ['*'], resources: ['*', '*/*'], operations: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
            ],
          },
          matchConditions: [{ name: 'scheduler-group', expression: `${literal(KUBERNETES_GROUP)} in request.userInfo.groups` }],
          variables: variables(targets, discoveryNamespaces),
          validations: rules.map(({ expression, message, messageExpression }) => ({
            expression,
            ...(message !== undefined && { message }),
            ...(messageExpression !== undefined && { messageExpression }),
            reason: 'Forbidden',
          })),
          // Every write names the target it was for in its audit event (key cnpg-snapshot-scheduler/target).
          auditAnnotations: [{ key: 'target', valueExpression: `variables.markedTarget != '' ? variables.markedTarget : null` }],
        },
      },
      itemComments: { 'spec.validations': rules.map((rule) => rule.why) },
    },
    {
      comment: 'Deny the request, and record the failed rule in the audit event (validation.policy.admission.k8s.io/validation_failure).',
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: POLICY_NAME, labels: { 'app.kubernetes.io/name': KUBERNETES_GROUP } },
        spec: { policyName: POLICY_NAME, validationActions: ['Deny', 'Audit'] },
      },
    },
  ];
}
