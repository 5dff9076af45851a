import type { Backup, VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import type { ApplyRetentionResult } from '../../lambdas/handlers/apply-retention';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/** Retention through the synthesized workflows and real handlers, against the Kubernetes API test server. */

const HOUR = 3_600_000;
const START = Date.parse('2026-11-02T00:00:00Z');

async function runSchedule(local: LocalScheduler, targetName: string, hours: number): Promise<void> {
  for (let hour = 0; hour <= hours; hour += 1) {
    const slot = new Date(START + hour * HOUR);
    local.clock.advanceTo(slot);
    const { executionName } = await local.fireSchedule('backup', targetName, slot);
    const status = local.execution(executionName)?.status;
    if (status !== 'SUCCEEDED') throw new Error(`${executionName} ended ${status}: ${local.execution(executionName)?.cause}`);
    if (slot.getUTCHours() === 3) {
      const sweep = new Date(slot.getTime() + 30 * 60_000);
      local.clock.advanceTo(sweep);
      await local.fireSchedule('retention', targetName, sweep);
    }
  }
}

const backupsOf = (local: LocalScheduler, cluster: string) =>
  local.server
    .objects<Backup>('backups', 'demo')
    .filter((b) => b.spec.cluster.name === cluster)
    .map((b) => b.metadata.name)
    .sort();
const snapshotsOf = (local: LocalScheduler, cluster: string) =>
  local.server.objects<VolumeSnapshot>('volumesnapshots', 'demo').filter((s) => s.metadata.labels?.['cnpg.io/cluster'] === cluster);

describe('retention end to end', () => {
  test('a simulated week of hourly backups ends with exactly the 168 of the last 7 days and their snapshots', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
    try {
      await runSchedule(local, 'hendrix', 7 * 24 + 3);
      const kept = backupsOf(local, 'hendrix');
      expect(kept).toHaveLength(168);
      expect(kept[0]).toBe('hendrix-20261102040000');
      expect(kept.at(-1)).toBe('hendrix-20261109030000');
      const snapshots = snapshotsOf(local, 'hendrix');
      expect(snapshots).toHaveLength(336);
      expect(new Set(snapshots.map((s) => s.metadata.labels!['cnpg.io/backupName']))).toEqual(new Set(kept));
      const applied = local.events.ofType('Retention Applied');
      expect(applied.reduce((n, e) => n + Number(e.detail.deletedBackupCount), 0)).toBe(4);
      // CSI finalizers hold each snapshot for a moment: its deletion is accepted, then finished by the controller.
      expect(applied.reduce((n, e) => n + Number(e.detail.deletedSnapshotCount) + Number(e.detail.deletingSnapshotCount), 0)).toBe(8);
    } finally {
      await local.close();
    }
  });

  test('a month of 6-hourly backups with daily, weekly and monthly tiers keeps the window plus one backup per period', async () => {
    const tiered = {
      ...HENDRIX,
      schedule: 'cron(0 */6 * * ? *)',
      retention: { keepWithin: '2d', minKeep: 2, daily: 3, weekly: 2, monthly: 2 },
    };
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [tiered] });
    try {
      const days = 40;
      for (let hour = 0; hour <= days * 24; hour += 6) {
        const slot = new Date(START + hour * HOUR);
        local.clock.advanceTo(slot);
        await local.fireSchedule('backup', 'hendrix', slot);
      }
      // Last backup: Dec 12 00:00 (ended 00:03:05). Window: 2 days -> Dec 10 00:03:05 < stoppedAt.
      const window = [
        '20261210060000',
        '20261210120000',
        '20261210180000',
        '20261211000000',
        '20261211060000',
        '20261211120000',
        '20261211180000',
        '20261212000000',
      ];
      // Beyond the window, newest per period: days Dec 10 (00:00), Dec 9, Dec 8; ISO weeks: week 50 (Dec 7-13) -> Dec 10 00:00,
      // week 49 (Nov 30 - Dec 6) -> Dec 6 18:00; months: December -> Dec 10 00:00, November -> Nov 30 18:00.
      const tiers = ['20261210000000', '20261209180000', '20261208180000', '20261206180000', '20261130180000'];
      expect(backupsOf(local, 'hendrix')).toEqual([...tiers, ...window].map((t) => `hendrix-${t}`).sort());
      expect(snapshotsOf(local, 'hendrix')).toHaveLength(2 * (tiers.length + window.length));
    } finally {
      await local.close();
    }
  });

  describe('sweeps and safety', () => {
    let local: LocalScheduler;
    beforeAll(async () => {
      local = await LocalScheduler.start({
        clock: new VirtualClock(new Date(START)),
        targets: [
          { ...HENDRIX, retention: { keepWithin: '1d', minKeep: 1 } },
          { ...HENDRIX, name: 'jimi', cluster: 'jimi', retention: { keepWithin: '1d', minKeep: 1, failedKeep: '12h' } },
          { ...HENDRIX, name: 'janis', cluster: 'janis', retention: { keepWithin: '1d', minKeep: 1 } },
        ],
      });
    });
    afterAll(() => local.close());

    test('a failed backup and the snapshots it left are kept for failedKeep, then swept', async () => {
      local.server.cnpg.configure('demo', 'jimi', { csiError: 'volume busy' });
      const failed = await local.runWorkflow('backup', { target: 'jimi' });
      expect(failed.error).toBe('BackupFailed');
      local.server.cnpg.configure('demo', 'jimi', { csiError: undefined });
      expect(snapshotsOf(local, 'jimi')).toHaveLength(2);
      local.clock.advance(6 * HOUR);
      await local.runWorkflow('retention', { target: 'jimi' });
      expect(backupsOf(local, 'jimi')).toHaveLength(1);
      local.clock.advance(7 * HOUR);
      await local.runWorkflow('retention', { target: 'jimi' });
      expect(backupsOf(local, 'jimi')).toEqual([]);
      expect(snapshotsOf(local, 'jimi')).toEqual([]);
    });

    test('a Backup the scheduler did not create is untouched under scope managed', async () => {
      const byHand: Backup = {
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Backup',
        metadata: {
          name: 'janis-by-hand',
          namespace: 'demo',
          creationTimestamp: '2026-10-01T00:00:00Z',
          labels: { 'cnpg.io/cluster': 'janis' },
        },
        spec: { cluster: { name: 'janis' }, method: 'volumeSnapshot' },
        status: { phase: 'completed', stoppedAt: '2026-10-01T00:03:00Z' },
      };
      local.server.seed(byHand);
      await local.runWorkflow('backup', { target: 'janis' });
      local.clock.advance(3 * 24 * HOUR);
      await local.runWorkflow('backup', { target: 'janis' });
      await local.runWorkflow('retention', { target: 'janis' });
      expect(backupsOf(local, 'janis')).toContain('janis-by-hand');
      expect(backupsOf(local, 'janis')).toHaveLength(2);
    });

    test('a dry run returns the plan and deletes nothing', async () => {
      await local.runWorkflow('backup', { target: 'hendrix' });
      local.clock.advance(HOUR);
      await local.runWorkflow('backup', { target: 'hendrix' });
      local.clock.advance(3 * 24 * HOUR);
      const before = backupsOf(local, 'hendrix');
      const result = (await local.invoke('applyRetention', {
        input: { target: 'hendrix', dryRun: true },
      })) as ApplyRetentionResult;
      expect(result.summary).toMatchObject({ dryRun: true, deletedBackups: [], deletedSnapshots: [] });
      expect(result.plan!.backups.map((b) => [b.action, b.rule])).toEqual([
        ['keep', 'newest-completed'],
        ['delete', 'expired'],
      ]);
      expect(backupsOf(local, 'hendrix')).toEqual(before);
    });

    test('a dry run of the retention workflow returns the plan and deletes nothing', async () => {
      const before = backupsOf(local, 'hendrix');
      const deletesBefore = local.server.requests.filter((r) => r.verb === 'delete').length;
      const run = await local.runWorkflow('retention', { target: 'hendrix', dryRun: true });
      expect(run.status).toBe('SUCCEEDED');
      const { retention } = run.output as { retention: ApplyRetentionResult };
      expect(retention.summary).toMatchObject({ trigger: 'schedule', dryRun: true, deletedBackups: [] });
      expect(retention.plan!.backups.some((b) => b.action === 'delete')).toBe(true);
      expect(backupsOf(local, 'hendrix')).toEqual(before);
      expect(local.server.requests.filter((r) => r.verb === 'delete')).toHaveLength(deletesBefore);
    });

    test("a run cut short in the middle of a Backup's deletion is finished by the next run, and never leaves its snapshots behind", async () => {
      // The second snapshot delete dies: the Backup is still there, one of its snapshots is gone.
      const crash = local.server.faults.add({ verb: 'delete', resource: 'volumesnapshots', response: { reset: true } });
      const expired = backupsOf(local, 'hendrix')[0]!;
      const run = await local.runWorkflow('retention', { target: 'hendrix' });
      crash.remove();
      expect(run.status).toBe('FAILED');
      expect(local.events.ofType('Retention Failed').length).toBeGreaterThan(0);
      const orphans = () =>
        snapshotsOf(local, 'hendrix').filter((s) => !backupsOf(local, 'hendrix').includes(s.metadata.labels!['cnpg.io/backupName']!));
      expect(backupsOf(local, 'hendrix')).toContain(expired);
      expect(orphans()).toEqual([]);
      await local.runWorkflow('retention', { target: 'hendrix' });
      expect(backupsOf(local, 'hendrix')).not.toContain(expired);
      expect(orphans()).toEqual([]);
      expect(backupsOf(local, 'hendrix')).toHaveLength(1);
    });

    test('a completed backup marks its snapshots with the target, so they are known as ours after the Backup is gone', async () => {
      const before = new Set(backupsOf(local, 'hendrix'));
      await local.runWorkflow('backup', { target: 'hendrix' });
      const name = backupsOf(local, 'hendrix').find((backup) => !before.has(backup));
      const labels = snapshotsOf(local, 'hendrix')
        .filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === name)
        .map((s) => s.metadata.labels);
      expect(labels).toHaveLength(2);
      for (const label of labels)
        // Our mark is added; the managed-by label CNPG cloned from the PVC stays CNPG's.
        expect(label).toMatchObject({
          'app.kubernetes.io/managed-by': 'cloudnative-pg',
          'cnpg-snapshot-scheduler/target': 'hendrix',
        });
    });

    test("under scope managed, a snapshot whose Backup is gone is deleted only if it carries the target's marks", async () => {
      const orphan = (name: string, labels: Record<string, string>): VolumeSnapshot => ({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace: 'demo',
          creationTimestamp: '2026-10-01T00:00:00Z',
          labels: { 'cnpg.io/cluster': 'janis', 'cnpg.io/backupName': `${name}-backup`, ...labels },
        },
        spec: { source: { persistentVolumeClaimName: 'janis-1' }, volumeSnapshotClassName: 'csi-aws-vsc' },
      });
      // CNPG keeps snapshots when their Backup is deleted: one a user kept on purpose, one of a Backup of ours.
      local.server.seed(orphan('janis-kept-by-user', { 'app.kubernetes.io/managed-by': 'cloudnative-pg' }));
      local.server.seed(
        orphan('janis-ours', { 'app.kubernetes.io/managed-by': 'cloudnative-pg', 'cnpg-snapshot-scheduler/target': 'janis' }),
      );
      await local.runWorkflow('retention', { target: 'janis' });
      const names = snapshotsOf(local, 'janis').map((s) => s.metadata.name);
      expect(names).toContain('janis-kept-by-user');
      expect(names).not.toContain('janis-ours');
    });

    test('a snapshot of ours bound to a Retain content is released (Delete) just before it is deleted', async () => {
      // The content was created (or set by the backup workflow) with Retain: retention sets it to Delete just before.
      const content = {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: 'snapcontent-retained' },
        spec: {
          deletionPolicy: 'Retain',
          driver: 'ebs.csi.aws.com',
          source: { volumeHandle: 'vol-hendrix-1' },
          volumeSnapshotClassName: 'csi-aws-vsc',
          volumeSnapshotRef: { name: 'hendrix-old-orphan', namespace: 'demo' },
        },
      };
      local.server.seed(content);
      const orphan: VolumeSnapshot = {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name: 'hendrix-old-orphan',
          namespace: 'demo',
          creationTimestamp: '2026-10-01T00:00:00Z',
          labels: {
            'cnpg.io/cluster': 'hendrix',
            'cnpg.io/backupName': 'hendrix-gone',
            'app.kubernetes.io/managed-by': 'cloudnative-pg',
            'cnpg-snapshot-scheduler/target': 'hendrix',
          },
        },
        spec: { source: { persistentVolumeClaimName: 'hendrix-1' }, volumeSnapshotClassName: 'csi-aws-vsc' },
        status: { boundVolumeSnapshotContentName: 'snapcontent-retained', readyToUse: true },
      };
      local.server.seed(orphan);
      await local.runWorkflow('retention', { target: 'hendrix' });
      const event = local.events.ofType('Retention Applied').at(-1)!;
      expect([...(event.detail.deletedSnapshots as string[]), ...(event.detail.deletingSnapshots as string[])]).toEqual([
        'hendrix-old-orphan',
      ]);
      expect(event.detail.retainedContents).toEqual([]);
      expect(event.detail.warnings ?? []).toEqual([]);
      const release = local.server.requests.findIndex((r) => r.verb === 'patch' && r.name === 'snapcontent-retained');
      const deletion = local.server.requests.findIndex((r) => r.verb === 'delete' && r.name === 'hendrix-old-orphan');
      expect(release).toBeGreaterThanOrEqual(0);
      expect(release).toBeLessThan(deletion);
      // Released: deleting the snapshot now deletes its storage (snapshot-protection.test.ts follows it to the end).
      const released = local.server
        .objects<VolumeSnapshotContent>('volumesnapshotcontents')
        .find((c) => c.metadata.name === 'snapcontent-retained');
      expect(released?.spec.deletionPolicy).toBe('Delete');
    });

    test('a snapshot that finalizers hold is reported deleting, not deleted, and not requested again by the next run', async () => {
      const held: VolumeSnapshot = {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name: 'hendrix-held',
          namespace: 'demo',
          creationTimestamp: '2026-10-01T00:00:00Z',
          // Another controller (an archiver, say) holds it until it is done with it.
          finalizers: ['archive.example.com/copy-before-delete'],
          labels: {
            'cnpg.io/cluster': 'hendrix',
            'cnpg.io/backupName': 'hendrix-gone-too',
            'app.kubernetes.io/managed-by': 'cloudnative-pg',
            'cnpg-snapshot-scheduler/target': 'hendrix',
          },
        },
        spec: { source: { persistentVolumeClaimName: 'hendrix-1' }, volumeSnapshotClassName: 'csi-aws-vsc' },
      };
      local.server.seed(held);
      const deleted = () => local.metrics.sum('hendrix', 'RetentionDeleted');
      const before = { requests: local.server.requests.length, deleted: deleted() };
      await local.runWorkflow('retention', { target: 'hendrix' });
      const first = local.events.ofType('Retention Applied').at(-1)!.detail;
      expect(first).toMatchObject({ deletedSnapshots: [], deletingSnapshots: ['hendrix-held'], deletingSnapshotCount: 1 });
      await local.runWorkflow('retention', { target: 'hendrix' });
      const second = local.events.ofType('Retention Applied').at(-1)!.detail;
      expect(second).toMatchObject({ deletedSnapshots: [], deletingSnapshots: [], stillDeletingSnapshots: ['hendrix-held'], deferred: 0 });
      const deletes = local.server.requests.slice(before.requests).filter((r) => r.verb === 'delete' && r.name === 'hendrix-held');
      expect(deletes).toHaveLength(1);
      expect(deleted()).toBe(before.deleted);
      expect(snapshotsOf(local, 'hendrix').find((s) => s.metadata.name === 'hendrix-held')?.metadata.deletionTimestamp).toEqual(
        expect.any(String),
      );
    });
  });
});

describe('a large backlog', () => {
  test('is deleted in bounded runs: each deletes at most 400 objects, oldest first, and reports what it deferred', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date('2026-11-20T00:00:00Z')), targets: [HENDRIX] });
    try {
      // 200 expired backups left by an older tool, each with its two snapshots: 600 objects.
      for (let i = 0; i < 200; i += 1) {
        const name = `hendrix-old-${String(i).padStart(3, '0')}`;
        const created = new Date(Date.parse('2026-10-01T00:00:00Z') + i * HOUR).toISOString().replace('.000', '');
        const stopped = new Date(Date.parse(created) + 180_000).toISOString().replace('.000', '');
        const backup: Backup = {
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Backup',
          metadata: {
            name,
            namespace: 'demo',
            creationTimestamp: created,
            labels: {
              'cnpg.io/cluster': 'hendrix',
              'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
              'cnpg-snapshot-scheduler/target': 'hendrix',
            },
          },
          spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
          status: { phase: 'completed', stoppedAt: stopped },
        };
        local.server.seed(backup);
        for (const suffix of ['', '-wal']) {
          const snapshot: VolumeSnapshot = {
            apiVersion: 'snapshot.storage.k8s.io/v1',
            kind: 'VolumeSnapshot',
            metadata: {
              name: `${name}${suffix}`,
              namespace: 'demo',
              creationTimestamp: created,
              // Marked when their Backup completed, as the scheduler marks them.
              labels: {
                'cnpg.io/cluster': 'hendrix',
                'cnpg.io/backupName': name,
                'app.kubernetes.io/managed-by': 'cloudnative-pg',
                'cnpg-snapshot-scheduler/target': 'hendrix',
              },
            },
            spec: { source: { persistentVolumeClaimName: `hendrix-1${suffix}` }, volumeSnapshotClassName: 'csi-aws-vsc' },
          };
          local.server.seed(snapshot);
        }
      }
      await local.runWorkflow('backup', { target: 'hendrix' });
      const first = local.events.ofType('Retention Applied').at(-1)!.detail;
      expect(Number(first.deletedBackupCount) + Number(first.deletedSnapshotCount)).toBeLessThanOrEqual(400);
      expect(first.deletedBackups).toEqual(Array.from({ length: 133 }, (_, i) => `hendrix-old-${String(i).padStart(3, '0')}`));
      // minKeep 3 keeps the new backup and the two newest old ones: 198 backups and 396 snapshots are due. The run
      // spends its 400 requests on 133 whole backups and the first snapshot of the 134th, which the next run finishes first.
      expect(first.deferred).toBe(198 + 396 - 400);
      await local.runWorkflow('retention', { target: 'hendrix' });
      expect(local.events.ofType('Retention Applied').at(-1)!.detail.deferred).toBe(0);
      expect(backupsOf(local, 'hendrix').filter((name) => name.startsWith('hendrix-old-'))).toEqual(['hendrix-old-198', 'hendrix-old-199']);
      expect(backupsOf(local, 'hendrix')).toHaveLength(3);
      expect(snapshotsOf(local, 'hendrix')).toHaveLength(6);
    } finally {
      await local.close();
    }
  });
});

describe('under scope all', () => {
  test('a Backup applied from a manifest, which carries no cluster label, counts and goes with its snapshots', async () => {
    const local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [{ ...HENDRIX, retention: { keepWithin: '1d', minKeep: 2, failedKeep: '1h', scope: 'all' } }],
    });
    try {
      // As the CNPG docs apply one (backup_volumesnapshot.md): no labels. Only the kubectl plugin and ScheduledBackups
      // label a Backup with its cluster (internal/cmd/plugin/backup/cmd.go, scheduledbackup_controller.go); the
      // backup controller never does, so a label selector on the cluster does not find this one.
      local.server.seed({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Backup',
        metadata: { name: 'hendrix-by-hand', namespace: 'demo' },
        spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
      });
      local.clock.advance(HOUR);
      const byHand = () => snapshotsOf(local, 'hendrix').filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === 'hendrix-by-hand');
      expect(byHand()).toHaveLength(2);
      expect(byHand().every((s) => s.metadata.labels?.['cnpg.io/cluster'] === 'hendrix')).toBe(true);

      local.clock.advance(3 * 24 * HOUR);
      await local.runWorkflow('backup', { target: 'hendrix' });
      // minKeep 2: the Backup by hand is the second newest completed one, kept with both its snapshots.
      expect(backupsOf(local, 'hendrix')).toContain('hendrix-by-hand');
      expect(byHand()).toHaveLength(2);

      local.clock.advance(HOUR);
      await local.runWorkflow('backup', { target: 'hendrix' });
      // Two newer ones now: under scope all it expires, and goes with its snapshots.
      expect(backupsOf(local, 'hendrix')).not.toContain('hendrix-by-hand');
      expect(byHand()).toEqual([]);
      expect(backupsOf(local, 'hendrix')).toHaveLength(2);
    } finally {
      await local.close();
    }
  });
});
