import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { defaultEbsKeyArn } from '../../simulator/cnpg/storage-provider';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * The recovery-point catalog through the deployed backup and retention workflows: every completed backup is recorded
 * with what a restore elsewhere needs (its storage snapshots, sizes, encryption as EC2 describes them, driver, class,
 * the recorded Cluster), retention
 * removes the record of each backup it expires once the snapshots are gone, and the records outlive the namespace.
 */

const HOUR = 3_600_000;
const START = new Date('2026-11-02T00:00:00Z');
/** A second target: a namespace of the deployment to restore into from the catalog. */
const JIMI = { name: 'jimi', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'payments', cluster: 'jimi' };

async function backUp(local: LocalScheduler): Promise<string> {
  const execution = await local.runWorkflow('backup', { target: 'hendrix' });
  if (execution.status !== 'SUCCEEDED') throw new Error(`backup ended ${execution.status}: ${execution.cause}`);
  return local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
}

const catalogHandles = async (local: LocalScheduler) =>
  (await local.recoveryPoints.recordsOf('hendrix')).flatMap((r) => r.volumes.map((v) => v.snapshotHandle)).sort();

describe('the recovery-point catalog', () => {
  test('records a completed backup with each volume, its storage snapshot and the recorded Cluster', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: [HENDRIX] });
    try {
      const backup = await backUp(local);
      const snapshots = local.server.objects<VolumeSnapshot>('volumesnapshots', 'demo');
      const contents = local.server.objects<VolumeSnapshotContent>('volumesnapshotcontents');
      const contentOf = (snapshot: string) =>
        contents.find(
          (c) => c.metadata.name === snapshots.find((s) => s.metadata.name === snapshot)?.status?.boundVolumeSnapshotContentName,
        )!;
      const records = await local.recoveryPoints.recordsOf('hendrix');
      expect(records).toHaveLength(1);
      const [record] = records;
      expect(record).toMatchObject({
        target: 'hendrix',
        backup,
        eksCluster: HENDRIX.eksCluster,
        namespace: 'demo',
        cluster: 'hendrix',
        startedAt: expect.any(String),
        stoppedAt: expect.any(String),
        postgresMajor: 17,
      });
      expect(record!.volumes).toEqual(
        [backup, `${backup}-wal`].map((snapshot, index) => ({
          role: index === 0 ? 'PG_DATA' : 'PG_WAL',
          snapshot,
          content: contentOf(snapshot).metadata.name,
          snapshotHandle: contentOf(snapshot).status!.snapshotHandle,
          restoreSizeBytes: (index === 0 ? 50 : 10) * 2 ** 30,
          // As EC2 describes the storage snapshot: the EKS cluster's Region encrypts under its default EBS key.
          encrypted: true,
          kmsKeyId: defaultEbsKeyArn(TEST_REGION, TEST_ACCOUNT),
          driver: 'ebs.csi.aws.com',
          volumeSnapshotClass: 'csi-aws-vsc',
          cnpgLabels: expect.objectContaining({ 'cnpg.io/backupName': backup, 'cnpg.io/cluster': 'hendrix' }),
          // A hot backup: CNPG annotated the snapshots with its backup_label, which a restore elsewhere needs.
          cnpgAnnotations: expect.objectContaining({
            'cnpg.io/pvcRole': index === 0 ? 'PG_DATA' : 'PG_WAL',
            'cnpg.io/backupLabelFile': expect.any(String),
          }),
        })),
      );
      expect((JSON.parse(record!.clusterManifest) as { metadata: { name: string } }).metadata.name).toBe('hendrix');
      // A second check of the same completed backup records nothing new.
      await local.invoke('checkBackup', {
        target: 'hendrix',
        follow: {
          namespace: 'demo',
          cluster: 'hendrix',
          name: backup,
          createdAt: START.toISOString(),
          expectedDurationSeconds: 60,
          checks: 1,
        },
      });
      expect(await local.recoveryPoints.recordsOf('hendrix')).toEqual(records);
    } finally {
      await local.close();
    }
  });

  test('does not record a backup whose storage snapshots the provider does not have, and says why', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: [HENDRIX] });
    try {
      const provider = local.storage.region(TEST_REGION);
      // The storage snapshots are gone at the provider by the time the backup is checked (deleted behind its back).
      const execution = await local.runWorkflow('backup', { target: 'hendrix' }, 'storage-gone', {
        stateEntered: (name) => {
          if (name === 'CheckBackup') for (const handle of provider.handles()) provider.remove(handle);
        },
      });
      expect(execution.status).toBe('SUCCEEDED');
      expect(local.events.ofType('Backup Completed')).toHaveLength(1);
      expect(await local.recoveryPoints.recordsOf('hendrix')).toEqual([]);
      const warning = local.log.entries.find((entry) => entry.message.startsWith('the backup is not in the recovery-point catalog'));
      expect(warning?.extra).toEqual([
        {
          incomplete: expect.arrayContaining([
            expect.stringMatching(/^hendrix-\d+: storage snapshot snap-\w+ does not exist at the provider$/),
          ]),
        },
      ]);
    } finally {
      await local.close();
    }
  });

  test("a storage snapshot deleted behind the scheduler's back: the next retention stops claiming it, and a restore does not pick it", async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: [HENDRIX, JIMI] });
    try {
      const older = await backUp(local);
      local.clock.advance(HOUR);
      const newer = await backUp(local);
      const gone = (await local.recoveryPoints.recordsOf('hendrix')).find((r) => r.backup === newer)!.volumes[0]!.snapshotHandle;
      // Deleted through EC2 (the console, a script): its VolumeSnapshot and content stay in the cluster, claiming it.
      expect(await local.ec2.storageSnapshots.delete(TEST_REGION, gone)).toBe('deleted');
      local.clock.advance(HOUR);

      await local.fireSchedule('retention', 'hendrix', local.clock.now());
      const records = await local.recoveryPoints.recordsOf('hendrix');
      expect(records.map((r) => [r.backup, r.expiredAt])).toEqual([
        [older, undefined],
        [newer, local.clock.now().toISOString()],
      ]);
      expect(local.events.ofType('Recovery Point Lost').map((e) => e.detail)).toEqual([
        expect.objectContaining({ target: 'hendrix', backup: newer, region: TEST_REGION, missingSnapshots: [gone] }),
      ]);
      expect(local.notifications.map((n) => (n.message as { notification: string }).notification)).toContain('Recovery Point Lost');

      // A restore from the catalog chooses the newest recovery point that still has its storage.
      const restore = await local.requestRestore({ target: 'hendrix', toNamespace: 'payments', clusterName: 'restored' });
      expect(restore.backup).toBe(older);
      expect(local.execution(restore.executionName!)?.status).toBe('SUCCEEDED');

      // The retention workflow run by hand reconciles too; what is already no recovery point is not announced again.
      expect((await local.runWorkflow('retention', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      expect(local.events.ofType('Recovery Point Lost')).toHaveLength(1);
    } finally {
      await local.close();
    }
  });

  test('retention removes the record of each backup it expires: the catalog claims exactly the storage that is left', async () => {
    const local = await LocalScheduler.start({
      clock: new VirtualClock(START),
      targets: [{ ...HENDRIX, retention: { keepWithin: '1h', minKeep: 1 } }],
    });
    try {
      await backUp(local);
      for (let i = 0; i < 3; i += 1) {
        local.clock.advance(2 * HOUR);
        await backUp(local);
      }
      const kept = local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
      // The backup this run expired is marked at once; its record goes once its snapshots are gone (the next run).
      const records = await local.recoveryPoints.recordsOf('hendrix');
      expect(records.filter((r) => r.expiredAt === undefined).map((r) => r.backup)).toEqual([kept]);
      expect(
        records
          .filter((r) => r.expiredAt === undefined)
          .flatMap((r) => r.volumes.map((v) => v.snapshotHandle))
          .sort(),
      ).toEqual(local.server.cnpg.storageSnapshots());
      const sweep = await local.runWorkflow('retention', { target: 'hendrix' });
      expect(sweep.status).toBe('SUCCEEDED');
      expect((await local.recoveryPoints.recordsOf('hendrix')).map((r) => r.backup)).toEqual([kept]);
      expect(await catalogHandles(local)).toEqual(local.server.cnpg.storageSnapshots());
    } finally {
      await local.close();
    }
  });

  test('outlives the namespace: every record still names storage snapshots that exist', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(START), targets: [HENDRIX] });
    try {
      await backUp(local);
      local.clock.advance(HOUR);
      await backUp(local);
      local.server.remove('namespaces', '', 'demo');
      expect(local.server.objects('volumesnapshots', 'demo')).toEqual([]);
      expect(await local.recoveryPoints.recordsOf('hendrix')).toHaveLength(2);
      expect(await catalogHandles(local)).toEqual(local.server.cnpg.storageSnapshots());
    } finally {
      await local.close();
    }
  });
});
