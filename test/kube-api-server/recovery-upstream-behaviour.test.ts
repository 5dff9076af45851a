import type { Cluster, Job, PersistentVolumeClaim } from '../../lambdas/domain/kube-objects';
import { exampleCluster, type ExampleClusterOptions } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, startHarness, type Harness } from './api-harness';

/** The upstream behaviours a restore depends on, as the test server models them (sources named in the simulator). */

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

const advance = (seconds: number) => harness.clock.advance(seconds * 1000);
const snapshotRef = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });

/** A completed backup `nightly` of cluster hendrix (PGDATA and WAL). */
function completedBackup(options: Partial<ExampleClusterOptions> = {}): void {
  harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix', ...options }));
  harness.server.seed(backupManifest('nightly', 'hendrix'));
  advance(185);
}

function restoreManifest(name: string, spec: Record<string, unknown> = {}, recovery: Record<string, unknown> = {}): Cluster {
  const source = exampleCluster({ namespace: NAMESPACE, name, instances: 1 });
  return {
    apiVersion: source.apiVersion,
    kind: source.kind,
    metadata: { name, namespace: NAMESPACE },
    spec: {
      ...source.spec,
      ...spec,
      bootstrap: {
        recovery: { volumeSnapshots: { storage: snapshotRef('nightly'), walStorage: snapshotRef('nightly-wal') }, ...recovery },
      },
    },
  };
}

async function createCluster(manifest: Cluster): Promise<void> {
  await harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'clusters', body: manifest });
}

async function refusal(manifest: Cluster): Promise<string> {
  return createCluster(manifest).then(
    () => 'admitted',
    (error: unknown) => String((error as { body?: string }).body),
  );
}

const cluster = (name: string) => harness.server.objects<Cluster>('clusters', NAMESPACE).find((c) => c.metadata.name === name);
const jobOf = (name: string) => harness.server.objects<Job>('jobs', NAMESPACE).find((j) => j.metadata.labels?.['cnpg.io/cluster'] === name);
const claimsOf = (name: string) =>
  harness.server
    .objects<PersistentVolumeClaim>('persistentvolumeclaims', NAMESPACE)
    .filter((c) => c.metadata.labels?.['cnpg.io/cluster'] === name);

describe("CNPG's webhook", () => {
  test('refuses a cluster name that is not DNS-1035', async () =>
    expect(await refusal(restoreManifest('9lives'))).toContain('cluster name must be a valid DNS label'));

  test('refuses a cluster name over 50 characters', async () =>
    expect(await refusal(restoreManifest('r'.repeat(51)))).toContain('the maximum length of a cluster name is 50 characters'));

  test('refuses serviceAccountName together with serviceAccountTemplate', async () =>
    expect(
      await refusal(restoreManifest('restored', { serviceAccountName: 'db', serviceAccountTemplate: { metadata: { annotations: {} } } })),
    ).toContain('serviceAccountName and serviceAccountTemplate are mutually exclusive'));
});

describe('a restored cluster named with 44 to 50 characters', () => {
  test('is admitted, then waits in Setting up primary for ever: its recovery Job, the pod hostname, would have 64', async () => {
    completedBackup();
    const name = 'r'.repeat(44);
    await createCluster(restoreManifest(name));
    advance(24 * 3600);
    expect(cluster(name)?.status?.phase).toBe('Setting up primary');
    expect(jobOf(name)).toBeUndefined();
    expect(harness.server.cnpg.readyAt(NAMESPACE, name)).toBeUndefined();
  });

  test('while 43 characters get their Job and become healthy', async () => {
    completedBackup();
    const name = 'r'.repeat(43);
    await createCluster(restoreManifest(name));
    advance(90);
    expect(jobOf(name)?.metadata.name).toBe(`${name}-1-snapshot-recovery`);
    expect(cluster(name)?.status?.phase).toBe('Cluster in healthy state');
  });
});

describe('the recovery Job', () => {
  test('retries failed pods (backoffLimit 6) and the cluster becomes healthy when one succeeds', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { recoveryPodFailures: 3 });
    await createCluster(restoreManifest('restored'));
    advance(45);
    expect(jobOf('restored')?.status).toMatchObject({ failed: 1, active: 1 });
    advance(3600);
    expect(jobOf('restored')?.status).toMatchObject({ failed: 3, succeeded: 1 });
    expect(cluster('restored')?.status?.phase).toBe('Cluster in healthy state');
    // Three pods of 45 s, back-offs of 10, 20 and 40 s, then the 90 s of the pod that succeeds.
    expect(harness.server.cnpg.readyAt(NAMESPACE, 'restored')?.getTime()).toBe(
      Date.parse('2026-11-02T00:03:05Z') + (3 * 45 + 70 + 90) * 1000,
    );
  });

  test('fails after its seventh failed pod', async () => {
    completedBackup();
    harness.server.cnpg.configure(NAMESPACE, 'restored', { restoreFailure: 'job-failed' });
    await createCluster(restoreManifest('restored'));
    advance(600);
    expect(jobOf('restored')?.status?.conditions).toBeUndefined();
    advance(3600);
    expect(jobOf('restored')?.status).toMatchObject({
      failed: 7,
      conditions: [expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' })],
    });
    expect(cluster('restored')?.status?.phase).toBe('Setting up primary');
  });

  test('fails when the image is of another PostgreSQL major version than the data', async () => {
    completedBackup();
    await createCluster(restoreManifest('restored', { imageName: 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie' }));
    advance(3 * 3600);
    expect(jobOf('restored')?.status?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'BackoffLimitExceeded' });
  });

  test('runs the operator’s default image, PostgreSQL 18, when the cluster pins none', async () => {
    completedBackup();
    const unpinned = restoreManifest('restored');
    delete unpinned.spec.imageName;
    await createCluster(unpinned);
    advance(60);
    expect(cluster('restored')?.status).toMatchObject({ image: 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie' });
    advance(3 * 3600);
    expect(jobOf('restored')?.status?.conditions?.[0]).toMatchObject({ type: 'Failed' });
  });
});

describe('the application database', () => {
  test('defaults to app: a source whose database is orders comes back with an app Secret for a new, empty app database', async () => {
    completedBackup({ applicationDatabase: { database: 'orders' } });
    await createCluster(restoreManifest('restored'));
    advance(90);
    expect(harness.server.cnpg.applicationDatabase(NAMESPACE, 'restored')).toEqual({
      database: 'app',
      owner: 'app',
      secret: 'restored-app',
    });
  });

  test('named in the recovery bootstrap is the restored data, and the Secret is for it', async () => {
    completedBackup({ applicationDatabase: { database: 'orders' } });
    await createCluster(restoreManifest('restored', {}, { database: 'orders', owner: 'orders' }));
    advance(90);
    expect(harness.server.cnpg.applicationDatabase(NAMESPACE, 'restored')).toEqual({
      database: 'orders',
      owner: 'orders',
      secret: 'restored-app',
      dataOf: 'demo/hendrix',
    });
    const secret = harness.server
      .objects<{ metadata: { name: string }; data: Record<string, string> }>('secrets', NAMESPACE)
      .find((s) => s.metadata.name === 'restored-app')!;
    expect(Buffer.from(secret.data.dbname!, 'base64').toString()).toBe('orders');
    expect(Buffer.from(secret.data.username!, 'base64').toString()).toBe('orders');
  });
});

describe('the ServiceAccount', () => {
  test('is made for a cluster without serviceAccountName, named after it, with the template’s annotations', async () => {
    completedBackup();
    await createCluster(
      restoreManifest('restored', {
        serviceAccountTemplate: { metadata: { annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' } } },
      }),
    );
    const account = harness.server
      .objects<{ metadata: { name: string; annotations?: Record<string, string> } }>('serviceaccounts', NAMESPACE)
      .find((a) => a.metadata.name === 'restored');
    expect(account?.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' });
  });

  test('named by serviceAccountName must exist: until it does the cluster does not start', async () => {
    completedBackup();
    await createCluster(restoreManifest('restored', { serviceAccountName: 'missing' }));
    advance(3600);
    expect(cluster('restored')?.status).toBeUndefined();
  });

  test('of a recovery reading a WAL archive must be one the archive’s IAM role trusts, or every pod fails', async () => {
    completedBackup({ walArchive: 'plugin' });
    harness.server.cnpg.configure(NAMESPACE, 'hendrix', { archiveReaders: ['hendrix'] });
    const origin = {
      name: 'origin',
      plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'wal-archive', serverName: 'hendrix' } },
    };
    const pitr = { source: 'origin', recoveryTarget: { targetTime: '2026-11-02T00:02:00Z' } };
    await createCluster(restoreManifest('own-account', { externalClusters: [origin] }, pitr));
    await createCluster(restoreManifest('source-account', { externalClusters: [origin], serviceAccountName: 'hendrix' }, pitr));
    advance(3 * 3600);
    expect(jobOf('own-account')?.status?.conditions?.[0]).toMatchObject({ type: 'Failed' });
    expect(cluster('source-account')?.status?.phase).toBe('Cluster in healthy state');
  });
});

describe('a snapshot the CSI provisioner refuses as a source', () => {
  test('not ready to use leaves the claim Pending and the cluster setting up', async () => {
    completedBackup();
    harness.server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name: 'unready',
        namespace: NAMESPACE,
        labels: { 'cnpg.io/backupName': 'nightly' },
        annotations: { 'cnpg.io/pvcRole': 'PG_DATA' },
      },
      spec: { source: { persistentVolumeClaimName: 'hendrix-1' } },
      status: { readyToUse: false },
    });
    const manifest = restoreManifest('restored');
    manifest.spec.bootstrap = {
      recovery: { volumeSnapshots: { storage: snapshotRef('unready'), walStorage: snapshotRef('nightly-wal') } },
    };
    await createCluster(manifest);
    advance(3600);
    expect(claimsOf('restored').map((c) => c.status?.phase)).toEqual(['Pending', 'Bound']);
    expect(cluster('restored')?.status?.phase).toBe('Setting up primary');
  });
});
