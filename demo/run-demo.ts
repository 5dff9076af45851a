/**
 * The main job without AWS: a simulated week of hourly backups of `hendrix` (namespace `demo`) through the deployed
 * workflows, the daily retention sweeps, a restore of the latest backup, and a restore drill that verifies it on its
 * data (orders written into hendrix along the week), then the loss of the namespace and a restore from the
 * recovery-point catalog. Runs on the Kubernetes API test server and a virtual clock; see README "How it is tested".
 */
import type { Backup, VolumeSnapshot } from '../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../simulator/local-scheduler';
import { VirtualClock } from '../simulator/virtual-clock';

const HOUR_MS = 3_600_000;
const DAYS = 7;
const START = new Date('2026-11-02T00:00:00Z');

function row(label: string, value: string | number): string {
  return `  ${label.padEnd(44)} ${String(value)}`;
}

async function main(): Promise<void> {
  const wallStart = performance.now();
  const clock = new VirtualClock(START);
  const local = await LocalScheduler.start({
    clock,
    targets: [
      {
        ...HENDRIX,
        drill: {
          checks: [{ name: 'has-orders', sql: 'select count(*) > 0 from orders', expected: 't' }],
          freshnessQuery: 'select max(created_at) from orders',
        },
      },
    ],
  });
  const order = (at: Date) => local.server.cnpg.sql('demo', 'hendrix', `insert into orders (created_at) values ('${at.toISOString()}')`);
  try {
    const target = local.target('hendrix');
    console.log(`cnpg-snapshot-scheduler demo: ${target.namespace}/${target.cluster}, ${DAYS} simulated days, schedule ${target.schedule}`);
    const slots = DAYS * 24;
    await local.server.cnpg.sql('demo', 'hendrix', 'create table orders (id serial primary key, created_at timestamptz not null)');
    await order(new Date(START.getTime() - 5 * 60_000));
    for (let hour = 0; hour <= slots; hour += 1) {
      const slot = new Date(START.getTime() + hour * HOUR_MS);
      // An order on the last day, 7 minutes before its last backup: the drill finds it, and measures the RPO with it.
      if (hour === slots) await order(new Date(slot.getTime() - 7 * 60_000));
      clock.advanceTo(slot);
      const dispatched = await local.fireSchedule('backup', 'hendrix', slot);
      const execution = local.execution(dispatched.executionName);
      if (execution?.status !== 'SUCCEEDED')
        throw new Error(`backup ${dispatched.executionName} ended ${execution?.status}: ${execution?.cause}`);
      if (slot.getUTCHours() === 3) {
        const sweep = new Date(slot.getTime() + 30 * 60_000);
        clock.advanceTo(sweep);
        await local.fireSchedule('retention', 'hendrix', sweep);
      }
      if (hour % 24 === 0 && hour > 0) {
        const backups = local.server.objects<Backup>('backups', target.namespace).length;
        console.log(`  day ${hour / 24}: ${hour + 1} backups taken, ${backups} kept`);
      }
    }

    const latest = local.events.ofType('Backup Completed').at(-1)!;
    console.log(`restoring the latest backup (${String(latest.detail.backup)}) into a new cluster ...`);
    clock.advance(10 * 60_000);
    const restore = await local.requestRestore({ target: 'hendrix', backup: 'latest' });
    const restored = local.execution(restore.executionName!);
    if (restored?.status !== 'SUCCEEDED') throw new Error(`restore ended ${restored?.status}: ${restored?.cause}`);
    const completed = local.events.ofType('Restore Completed').at(-1)!;
    clock.advance(60 * 60_000);
    console.log('drilling the latest backup: restore into a throwaway cluster, verify its data, tear it down ...');
    const dispatchedDrill = await local.fireSchedule('drill', 'hendrix', clock.now());
    const drill = local.events.ofType('Drill Completed').find((e) => e.detail.execution === dispatchedDrill.executionName);
    if (!drill)
      throw new Error(`drill ${dispatchedDrill.executionName} did not complete: ${local.execution(dispatchedDrill.executionName)?.cause}`);
    const checks = drill.detail.checks as Array<{ name: string; passed: boolean; value?: string }>;

    const backupExecutions = local.executions.filter((e) => e.executionName.includes('-backup-'));
    // Each slot's tick (the fan-out that created its Backup) is part of what the slot costs.
    const backupTicks = local.executions.filter((e) => e.executionName.startsWith('backup-'));
    const retentionEvents = local.events.ofType('Retention Applied');
    const deletedBackups = retentionEvents.reduce((sum, e) => sum + Number(e.detail.deletedBackupCount), 0);
    // A snapshot's deletion is accepted (finalizers hold it until its storage snapshot is gone), then finished.
    const deletedSnapshots = retentionEvents.reduce(
      (sum, e) => sum + Number(e.detail.deletedSnapshotCount) + Number(e.detail.deletingSnapshotCount),
      0,
    );
    const transitions = (list: typeof backupExecutions) => list.reduce((sum, e) => sum + e.transitions, 0);
    const requests = local.server.requests;
    console.log('\nResult');
    console.log(row('backups taken (Backup Completed events)', local.events.ofType('Backup Completed').length));
    console.log(
      row('backups failed or timed out', local.events.ofType('Backup Failed').length + local.events.ofType('Backup Timed Out').length),
    );
    console.log(row('backups kept (in the cluster now)', local.server.objects<Backup>('backups', target.namespace).length));
    console.log(row('backups deleted by retention', deletedBackups));
    console.log(
      row(
        'snapshots kept / deleted',
        `${local.server.objects<VolumeSnapshot>('volumesnapshots', target.namespace).length} / ${deletedSnapshots}`,
      ),
    );
    console.log(row('restored cluster', `${restore.namespace}/${restore.clusterName} from ${restore.backup}`));
    console.log(row('restore RTO (creation to ready, simulated)', `${String(completed.detail.rtoSeconds)} s`));
    console.log(row('drill', `${String(drill.detail.clusterName)} from ${String(drill.detail.backup)}, torn down`));
    console.log(row('drill RTO (creation to ready, simulated)', `${String(drill.detail.rtoSeconds)} s`));
    console.log(row('drill achieved RPO (newest row at the backup)', `${String(drill.detail.achievedRpoSeconds)} s`));
    console.log(
      row(
        'drill checks',
        checks
          .map(
            (check) => `${check.name} ${check.passed ? 'passed' : 'FAILED'}${check.name === 'freshness' ? '' : ` (${check.value ?? ''})`}`,
          )
          .join(', '),
      ),
    );
    console.log(
      row('Kubernetes API calls (all / per backup run)', `${requests.length} / ${(requests.length / backupExecutions.length).toFixed(1)}`),
    );
    console.log(
      row(
        'state transitions (all / per backup run)',
        `${transitions(local.executions)} / ${((transitions(backupExecutions) + transitions(backupTicks)) / backupExecutions.length).toFixed(1)}`,
      ),
    );
    await loseTheNamespace(local, restore.clusterName);
    console.log(row('real time', `${((performance.now() - wallStart) / 1000).toFixed(1)} s`));
  } finally {
    await local.close();
  }
}

/**
 * `kubectl delete namespace demo`: the Clusters, Backups and VolumeSnapshots go; the EBS snapshots of the kept backups
 * (Retain) and their records in the recovery-point catalog stay. The namespace is recreated and the latest backup
 * restored into it from the catalog, under the source's name.
 */
async function loseTheNamespace(local: LocalScheduler, restoredName: string): Promise<void> {
  const namespace = HENDRIX.namespace;
  const countOrders = async (cluster: string) =>
    Number((await local.server.cnpg.sql(namespace, cluster, 'select count(*) as n from orders'))[0]!.rows[0]!.n);
  // What the latest backup holds: the rows of the cluster restored from it above.
  const ordersInLatest = await countOrders(restoredName);
  const clusters = local.server.objects<{ metadata: { name: string } }>('clusters', namespace).map((c) => c.metadata.name);
  const backups = local.server.objects<Backup>('backups', namespace).length;
  const snapshots = local.server.objects<VolumeSnapshot>('volumesnapshots', namespace).length;
  console.log(`\ndeleting namespace ${namespace}, then restoring hendrix into it again from the recovery-point catalog ...`);
  local.server.remove('namespaces', '', namespace);
  const records = (await local.recoveryPoints.recordsOf('hendrix')).filter((r) => r.expiredAt === undefined);
  local.server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  const back = await local.requestRestore({ target: 'hendrix', fromCatalog: true, clusterName: HENDRIX.cluster });
  const execution = local.execution(back.executionName!);
  if (execution?.status !== 'SUCCEEDED') throw new Error(`restore from the catalog ended ${execution?.status}: ${execution?.cause}`);
  const completed = local.events.ofType('Restore Completed').find((e) => e.detail.requestId === back.requestId)!;
  console.log('\nLosing the namespace');
  console.log(
    row('lost with it', `${clusters.length} Clusters (${clusters.join(', ')}), ${backups} Backups, ${snapshots} VolumeSnapshots`),
  );
  console.log(row('left outside it', `${local.server.cnpg.storageSnapshots().length} EBS snapshots, ${records.length} catalog records`));
  console.log(row('came back', `${back.namespace}/${back.clusterName} from ${back.backup}, RTO ${String(completed.detail.rtoSeconds)} s`));
  console.log(row('orders in it / in the latest backup', `${await countOrders(HENDRIX.cluster)} / ${ordersInLatest}`));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
