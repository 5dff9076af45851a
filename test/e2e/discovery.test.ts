import { request } from 'node:https';
import { discoveredTargetName } from '../../lambdas/domain/discovered-target-name';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import type { KubeApiTestServer } from '../../simulator/kube-api-server';
import { LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Policies and discovery, deployed once: a CNPG Cluster labelled `cnpg-snapshot-scheduler/policy=<policy>` after the
 * deploy is a target from its next slot on, through the synthesized fan-out on the local runner against the test
 * server (its RBAC and admission policy generated from the config); removing the label stops its schedule and leaves
 * its backups to retention.
 */

const HOURLY = 'cron(0 * * * ? *)';
const SWEEP = 'cron(30 3 * * ? *)';
const START = Date.parse('2026-11-02T01:00:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const ADMIN_TOKEN = 'discovery-test-admin-token';
const NAMESPACE = 'team-a';
const POLICY_LABEL = 'cnpg-snapshot-scheduler/policy';

const ORDERS = discoveredTargetName({ eksCluster: LOCAL_EKS_CLUSTER, namespace: NAMESPACE, cluster: 'orders' });
const STOCK = discoveredTargetName({ eksCluster: LOCAL_EKS_CLUSTER, namespace: NAMESPACE, cluster: 'stock' });

/** `kubectl label` (or `kubectl annotate`) as the cluster admin: a JSON merge patch of the Cluster's metadata. */
function patchCluster(server: KubeApiTestServer, name: string, metadata: Record<string, Record<string, string | null>>): Promise<void> {
  const path = `/apis/postgresql.cnpg.io/v1/namespaces/${NAMESPACE}/clusters/${name}`;
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: 'PATCH',
        ca: Buffer.from(server.caData, 'base64'),
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/merge-patch+json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PATCH ${path}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ metadata }));
  });
}

describe('a Cluster labelled after the deploy', () => {
  let local: LocalScheduler;
  const backups = () =>
    local.server
      .objects<Backup>('backups', NAMESPACE)
      .map((b) => b.metadata.name)
      .sort();
  const summaries = () => local.events.ofType('Fan-out Completed').map((e) => e.detail);
  const slot = (hours: number) => new Date(START + hours * HOUR);

  beforeAll(async () => {
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [],
      adminToken: ADMIN_TOKEN,
      config: {
        policies: { hourly: { schedule: HOURLY, rpoMinutes: 90, retention: { keepWithin: '1d', minKeep: 1 } } },
        discovery: [{ eksCluster: LOCAL_EKS_CLUSTER, namespaces: [NAMESPACE] }],
      },
    });
    for (const name of ['orders', 'stock', 'typo', 'ledger']) local.server.seed(exampleCluster({ namespace: NAMESPACE, name }));
    await patchCluster(local.server, 'typo', { labels: { [POLICY_LABEL]: 'hourlyy' } });
  });
  afterAll(() => local.close());

  test('an unlabelled Cluster is no target: its slot takes no backup', async () => {
    await local.fireExpression('backup', HOURLY, slot(0));
    expect(backups()).toEqual([]);
    expect(summaries().at(-1)).toMatchObject({ due: 0, started: 0 });
  });

  test('once labelled, it is backed up at its next slot under its derived name; a label naming no policy is a reported conflict', async () => {
    await patchCluster(local.server, 'orders', { labels: { [POLICY_LABEL]: 'hourly' } });
    await patchCluster(local.server, 'stock', { labels: { [POLICY_LABEL]: 'hourly' } });
    local.clock.advanceTo(slot(1));
    await local.fireExpression('backup', HOURLY, slot(1));
    expect(backups()).toEqual(['orders-20261102020000', 'stock-20261102020000']);
    expect(local.execution(`${ORDERS}-backup-20261102020000`)).toMatchObject({ status: 'SUCCEEDED' });
    expect(local.events.ofType('Backup Completed').map((e) => e.detail.target)).toEqual([ORDERS, STOCK].sort());
    expect(summaries().at(-1)).toMatchObject({
      due: 2,
      started: 2,
      conflicts: [`${LOCAL_EKS_CLUSTER}/${NAMESPACE}/typo: its policy label names "hourlyy", which is no policy of this deployment`],
    });
  });

  test('it is in the RPO audit’s scope, by its derived name', async () => {
    const audit = await local.auditRecoveryPoints();
    expect(audit).toMatchObject({ audited: 2, breaching: 0 });
    const audited = local.log.entries.filter((entry) => entry.message === 'recovery point').map((entry) => entry.extra[0]?.['target']);
    expect(audited.sort()).toEqual([ORDERS, STOCK].sort());
  });

  test('removing the label stops its schedule; its backups stay, and retention keeps sweeping it under its policy', async () => {
    await patchCluster(local.server, 'orders', { labels: { [POLICY_LABEL]: null } });
    local.clock.advanceTo(slot(2));
    await local.fireExpression('backup', HOURLY, slot(2));
    expect(backups()).toEqual(['orders-20261102020000', 'stock-20261102020000', 'stock-20261102030000']);
    expect((await local.auditRecoveryPoints()).audited).toBe(1);

    local.clock.advanceTo(new Date('2026-11-02T03:30:00Z'));
    await local.fireExpression('retention', SWEEP, local.clock.now());
    const swept = local.events.ofType('Retention Applied').filter((e) => e.detail.trigger === 'schedule');
    expect(swept.map((e) => e.detail.target).sort()).toEqual([ORDERS, STOCK].sort());
    expect(backups()).toContain('orders-20261102020000');
  });

  test('a discovered target that stops backing up is notified by its name once its RPO runs out', async () => {
    await patchCluster(local.server, 'stock', { annotations: { 'cnpg.io/hibernation': 'on' } });
    const lastCompleted = Date.parse(
      local.events
        .ofType('Backup Completed')
        .filter((e) => e.detail.target === STOCK)
        .at(-1)!.detail.stoppedAt as string,
    );
    const rpoEnds = lastCompleted + 90 * MINUTE;
    for (let hour = 3; START + hour * HOUR < rpoEnds + HOUR; hour += 1) {
      local.clock.advanceTo(slot(hour));
      await local.fireExpression('backup', HOURLY, slot(hour));
      await local.runAuditSchedule(new Date(START + (hour + 1) * HOUR - MINUTE));
    }
    expect(local.events.ofType('Backup Failed').map((e) => e.detail.target)).toContain(STOCK);
    const breached = local.notifications.filter((n) => (n.message as { notification?: string }).notification === 'RPO Breached');
    expect(breached.map((n) => n.message)).toEqual([
      expect.objectContaining({ notification: 'RPO Breached', target: STOCK, namespace: NAMESPACE, cluster: 'stock' }),
    ]);
    const notifiedAfter = Date.parse(breached[0]!.at) - rpoEnds;
    expect(notifiedAfter).toBeGreaterThan(0);
    expect(notifiedAfter).toBeLessThanOrEqual(15 * MINUTE);
  });
});
