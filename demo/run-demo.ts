/**
 * The main job without AWS: a simulated week of hourly backups of `hendrix` (namespace `demo`) through the deployed
 * workflows, the daily retention sweeps, then a restore of the latest backup. Runs on the Kubernetes API test server
 * and a virtual clock; see README "How it is tested".
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
  const local = await LocalScheduler.start({ clock, targets: [HENDRIX] });
  try {
    const target = local.target('hendrix');
    console.log(`cnpg-snapshot-scheduler demo: ${target.namespace}/${target.cluster}, ${DAYS} simulated days, schedule ${target.schedule}`);
    const slots = DAYS * 24;
    for (let hour = 0; hour <= slots; hour += 1) {
      const slot = new Date(START.getTime() + hour * HOUR_MS);
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

    const backupExecutions = local.executions.filter((e) => e.executionName.includes('-backup-'));
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
    console.log(
      row('Kubernetes API calls (all / per backup run)', `${requests.length} / ${(requests.length / backupExecutions.length).toFixed(1)}`),
    );
    console.log(
      row(
        'state transitions (all / per backup run)',
        `${transitions(local.executions)} / ${(transitions(backupExecutions) / backupExecutions.length).toFixed(1)}`,
      ),
    );
    console.log(row('real time', `${((performance.now() - wallStart) / 1000).toFixed(1)} s`));
  } finally {
    await local.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
