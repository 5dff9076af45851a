import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { apiFailure, backupManifest, CNPG, NAMESPACE, OUTSIDER, SCHEDULER, SNAPSHOTS, startHarness, type Harness } from './api-harness';

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
  harness.server.seed(backupManifest('nightly', 'hendrix'));
});
afterEach(() => harness.close());

const backups = (principal = SCHEDULER, namespace = NAMESPACE) =>
  harness.as(principal).custom.listNamespacedCustomObject({ ...CNPG, namespace, plural: 'backups' });

/** k8s/prod-eks.yaml without the `verb` of the rule on `resource`. */
function shippedRbacWithout(resource: string, verb: string): string {
  return parseAllDocuments(readFileSync('k8s/prod-eks.yaml', 'utf8'))
    .map((document) => {
      const object = document.toJS() as { rules?: Array<{ resources: string[]; verbs: string[] }> };
      for (const rule of object.rules ?? []) if (rule.resources.includes(resource)) rule.verbs = rule.verbs.filter((v) => v !== verb);
      return JSON.stringify(object);
    })
    .join('\n---\n');
}

describe('RBAC from k8s/prod-eks.yaml', () => {
  test('the scheduler group may list and delete backups in the namespace its RoleBinding is in', async () => {
    await expect(backups()).resolves.toMatchObject({ items: [{ metadata: { name: 'nightly' } }] });
    await harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'nightly' });
    expect(harness.server.objects('backups', NAMESPACE)).toEqual([]);
  });

  test('a verb the role does not grant is refused with a Kubernetes Forbidden Status', async () => {
    const failure = await apiFailure(
      harness
        .as(SCHEDULER)
        .custom.patchNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', name: 'hendrix', body: [] }),
    );
    expect(failure.code).toBe(403);
    expect(failure.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `clusters.postgresql.cnpg.io "hendrix" is forbidden: User "${SCHEDULER.username}" cannot patch resource "clusters" in API group "postgresql.cnpg.io" in the namespace "demo"`,
      reason: 'Forbidden',
      details: { name: 'hendrix', group: 'postgresql.cnpg.io', kind: 'clusters' },
      code: 403,
    });
  });

  test('a RoleBinding grants nothing outside its namespace', async () => {
    // Listing is granted cluster-wide to discovery (the manifest's discovery ClusterRole); deleting is not.
    const failure = await apiFailure(
      harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...CNPG, namespace: 'other', plural: 'backups', name: 'nightly' }),
    );
    expect(failure.status?.message).toBe(
      `backups.postgresql.cnpg.io "nightly" is forbidden: User "${SCHEDULER.username}" cannot delete resource "backups" in API group "postgresql.cnpg.io" in the namespace "other"`,
    );
  });

  test('a ClusterRoleBinding grants its verbs at the cluster scope, and only those', async () => {
    const api = harness.as(SCHEDULER).custom;
    harness.server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: 'snapcontent-1' },
      spec: {
        deletionPolicy: 'Delete',
        driver: 'ebs.csi.aws.com',
        source: { snapshotHandle: 'snap-1' },
        volumeSnapshotRef: { name: 'x', namespace: 'demo' },
      },
    });
    await expect(
      api.patchClusterCustomObject(
        { ...SNAPSHOTS, plural: 'volumesnapshotcontents', name: 'snapcontent-1', body: { spec: { deletionPolicy: 'Retain' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    ).resolves.toMatchObject({
      spec: { deletionPolicy: 'Retain' },
    });
    const failure = await apiFailure(api.listClusterCustomObject({ ...SNAPSHOTS, plural: 'volumesnapshotcontents' }));
    expect(failure.status?.message).toBe(
      `volumesnapshotcontents.snapshot.storage.k8s.io is forbidden: User "${SCHEDULER.username}" cannot list resource "volumesnapshotcontents" in API group "snapshot.storage.k8s.io" at the cluster scope`,
    );
  });

  test('a principal whose groups are bound to nothing is refused everything', async () => {
    expect((await apiFailure(backups(OUTSIDER))).code).toBe(403);
    expect(harness.server.requests.at(-1)).toMatchObject({ verb: 'list', resource: 'backups', status: 403, username: OUTSIDER.username });
  });

  test('removing one rule from the manifest makes exactly that request forbidden', async () => {
    harness.server.replaceRbac(shippedRbacWithout('backups', 'delete'));
    await expect(backups()).resolves.toMatchObject({ kind: 'BackupList' });
    const failure = await apiFailure(
      harness.as(SCHEDULER).custom.deleteNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', name: 'nightly' }),
    );
    expect(failure.status?.message).toBe(
      `backups.postgresql.cnpg.io "nightly" is forbidden: User "${SCHEDULER.username}" cannot delete resource "backups" in API group "postgresql.cnpg.io" in the namespace "demo"`,
    );
  });
});

describe('RBAC evaluation', () => {
  const TEST_RBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: app-secret-reader, namespace: demo }
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
    resourceNames: ["hendrix-app"]
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["deletecollection"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: app-secret-reader, namespace: demo }
subjects:
  - { kind: User, name: "${SCHEDULER.username}", apiGroup: rbac.authorization.k8s.io }
roleRef: { kind: Role, name: app-secret-reader, apiGroup: rbac.authorization.k8s.io }
`;

  beforeEach(() => {
    harness.server.replaceRbac(TEST_RBAC);
    harness.server.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hendrix-app', namespace: NAMESPACE }, data: {} });
    harness.server.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hendrix-superuser', namespace: NAMESPACE }, data: {} });
  });

  test('resourceNames limit a rule to the named objects', async () => {
    const core = harness.as(SCHEDULER).core;
    await expect(core.readNamespacedSecret({ namespace: NAMESPACE, name: 'hendrix-app' })).resolves.toMatchObject({
      metadata: { name: 'hendrix-app' },
    });
    expect((await apiFailure(core.readNamespacedSecret({ namespace: NAMESPACE, name: 'hendrix-superuser' }))).code).toBe(403);
  });

  test('a rule with resourceNames never allows a list', async () => {
    expect((await apiFailure(harness.as(SCHEDULER).core.listNamespacedSecret({ namespace: NAMESPACE }))).code).toBe(403);
  });

  test('wildcards match every group and resource, for the verbs listed', async () => {
    await harness.as(SCHEDULER).custom.deleteCollectionNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups' });
    expect(harness.server.objects('backups', NAMESPACE)).toEqual([]);
    expect((await apiFailure(backups())).code).toBe(403);
  });

  test('a User subject binds only that user', async () => {
    expect((await apiFailure(harness.as(OUTSIDER).core.readNamespacedSecret({ namespace: NAMESPACE, name: 'hendrix-app' }))).code).toBe(
      403,
    );
  });
});
