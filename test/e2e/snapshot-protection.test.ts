import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * The storage snapshots of a backup retention keeps survive the loss of their VolumeSnapshot objects, and those of
 * a backup retention expires are deleted with it: through the deployed backup and retention workflows against the
 * test server, whose CSI controller deletes a storage snapshot only when its content's deletionPolicy is Delete at
 * the time the snapshot is deleted (external-snapshotter pkg/common-controller/snapshot_controller.go,
 * checkandRemoveSnapshotFinalizersAndCheckandDeleteContent).
 */

const HOUR = 3_600_000;
const START = new Date('2026-11-02T00:00:00Z');

const snapshotsOfBackup = (local: LocalScheduler, backup: string) =>
  local.server.objects<VolumeSnapshot>('volumesnapshots', 'demo').filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === backup);
const contentOf = (local: LocalScheduler, snapshot: VolumeSnapshot) =>
  local.server
    .objects<VolumeSnapshotContent>('volumesnapshotcontents')
    .find((c) => c.metadata.name === snapshot.status?.boundVolumeSnapshotContentName);
const handlesOf = (local: LocalScheduler, backup: string) =>
  snapshotsOfBackup(local, backup).map((s) => contentOf(local, s)!.status!.snapshotHandle!);

async function backUp(local: LocalScheduler): Promise<string> {
  const execution = await local.runWorkflow('backup', { target: 'hendrix' });
  if (execution.status !== 'SUCCEEDED') throw new Error(`backup ended ${execution.status}: ${execution.cause}`);
  return local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
}

describe('snapshot storage that outlives its objects, and goes with its backup', () => {
  test('a completed backup keeps its storage snapshots when its VolumeSnapshots are deleted by someone else', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: [HENDRIX] });
    try {
      const backup = await backUp(local);
      const snapshots = snapshotsOfBackup(local, backup);
      expect(snapshots.map((s) => contentOf(local, s)?.spec.deletionPolicy)).toEqual(['Retain', 'Retain']);
      const handles = handlesOf(local, backup);
      // As `kubectl delete volumesnapshot` (or deleting the namespace) would.
      for (const snapshot of snapshots) local.server.remove('volumesnapshots', 'demo', snapshot.metadata.name);
      expect(snapshotsOfBackup(local, backup)).toEqual([]);
      expect(local.server.cnpg.storageSnapshots()).toEqual(expect.arrayContaining(handles));
    } finally {
      await local.close();
    }
  });

  test('retention that expires a backup deletes its storage snapshots; the kept backup keeps exactly its own', async () => {
    const local = await LocalScheduler.start({
      clock: new VirtualClock(START),
      targets: [{ ...HENDRIX, retention: { keepWithin: '1h', minKeep: 1 } }],
    });
    try {
      const first = await backUp(local);
      local.clock.advance(2 * HOUR);
      const second = await backUp(local);
      expect(local.events.ofType('Retention Applied').at(-1)!.detail).toMatchObject({ deletedBackupCount: 1 });
      expect(snapshotsOfBackup(local, first)).toEqual([]);
      const kept = handlesOf(local, second);
      expect(local.server.cnpg.storageSnapshots()).toEqual([...kept].sort());
      expect(snapshotsOfBackup(local, second).map((s) => contentOf(local, s)?.spec.deletionPolicy)).toEqual(['Retain', 'Retain']);
      expect(local.server.objects<VolumeSnapshotContent>('volumesnapshotcontents')).toHaveLength(kept.length);
    } finally {
      await local.close();
    }
  });
});
