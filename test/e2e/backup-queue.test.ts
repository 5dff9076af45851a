import type { Backup } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';

/**
 * One backup in flight per cluster, deadlines sized for EBS, and the CNPG queue as upstream keeps it
 * (api/v1/backup_funcs.go CanExecuteBackup), through the deployed backup workflow against the test server.
 */

const target = (name: string, backup: Record<string, unknown> = {}) => ({ ...HENDRIX, name, cluster: name, backup });
const HOUR = 3_600_000;

describe('backups that do not false-alarm on EBS', () => {
  let local: LocalScheduler;

  beforeAll(async () => {
    local = await LocalScheduler.start({
      targets: [
        target('ebs'),
        target('busy'),
        target('ours'),
        target('stale'),
        target('refused'),
        target('fixed'),
        target('stuck'),
        target('checkpoint', { immediateCheckpoint: true }),
      ],
      clusterOptions: { checkpoint: { onlineConfiguration: { waitForArchive: false } } },
    });
  });
  afterAll(() => local.close());

  const backupsOf = (cluster: string) => local.server.objects<Backup>('backups', 'demo').filter((b) => b.spec.cluster.name === cluster);
  const eventsFor = (cluster: string) => local.events.events.filter((e) => e.detail.cluster === cluster);
  /** A Backup made by someone else, as `kubectl cnpg backup` makes one: labelled with its cluster only. */
  const manualBackup = (cluster: string, name: string): Backup => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: 'demo', labels: { 'cnpg.io/cluster': cluster } },
    spec: { cluster: { name: cluster }, method: 'volumeSnapshot' },
  });

  test('a first full snapshot that finalizes for hours completes, with no timeout on the way', async () => {
    local.server.cnpg.configure('demo', 'ebs', { finalizingSeconds: 5 * 3600 });
    const execution = await local.runWorkflow('backup', { target: 'ebs' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(eventsFor('ebs').map((e) => e.detailType)).toEqual(['Backup Completed', 'Retention Applied']);
    expect(local.metrics.sum('ebs', 'BackupFailed')).toBe(0);
  });

  test('a slot that finds an earlier backup of the cluster still in flight, even one not ours, is skipped', async () => {
    local.server.cnpg.configure('demo', 'busy', { finalizingSeconds: 5 * 3600 });
    // Made by a user, not by the scheduler's identity (which the admission policy would refuse).
    local.server.seed(manualBackup('busy', 'busy-by-hand'));
    local.clock.advance(HOUR);
    expect(backupsOf('busy').map((b) => b.status?.phase)).toEqual(['finalizing']);

    const execution = await local.runWorkflow('backup', { target: 'busy' });
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(['BackupProgress', 'StartBackup', 'BackupProgress', 'BackupSkipped']);
    expect(backupsOf('busy').map((b) => b.metadata.name)).toEqual(['busy-by-hand']);
    const skipped = eventsFor('busy').find((e) => e.detailType === 'Backup Skipped')!;
    expect(skipped.detail).toMatchObject({ blockedBy: 'busy-by-hand', phase: 'finalizing' });
    expect(local.metrics.sum('busy', 'BackupSkipped')).toBe(1);
    expect(local.metrics.sum('busy', 'BackupFailed')).toBe(0);
  });

  test('a slot skips while our own previous backup still finalizes, and the next slot after it backs up again', async () => {
    local.server.cnpg.configure('demo', 'ours', { finalizingSeconds: 90 * 60 });
    const first = new Date(Math.ceil(local.clock.nowMs() / HOUR) * HOUR);
    local.clock.advanceTo(first);
    // The first slot's own StartBackup creates the Backup; its execution follows it for 90 minutes.
    await local.invoke('startBackup', {
      input: { target: 'ours', scheduledTime: first.toISOString() },
      executionName: 'ours-backup-first',
    });
    local.clock.advance(HOUR);
    const second = await local.runWorkflow('backup', {
      target: 'ours',
      scheduledTime: new Date(first.getTime() + HOUR).toISOString(),
    });
    expect(second.statesEntered.at(-1)).toBe('BackupSkipped');
    local.clock.advance(HOUR);
    const third = await local.runWorkflow('backup', {
      target: 'ours',
      scheduledTime: new Date(first.getTime() + 2 * HOUR).toISOString(),
    });
    expect(third.statesEntered.at(-1)).toBe('BackupCompleted');
    expect(backupsOf('ours').map((b) => b.status?.phase)).toEqual(['completed', 'completed']);
  });

  test('a backup of ours that never started and outlived its deadline is removed, and the slot backs up', async () => {
    local.server.cnpg.configure('demo', 'stale', { stuckPending: true });
    await local.invoke('startBackup', { input: { target: 'stale' }, executionName: 'stale-backup-died' });
    local.clock.advance(46 * 60_000);
    local.server.cnpg.configure('demo', 'stale', { stuckPending: false });
    const [left] = backupsOf('stale');
    const execution = await local.runWorkflow('backup', { target: 'stale' });
    expect(execution.statesEntered.at(-1)).toBe('BackupCompleted');
    expect(backupsOf('stale').map((b) => b.metadata.name)).not.toContain(left!.metadata.name);
    expect(backupsOf('stale')).toHaveLength(1);
  });

  test('a backup that never starts times out at the not-started deadline and is removed from the queue', async () => {
    local.server.cnpg.configure('demo', 'stuck', { stuckPending: true });
    const startedAt = local.clock.nowMs();
    const execution = await local.runWorkflow('backup', { target: 'stuck' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BackupTimedOut' });
    expect(execution.cause).toMatch(/did not start within 45 minutes/);
    expect(local.clock.nowMs() - startedAt).toBeLessThan(50 * 60_000);
    expect(backupsOf('stuck')).toEqual([]);
    expect(eventsFor('stuck').find((e) => e.detailType === 'Backup Timed Out')!.detail).toMatchObject({ started: false });
  });

  test('an invalid backup definition is not final: once CNPG admits the Backup again, it is followed to completion', async () => {
    local.server.cnpg.configure('demo', 'fixed', { refuseVolumeSnapshotBackups: true });
    const admitAt = local.clock.nowMs() + 10 * 60_000;
    const stop = local.clock.onAdvance((now) => {
      if (now.getTime() >= admitAt) local.server.cnpg.configure('demo', 'fixed', { refuseVolumeSnapshotBackups: false });
    });
    try {
      const execution = await local.runWorkflow('backup', { target: 'fixed' });
      expect(execution.status).toBe('SUCCEEDED');
      expect(backupsOf('fixed').map((b) => b.status?.phase)).toEqual(['completed']);
    } finally {
      stop();
    }
  });

  test('an invalid backup definition that stays times out as never started, with the admission error, and is removed', async () => {
    local.server.cnpg.configure('demo', 'refused', { refuseVolumeSnapshotBackups: true });
    const execution = await local.runWorkflow('backup', { target: 'refused' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BackupTimedOut' });
    expect(execution.cause).toContain('invalid backup definition (the resource failed admission validation on: spec.method');
    expect(backupsOf('refused')).toEqual([]);
  });

  test("immediateCheckpoint on the target keeps the cluster's waitForArchive: false", async () => {
    const execution = await local.runWorkflow('backup', { target: 'checkpoint' });
    expect(execution.status).toBe('SUCCEEDED');
    const [backup] = backupsOf('checkpoint');
    expect(local.server.cnpg.configurationUsedBy('demo', backup!.metadata.name)?.onlineConfiguration).toEqual({
      immediateCheckpoint: true,
      waitForArchive: false,
    });
  });
});
