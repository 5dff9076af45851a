import { readFileSync } from 'node:fs';
import {
  PatchStrategy,
  setHeaderOptions,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1Secret,
  type CustomObjectsApi,
} from '@kubernetes/client-node';
import { discoveredTargetName } from '../../lambdas/domain/discovered-target-name';
import { buildVerificationJob, verificationSteps } from '../../lambdas/domain/drill-verification';
import type { Job } from '../../lambdas/domain/kube-objects';
import { exampleCluster, exampleVolumeSnapshotClass } from '../../simulator/kube-api-server/fixtures';
import { LocalScheduler } from '../../simulator/local-scheduler';
import {
  apiFailure,
  backupManifest,
  CNPG,
  NAMESPACE,
  OUTSIDER,
  SCHEDULER,
  SHIPPED_MANIFEST,
  SNAPSHOTS,
  startHarness,
  type ApiClients,
  type Harness,
} from '../kube-api-server/api-harness';

/**
 * The shipped admission policy confines the scheduler's own credentials even where RBAC lets them do anything: every
 * forbidden action below is denied with the policy's message, although an all-powerful RBAC role allows its verb;
 * what the workflows do is allowed; and the policy never matches another identity's requests.
 */

/** RBAC that lets both the scheduler's group and another team do anything anywhere: only the policy stands in the way. */
const ALL_POWERFUL_RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: everything }
rules:
  - { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: everything }
subjects:
  - { kind: Group, name: cnpg-snapshot-scheduler, apiGroup: rbac.authorization.k8s.io }
  - { kind: Group, name: other-team, apiGroup: rbac.authorization.k8s.io }
roleRef: { kind: ClusterRole, name: everything, apiGroup: rbac.authorization.k8s.io }
`;

const VALIDATION_FAILURE = 'validation.policy.admission.k8s.io/validation_failure';
const MARKS = { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler', 'cnpg-snapshot-scheduler/target': 'hendrix' };
/** The mark on a VolumeSnapshot of a target's backup: the target label only (managed-by there is CNPG's). */
const SNAPSHOT_MARK = { 'cnpg-snapshot-scheduler/target': 'hendrix' };
/** CNPG clones these from the PVC onto every backup snapshot (pkg/reconciler/backup/volumesnapshot/reconciler.go createSnapshot). */
const CNPG_SNAPSHOT_LABELS = { 'app.kubernetes.io/managed-by': 'cloudnative-pg', 'app.kubernetes.io/name': 'postgresql' };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const snapshot = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshot',
  metadata: { name, namespace: NAMESPACE, labels },
  spec: { source: { persistentVolumeClaimName: 'hendrix-1' }, volumeSnapshotClassName: 'csi-aws-vsc' },
});

const content = (name: string, namespace: string) => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotContent',
  metadata: { name },
  spec: {
    deletionPolicy: 'Delete',
    driver: 'ebs.csi.aws.com',
    source: { snapshotHandle: `snap-${name}` },
    volumeSnapshotRef: { name: 'ours-snap', namespace },
  },
});

/** What a restore from the recovery-point catalog marks its imported contents and snapshots with. */
const IMPORT_MARKS = { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler', 'cnpg-snapshot-scheduler/restore-request': 'req-1' };

/** A content as a restore from the catalog imports it (recovery-point-import.ts); `spec` is merged in. */
const importedContent = (name: string, namespace: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotContent',
  metadata: { name, labels: IMPORT_MARKS },
  spec: {
    deletionPolicy: 'Retain',
    driver: 'ebs.csi.aws.com',
    source: { snapshotHandle: `snap-${name}` },
    volumeSnapshotRef: { name, namespace },
    ...spec,
  },
});

/** A Cluster as a restore creates it: our marks, bootstrapped from a backup's VolumeSnapshots; `spec` is merged in. */
function restoredCluster(name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  const source = exampleCluster({ namespace: NAMESPACE, name, walStorage: false });
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler', 'cnpg-snapshot-scheduler/restore-request': 'r-1', ...labels },
    },
    spec: {
      ...source.spec,
      backup: {},
      instances: 1,
      bootstrap: {
        recovery: { volumeSnapshots: { storage: { name: 'ours-snap', kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } } },
      },
      ...spec,
    },
  };
}

const restoreWith = (spec: Record<string, unknown>) => restoredCluster('hendrix-copy', spec);

const clusters = (c: CustomObjectsApi, body: object) =>
  c.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', body });
const mergePatch = (c: CustomObjectsApi, plural: string, name: string, body: object, group: { group: string; version: string } = CNPG) =>
  c.patchNamespacedCustomObject({ ...group, namespace: NAMESPACE, plural, name, body }, MERGE_PATCH);

/** A drill's verification Job as the drill workflow makes it, for the drill cluster `cluster`. */
const DRILL_CLUSTER = 'hendrix-drill-20261124010000';
const verificationJob = (cluster = DRILL_CLUSTER): Job =>
  buildVerificationJob({
    clusterName: cluster,
    namespace: NAMESPACE,
    target: 'hendrix',
    executionName: 'drill-1',
    image: 'ghcr.io/cloudnative-pg/postgresql:17.5',
    applicationSecret: `${cluster}-app`,
    steps: verificationSteps({ checks: [], freshnessQuery: undefined }),
  });
const withPodSpec = (job: Job, change: (spec: Record<string, unknown>) => Record<string, unknown>): Job => {
  const copy = structuredClone(job) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
  copy.spec.template.spec = change(copy.spec.template.spec);
  return copy as unknown as Job;
};
const JOBS = { group: 'batch', version: 'v1', plural: 'jobs' } as const;
const createJob = (custom: CustomObjectsApi, body: Job) => custom.createNamespacedCustomObject({ ...JOBS, namespace: NAMESPACE, body });
const claim = (name: string, cluster: string) =>
  Object.assign(new V1PersistentVolumeClaim(), {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: Object.assign(new V1ObjectMeta(), { name, namespace: NAMESPACE, labels: { 'cnpg.io/cluster': cluster } }),
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  });

/** A Backup in team-a, a namespace under discovery in the shipped config, of `cluster`, marked for `target`. */
const discoveredBackup = (custom: CustomObjectsApi, cluster: string, target: string) => {
  const body = backupManifest(`${cluster}-1`, cluster);
  return custom.createNamespacedCustomObject({
    ...CNPG,
    namespace: 'team-a',
    plural: 'backups',
    body: {
      ...body,
      metadata: { name: `${cluster}-1`, namespace: 'team-a', labels: { ...MARKS, 'cnpg-snapshot-scheduler/target': target } },
    },
  });
};
const ORDERS = discoveredTargetName({ eksCluster: 'prod-eks', namespace: 'team-a', cluster: 'orders' });

interface Attempt {
  name: string;
  run: (api: ApiClients) => Promise<unknown>;
  /** A part of the policy's message. */
  denied: RegExp;
}

const FORBIDDEN: Attempt[] = [
  {
    name: "create a Backup under discovery marked for another Cluster's discovered target",
    run: ({ custom }) => discoveredBackup(custom, 'orders', 'stock-0123abcd'),
    denied: /backs up that target's cluster \(Backup orders-1 of cluster orders\)/,
  },
  {
    name: 'create a Backup under discovery marked with a name no discovered target has',
    run: ({ custom }) => discoveredBackup(custom, 'orders', 'orders'),
    denied: /backs up that target's cluster \(Backup orders-1 of cluster orders\)/,
  },
  {
    name: 'delete a Backup without our marks',
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'foreign' }),
    denied: /Backup foreign does not carry the marks of cnpg-snapshot-scheduler/,
  },
  {
    name: 'delete a Backup marked for a target this namespace does not have',
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'not-a-target' }),
    denied: /Backup not-a-target does not carry the marks/,
  },
  {
    name: 'create a Backup without our marks',
    run: ({ custom }) =>
      custom.createNamespacedCustomObject({
        ...CNPG,
        namespace: NAMESPACE,
        plural: 'backups',
        body: backupManifest('unmarked', 'hendrix'),
      }),
    denied: /a Backup cnpg-snapshot-scheduler creates carries the labels/,
  },
  {
    name: 'create a Backup of another method',
    run: ({ custom }) => {
      const body = backupManifest('barman', 'hendrix', { method: 'barmanObjectStore' });
      return custom.createNamespacedCustomObject({
        ...CNPG,
        namespace: NAMESPACE,
        plural: 'backups',
        body: { ...body, metadata: { ...body.metadata, labels: MARKS } },
      });
    },
    denied: /is method volumeSnapshot/,
  },
  {
    name: 'create a Backup in a namespace without a target',
    run: ({ custom }) => {
      const body = backupManifest('elsewhere', 'hendrix');
      return custom.createNamespacedCustomObject({
        ...CNPG,
        namespace: 'other',
        plural: 'backups',
        body: { ...body, metadata: { name: 'elsewhere', namespace: 'other', labels: MARKS } },
      });
    },
    denied: /writes only in the namespaces of its targets \(demo, team-a, team-b\), not in other/,
  },
  {
    name: "change a Backup's labels",
    run: ({ custom }) => mergePatch(custom, 'backups', 'ours', { metadata: { labels: { 'cnpg-snapshot-scheduler/target': 'jimi' } } }),
    denied: /changes nothing on a Backup but the annotation cnpg-snapshot-scheduler\/restore-protected-until/,
  },
  {
    name: 'create a Cluster that bootstraps with initdb',
    run: ({ custom }) => clusters(custom, restoreWith({ bootstrap: { initdb: { database: 'app' } } })),
    denied: /bootstraps from VolumeSnapshots only/,
  },
  {
    name: 'create a Cluster without the marks of a restore or drill',
    run: ({ custom }) => {
      const body = restoreWith({});
      return clusters(custom, { ...body, metadata: { ...body.metadata, labels: {} } });
    },
    denied: /a Cluster cnpg-snapshot-scheduler creates carries the labels/,
  },
  {
    name: 'create a Cluster whose pods read a Secret through env',
    run: ({ custom }) =>
      clusters(custom, restoreWith({ env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'token' } } }] })),
    denied: /reads no Secret/,
  },
  {
    name: 'create a Cluster whose pods read a Secret through envFrom',
    run: ({ custom }) => clusters(custom, restoreWith({ envFrom: [{ secretRef: { name: 'app-secret' } }] })),
    denied: /reads no Secret/,
  },
  {
    name: 'create a Cluster that mounts a Secret as a projected volume',
    run: ({ custom }) => clusters(custom, restoreWith({ projectedVolumeTemplate: { sources: [{ secret: { name: 'app-secret' } }] } })),
    denied: /reads no Secret/,
  },
  {
    name: 'create a Cluster that archives WAL to an object store',
    run: ({ custom }) =>
      clusters(
        custom,
        restoreWith({ backup: { barmanObjectStore: { destinationPath: 's3://elsewhere/', s3Credentials: { inheritFromIAMRole: true } } } }),
      ),
    denied: /archives no WAL/,
  },
  {
    name: 'create a Cluster with a WAL-archiver plugin',
    run: ({ custom }) => clusters(custom, restoreWith({ plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true }] })),
    denied: /archives no WAL/,
  },
  {
    name: 'create a Cluster that connects to another server',
    run: ({ custom }) =>
      clusters(
        custom,
        restoreWith({ externalClusters: [{ name: 'origin', connectionParameters: { host: 'db.elsewhere.example', user: 'postgres' } }] }),
      ),
    denied: /has only name, barmanObjectStore or plugin/,
  },
  {
    name: 'create a Cluster that trusts connections without a password',
    run: ({ custom }) => clusters(custom, restoreWith({ postgresql: { pg_hba: ['host all all 0.0.0.0/0 trust'] } })),
    denied: /no pg_hba rule with method trust/,
  },
  {
    name: 'delete the source Cluster',
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name: 'hendrix' }),
    denied: /Cluster hendrix is not a drill cluster of cnpg-snapshot-scheduler/,
  },
  {
    name: 'delete a restored Cluster',
    run: ({ custom }) =>
      custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name: 'hendrix-restore' }),
    denied: /Cluster hendrix-restore is not a drill cluster/,
  },
  {
    name: 'change a Cluster',
    run: ({ custom }) => mergePatch(custom, 'clusters', 'hendrix', { spec: { instances: 1 } }),
    denied: /never changes a Cluster/,
  },
  {
    name: 'create a VolumeSnapshot',
    run: ({ custom }) =>
      custom.createNamespacedCustomObject({
        ...SNAPSHOTS,
        namespace: NAMESPACE,
        plural: 'volumesnapshots',
        body: snapshot('new-snap', {}),
      }),
    denied: /VolumeSnapshot cnpg-snapshot-scheduler creates imports a catalogued snapshot/,
  },
  {
    name: "create a VolumeSnapshot of a volume, even marked as a restore's import",
    run: ({ custom }) =>
      custom.createNamespacedCustomObject({
        ...SNAPSHOTS,
        namespace: NAMESPACE,
        plural: 'volumesnapshots',
        body: snapshot('new-snap', IMPORT_MARKS),
      }),
    denied: /VolumeSnapshot cnpg-snapshot-scheduler creates imports a catalogued snapshot/,
  },
  {
    name: 'delete a VolumeSnapshot that is no backup snapshot',
    run: ({ custom }) =>
      custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace: NAMESPACE, plural: 'volumesnapshots', name: 'manual-snap' }),
    denied: /VolumeSnapshot manual-snap is not a backup snapshot of a target/,
  },
  {
    name: "delete a backup snapshot of a cluster that is not a target's",
    run: ({ custom }) =>
      custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace: NAMESPACE, plural: 'volumesnapshots', name: 'jimi-snap' }),
    denied: /VolumeSnapshot jimi-snap is not a backup snapshot of a target/,
  },
  {
    name: 'add a label other than our marks to a VolumeSnapshot',
    run: ({ custom }) =>
      mergePatch(custom, 'volumesnapshots', 'ours-snap', { metadata: { labels: { ...SNAPSHOT_MARK, keep: 'forever' } } }, SNAPSHOTS),
    denied: /changes nothing on a VolumeSnapshot but adding the label/,
  },
  {
    name: "overwrite CNPG's managed-by label on a VolumeSnapshot",
    run: ({ custom }) => mergePatch(custom, 'volumesnapshots', 'ours-snap', { metadata: { labels: MARKS } }, SNAPSHOTS),
    denied: /changes nothing on a VolumeSnapshot but adding the label/,
  },
  {
    name: 'mark a VolumeSnapshot for a target that is not its cluster',
    run: ({ custom }) => mergePatch(custom, 'volumesnapshots', 'jimi-snap', { metadata: { labels: SNAPSHOT_MARK } }, SNAPSHOTS),
    denied: /changes nothing on a VolumeSnapshot but adding the label/,
  },
  {
    name: "change a VolumeSnapshotContent's source",
    run: ({ custom }) =>
      custom.patchClusterCustomObject(
        {
          ...SNAPSHOTS,
          plural: 'volumesnapshotcontents',
          name: 'content-demo',
          body: { spec: { source: { snapshotHandle: 'snap-other' } } },
        },
        MERGE_PATCH,
      ),
    denied: /changes nothing on a VolumeSnapshotContent but spec.deletionPolicy/,
  },
  {
    name: 'change the deletionPolicy of a content bound into another namespace',
    run: ({ custom }) =>
      custom.patchClusterCustomObject(
        { ...SNAPSHOTS, plural: 'volumesnapshotcontents', name: 'content-other', body: { spec: { deletionPolicy: 'Retain' } } },
        MERGE_PATCH,
      ),
    denied: /changes nothing on a VolumeSnapshotContent but spec.deletionPolicy/,
  },
  {
    name: 'delete a VolumeSnapshotContent without our marks',
    run: ({ custom }) => custom.deleteClusterCustomObject({ ...SNAPSHOTS, plural: 'volumesnapshotcontents', name: 'content-demo' }),
    denied: /VolumeSnapshotContent content-demo does not carry the marks/,
  },
  {
    name: 'create a VolumeSnapshotContent',
    run: ({ custom }) =>
      custom.createClusterCustomObject({ ...SNAPSHOTS, plural: 'volumesnapshotcontents', body: content('content-new', NAMESPACE) }),
    denied: /VolumeSnapshotContent cnpg-snapshot-scheduler creates imports a storage snapshot/,
  },
  {
    name: "create a restore's imported content with Delete (deleting the import would delete the storage snapshot)",
    run: ({ custom }) =>
      custom.createClusterCustomObject({
        ...SNAPSHOTS,
        plural: 'volumesnapshotcontents',
        body: importedContent('content-new', NAMESPACE, { deletionPolicy: 'Delete' }),
      }),
    denied: /VolumeSnapshotContent cnpg-snapshot-scheduler creates imports a storage snapshot/,
  },
  {
    name: "create a restore's imported content of a volume instead of a storage snapshot",
    run: ({ custom }) =>
      custom.createClusterCustomObject({
        ...SNAPSHOTS,
        plural: 'volumesnapshotcontents',
        body: importedContent('content-new', NAMESPACE, { source: { volumeHandle: 'vol-0123' } }),
      }),
    denied: /VolumeSnapshotContent cnpg-snapshot-scheduler creates imports a storage snapshot/,
  },
  {
    name: "create a restore's imported content for a namespace of no target",
    run: ({ custom }) =>
      custom.createClusterCustomObject({
        ...SNAPSHOTS,
        plural: 'volumesnapshotcontents',
        body: importedContent('content-new', 'kube-system'),
      }),
    denied: /VolumeSnapshotContent cnpg-snapshot-scheduler creates imports a storage snapshot/,
  },
  {
    name: 'create a Secret',
    run: ({ core }) =>
      core.createNamespacedSecret({
        namespace: NAMESPACE,
        body: Object.assign(new V1Secret(), {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: Object.assign(new V1ObjectMeta(), { name: 'stolen' }),
          stringData: { a: 'b' },
        }),
      }),
    denied: /writes only Backups, Clusters, VolumeSnapshots, VolumeSnapshotContents, Jobs and PersistentVolumeClaims, not \/secrets/,
  },
];

const DRILL_ATTEMPTS: Attempt[] = [
  {
    name: 'create a Job that is not a drill verification Job',
    run: ({ custom }) => {
      const job = verificationJob();
      const { 'cnpg-snapshot-scheduler/drill': _drill, ...labels } = job.metadata.labels ?? {};
      return createJob(custom, { ...job, metadata: { ...job.metadata, name: 'backup-exfiltrate', labels } });
    },
    denied: /a Job cnpg-snapshot-scheduler creates is a drill.s verification Job/,
  },
  {
    name: "create a verification Job that reads a Secret other than its drill cluster's application Secret",
    run: ({ custom }) =>
      createJob(
        custom,
        withPodSpec(verificationJob('hendrix-drill-20261124030000'), (spec) => ({
          ...spec,
          containers: [
            {
              name: 'steal',
              image: 'busybox',
              env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'hendrix-superuser', key: 'password' } } }],
            },
          ],
        })),
      ),
    denied: /a Job cnpg-snapshot-scheduler creates is a drill.s verification Job/,
  },
  {
    name: 'create a verification Job that mounts a volume',
    run: ({ custom }) =>
      createJob(
        custom,
        withPodSpec(verificationJob('hendrix-drill-20261124040000'), (spec) => ({
          ...spec,
          volumes: [{ name: 'keys', secret: { secretName: 'hendrix-superuser' } }],
        })),
      ),
    denied: /a Job cnpg-snapshot-scheduler creates is a drill.s verification Job/,
  },
  {
    name: 'delete a Job that is not a drill verification Job',
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...JOBS, namespace: NAMESPACE, name: 'nightly-report' }),
    denied: /Job nightly-report is not a drill verification Job/,
  },
  {
    name: 'delete a volume of the source cluster',
    run: ({ core }) => core.deleteNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, name: 'hendrix-1' }),
    denied: /PersistentVolumeClaim hendrix-1 is not a volume of a drill cluster/,
  },
  {
    name: 'create a PersistentVolumeClaim',
    run: ({ core }) => core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body: claim('new-claim', 'hendrix') }),
    denied: /creates and changes no PersistentVolumeClaim/,
  },
];
FORBIDDEN.push(...DRILL_ATTEMPTS);

const ALLOWED: Array<Omit<Attempt, 'denied'>> = [
  {
    name: 'import a catalogued storage snapshot for a restore: a marked Retain content by handle, and its VolumeSnapshot',
    run: async ({ custom }): Promise<unknown> => {
      await custom.createClusterCustomObject({
        ...SNAPSHOTS,
        plural: 'volumesnapshotcontents',
        body: importedContent('imported-snap', NAMESPACE),
      });
      return (await custom.createNamespacedCustomObject({
        ...SNAPSHOTS,
        namespace: NAMESPACE,
        plural: 'volumesnapshots',
        body: {
          apiVersion: 'snapshot.storage.k8s.io/v1',
          kind: 'VolumeSnapshot',
          metadata: { name: 'imported-snap', namespace: NAMESPACE, labels: IMPORT_MARKS },
          spec: { source: { volumeSnapshotContentName: 'imported-snap' } },
        },
      })) as unknown;
    },
  },
  {
    name: 'create a Backup under discovery marked for the discovered target of its cluster',
    run: ({ custom }) => discoveredBackup(custom, 'orders', ORDERS),
  },
  {
    name: 'create a Backup under discovery for a Cluster whose long name the target name cuts',
    run: ({ custom }) => {
      const cluster = `${'a'.repeat(30)}-orders`;
      return discoveredBackup(custom, cluster, discoveredTargetName({ eksCluster: 'prod-eks', namespace: 'team-a', cluster }));
    },
  },
  {
    name: "create a drill's verification Job",
    run: ({ custom }) => createJob(custom, verificationJob('hendrix-drill-20261124020000')),
  },
  {
    name: "delete a drill's verification Job",
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...JOBS, namespace: NAMESPACE, name: `${DRILL_CLUSTER}-verify` }),
  },
  {
    name: "delete a drill cluster's volume",
    run: ({ core }) => core.deleteNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, name: `${DRILL_CLUSTER}-1` }),
  },
  {
    name: 'mark a backup snapshot of its target',
    run: ({ custom }) => mergePatch(custom, 'volumesnapshots', 'ours-snap', { metadata: { labels: SNAPSHOT_MARK } }, SNAPSHOTS),
  },
  {
    name: 'protect the Backup a restore chose (annotation)',
    run: ({ custom }) =>
      mergePatch(custom, 'backups', 'foreign', {
        metadata: { annotations: { 'cnpg-snapshot-scheduler/restore-protected-until': '2026-11-03T00:00:00Z' } },
      }),
  },
  {
    name: "set the deletionPolicy of a content bound into a target's namespace",
    run: ({ custom }) =>
      custom.patchClusterCustomObject(
        { ...SNAPSHOTS, plural: 'volumesnapshotcontents', name: 'content-demo', body: { spec: { deletionPolicy: 'Retain' } } },
        MERGE_PATCH,
      ),
  },
  {
    name: 'delete a marked Backup',
    run: ({ custom }) => custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'ours' }),
  },
  {
    name: 'delete a backup snapshot of a target cluster',
    run: ({ custom }) =>
      custom.deleteNamespacedCustomObject({ ...SNAPSHOTS, namespace: NAMESPACE, plural: 'volumesnapshots', name: 'ours-snap' }),
  },
  { name: 'create a restored Cluster', run: ({ custom }) => clusters(custom, restoreWith({})) },
];

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness({ manifests: [readFileSync(SHIPPED_MANIFEST, 'utf8'), ALL_POWERFUL_RBAC] });
  const { server } = harness;
  server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Delete' }));
  server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
  const restored = restoredCluster('hendrix-restore');
  server.seed({ ...restored, status: exampleCluster({ namespace: NAMESPACE, name: 'hendrix-restore' }).status });
  server.seed(backupManifest('foreign', 'hendrix'));
  const ours = backupManifest('ours', 'hendrix');
  server.seed({ ...ours, metadata: { ...ours.metadata, labels: { ...ours.metadata.labels, ...MARKS } } });
  server.seed({
    ...ours,
    metadata: { ...ours.metadata, name: 'not-a-target', labels: { ...MARKS, 'cnpg-snapshot-scheduler/target': 'nobody' } },
  });
  server.seed(snapshot('ours-snap', { ...CNPG_SNAPSHOT_LABELS, 'cnpg.io/backupName': 'ours', 'cnpg.io/cluster': 'hendrix' }));
  server.seed(snapshot('manual-snap', { ...CNPG_SNAPSHOT_LABELS, 'cnpg.io/cluster': 'hendrix' }));
  server.seed(snapshot('jimi-snap', { ...CNPG_SNAPSHOT_LABELS, 'cnpg.io/backupName': 'jimi-1', 'cnpg.io/cluster': 'jimi' }));
  server.seed(content('content-demo', NAMESPACE));
  server.seed(verificationJob());
  server.seed({ ...verificationJob(), metadata: { name: 'nightly-report', namespace: NAMESPACE } });
  server.seed(claim(`${DRILL_CLUSTER}-1`, DRILL_CLUSTER));
  server.seed(claim('hendrix-1', 'hendrix'));
  server.seed(content('content-other', 'other'));
});
afterEach(() => harness.close());

const lastRequest = () => harness.server.requests.at(-1)!;

describe('with the scheduler’s own credentials and RBAC that allows everything', () => {
  test.each(FORBIDDEN.map((attempt) => [attempt.name, attempt] as const))('it may not %s', async (_name, attempt) => {
    const failure = await apiFailure(attempt.run(harness.as(SCHEDULER)));
    expect(failure.code).toBe(403);
    expect(failure.status?.reason).toBe('Forbidden');
    expect(failure.status?.message).toContain(
      "is forbidden: ValidatingAdmissionPolicy 'cnpg-snapshot-scheduler' with binding 'cnpg-snapshot-scheduler' denied request: ",
    );
    expect(failure.status?.message).toMatch(attempt.denied);
    // The denial is in the request's audit event.
    const recorded = JSON.parse(lastRequest().auditAnnotations?.[VALIDATION_FAILURE] ?? '[]') as Array<{ message: string }>;
    expect(recorded.map((r) => r.message)).toEqual([expect.stringMatching(attempt.denied)]);
  });

  test.each(ALLOWED.map((attempt) => [attempt.name, attempt] as const))('it may %s', async (_name, attempt) => {
    await expect(attempt.run(harness.as(SCHEDULER))).resolves.toBeDefined();
    expect(lastRequest().auditAnnotations?.[VALIDATION_FAILURE]).toBeUndefined();
  });

  test('a write names its target in the audit event (cnpg-snapshot-scheduler/target)', async () => {
    await harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'ours' });
    expect(lastRequest().auditAnnotations).toEqual({ 'cnpg-snapshot-scheduler/target': 'hendrix' });
  });
});

describe('the policy never matches another identity', () => {
  test.each(FORBIDDEN.map((attempt) => [attempt.name, attempt] as const))('another team may %s (RBAC decides)', async (_name, attempt) => {
    await expect(attempt.run(harness.as(OUTSIDER))).resolves.toBeDefined();
    expect(lastRequest().auditAnnotations).toBeUndefined();
  });

  test('nor the cluster admin', async () => {
    await harness.admin.custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name: 'hendrix' });
    expect(lastRequest()).toMatchObject({ status: 200 });
    expect(lastRequest().auditAnnotations).toBeUndefined();
  });
});

describe('through the deployed workflows', () => {
  test('a restore of a source whose pods read a Secret fails with the policy message, and creates nothing', async () => {
    const local = await LocalScheduler.start({ seedClusters: false });
    try {
      const source = exampleCluster({ namespace: NAMESPACE, name: 'hendrix' });
      local.server.seed({ ...source, spec: { ...source.spec, envFrom: [{ secretRef: { name: 'app-env' } }] } });
      expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      const result = await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-copy' });
      const execution = local.execution(result.executionName!)!;
      expect(execution.status).toBe('FAILED');
      expect(execution.cause).toContain('denied request: a Cluster cnpg-snapshot-scheduler creates reads no Secret');
      expect(local.server.objects<{ metadata: { name: string } }>('clusters', NAMESPACE).map((c) => c.metadata.name)).toEqual(['hendrix']);
    } finally {
      await local.close();
    }
  });
});
