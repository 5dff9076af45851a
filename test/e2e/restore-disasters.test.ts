import type { Backup, Cluster } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Restores in the disasters they exist for, through the deployed workflows against the test server, which models
 * what CloudNativePG, Kubernetes and Step Functions do (the sources are named in the simulator).
 */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;
const LONG_NAME = 'payments-ledger-primary-euw1-a'; // 30 characters: `<name>-restore-<stamp>` would have 53

async function withBackups(local: LocalScheduler, targets: string[], hours = 2): Promise<void> {
  for (let hour = 0; hour < hours; hour += 1) {
    const slot = new Date(START + hour * HOUR);
    local.clock.advanceTo(slot);
    for (const target of targets) await local.fireSchedule('backup', target, slot);
  }
  local.clock.advanceTo(new Date(START + hours * HOUR));
}

const executionOf = (local: LocalScheduler, name: string | undefined) => local.execution(name!);

describe('restores in the disasters they exist for', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [
        HENDRIX,
        { name: 'ledger', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: LONG_NAME },
        { name: 'orders', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'orders' },
        { name: 'gone', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'gone' },
        { name: 'legacy', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'legacy' },
        { name: 'owned', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'owned' },
        // A second policy over hendrix's backups that keeps only the newest one, on a schedule these tests never reach.
        {
          ...HENDRIX,
          name: 'hendrix-newest-only',
          schedule: 'cron(0 0 1 1 ? 2099)',
          retention: { keepWithin: '1m', minKeep: 1, scope: 'all', schedule: 'cron(0 0 1 1 ? 2099)' },
        },
      ],
      clusterOptions: {
        hendrix: { walArchive: 'plugin', irsaRoleArn: 'arn:aws:iam::123456789012:role/hendrix-archive' },
        orders: { applicationDatabase: { database: 'orders', owner: 'orders_app' } },
        gone: { applicationDatabase: { database: 'shop' } },
        // Created under an older operator that defaulted to PostgreSQL 17; CNPG 1.30's default image is 18.
        legacy: { imageName: null, runningImage: 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie' },
        owned: { snapshotOwnerReference: 'cluster' },
      },
    });
    // The archive's IAM role trusts the source's ServiceAccount only (IRSA trust policy).
    local.server.cnpg.configure('demo', 'hendrix', { archiveReaders: ['hendrix'] });
    await withBackups(local, ['hendrix', 'ledger', 'orders', 'gone', 'legacy', 'owned']);
  });
  afterAll(() => local.close());

  const clusters = () => local.server.objects<Cluster>('clusters', 'demo');

  test('a source of 30 characters restores under the default name, which fits the recovery Job CNPG derives from it', async () => {
    const result = await local.requestRestore({ target: 'ledger' });
    expect(result.clusterName).toBe('payments-ledger-prim-restore-20261124020000');
    expect(`${result.clusterName}-1-snapshot-recovery`.length).toBeLessThanOrEqual(63);
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
    expect(local.events.ofType('Restore Completed').map((e) => e.detail.clusterName)).toContain(result.clusterName);
  });

  test('after the source Cluster was deleted: from the spec its backup recorded, under its own name', async () => {
    local.server.remove('clusters', 'demo', 'gone');
    const result = await local.requestRestore({ target: 'gone', clusterName: 'gone' });
    expect(result).toMatchObject({ specFrom: 'backup', backup: 'gone-20261124010000', database: 'shop', applicationSecret: 'gone-app' });
    expect(result.warnings).toContain(
      'Restored with the spec Cluster gone had when backup gone-20261124010000 was taken (annotation cnpg.io/clusterManifest), as the Cluster no longer exists',
    );
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
    expect(local.server.cnpg.applicationDatabase('demo', 'gone')).toMatchObject({ database: 'shop', dataOf: 'demo/gone' });
  });

  test('a source whose application database is orders gives a Secret for orders, holding the restored data', async () => {
    const result = await local.requestRestore({ target: 'orders', clusterName: 'orders-restored' });
    expect(result).toMatchObject({ applicationSecret: 'orders-restored-app', database: 'orders', owner: 'orders_app' });
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
    expect(local.server.cnpg.applicationDatabase('demo', 'orders-restored')).toEqual({
      database: 'orders',
      owner: 'orders_app',
      secret: 'orders-restored-app',
      dataOf: 'demo/orders',
    });
    const completed = local.events.ofType('Restore Completed').find((e) => e.detail.clusterName === 'orders-restored')!;
    expect(completed.detail).toMatchObject({
      backup: 'orders-20261124010000',
      backupEndedAt: expect.any(String),
      applicationSecret: 'orders-restored-app',
      walReplay: 'none',
      warnings: [],
      rtoSeconds: expect.any(Number),
    });
  });

  test('a source that pins no image restores with the image of its backup, not the operator’s newer default', async () => {
    const result = await local.requestRestore({ target: 'legacy', clusterName: 'legacy-restored' });
    expect(result.image).toBe('ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie');
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
  });

  test('a point in time reads the source’s archive under the source’s ServiceAccount, which its IAM role trusts', async () => {
    const result = await local.requestRestore({ target: 'hendrix', pointInTime: '2026-11-24T01:30:00Z', clusterName: 'hendrix-pitr' });
    expect(result).toMatchObject({ walReplay: 'pointInTime', serviceAccountName: 'hendrix' });
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
  });

  test('a recovery Job whose first pods fail is retried by Kubernetes, and the restore completes', async () => {
    local.server.cnpg.configure('demo', 'hendrix-flaky', { recoveryPodFailures: 2 });
    const result = await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-flaky' });
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
  });

  test('snapshotOwnerReference cluster is warned about, at every backup and in the restore’s answer', async () => {
    expect(
      local.log.entries.some((e) => e.level === 'warn' && e.message.includes('Cluster demo/owned has snapshotOwnerReference "cluster"')),
    ).toBe(true);
    const result = await local.requestRestore({ target: 'owned', dryRun: true });
    expect(result.warnings.join('\n')).toContain('deleting the Cluster deletes every one of its snapshots');
  });

  test('latest, repeated: a retry follows the first restore; a week later, latest is another backup and a new restore', async () => {
    const first = await local.requestRestore({ target: 'orders' });
    local.clock.advance(60_000);
    const retry = await local.requestRestore({ target: 'orders' });
    expect(retry).toMatchObject({ started: false, clusterName: first.clusterName, requestId: first.requestId });
    local.clock.advanceTo(new Date(START + 7 * 24 * HOUR));
    await local.fireSchedule('backup', 'orders', local.clock.now());
    local.clock.advance(HOUR);
    const weekLater = await local.requestRestore({ target: 'orders' });
    expect(weekLater).toMatchObject({ started: true, backup: 'orders-20261201000000' });
    expect(weekLater.requestId).not.toBe(first.requestId);
    expect(executionOf(local, weekLater.executionName)?.status).toBe('SUCCEEDED');
  });

  test('a retention run between the choice and the Cluster’s creation keeps the chosen backup', async () => {
    const kube = await local.kube('hendrix');
    const oldest = 'hendrix-20261124000000';
    const result = await local.requestRestore(
      { target: 'hendrix', backup: oldest, clusterName: 'hendrix-oldest' },
      {
        // A policy that keeps only the newest backup, applied while the restore workflow has not started yet.
        beforeWorkflow: () => local.runWorkflow('retention', { target: 'hendrix-newest-only' }),
      },
    );
    expect((await kube.get('backups', 'demo', oldest))?.metadata.annotations).toHaveProperty(
      'cnpg-snapshot-scheduler/restore-protected-until',
    );
    expect(executionOf(local, result.executionName)?.status).toBe('SUCCEEDED');
    expect((await kube.list('backups', 'demo')).map((b: Backup) => b.metadata.name)).toContain(oldest);
    expect(clusters().find((c) => c.metadata.name === 'hendrix-oldest')?.status?.phase).toBe('Cluster in healthy state');
  });
});

describe('a day-long restore', () => {
  test('times out at the end of its day with its event, its backoff polling within the 25,000 events of a Step Functions history', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
    try {
      await withBackups(local, ['hendrix'], 1);
      local.server.cnpg.configure('demo', 'hendrix-day', { restoreFailure: 'never-ready' });
      const result = await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-day', timeoutMinutes: 24 * 60 });
      const execution = executionOf(local, result.executionName)!;
      expect(execution).toMatchObject({ status: 'FAILED', error: 'RestoreTimedOut' });
      expect(execution.cause).toContain('not ready after 1440 minutes');
      expect(execution.historyEvents).toBeLessThan(25_000);
      expect(local.events.ofType('Restore Timed Out').map((e) => e.detail.clusterName)).toEqual(['hendrix-day']);
    } finally {
      await local.close();
    }
  });
});
