import fc from 'fast-check';
import { BackupPhase } from '../../lambdas/domain/cnpg-api';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { planRetention, type RetentionInputs } from '../../lambdas/domain/retention-plan';
import { RetentionPolicySchema } from '../../lambdas/domain/target-spec';
import { BACKUP_DURATION, CLUSTER, DAY, NOW, TARGET, backupObject, historyArbitrary, snapshotsOfBackup } from './retention-arbitraries';

/** A restore request marks the Backup it chose; retention keeps it from then on, before the restored Cluster exists. */

const MARK = 'cnpg-snapshot-scheduler/restore-protected-until';

const chosen = (backup: Backup, until: string): Backup => ({
  ...backup,
  metadata: { ...backup.metadata, annotations: { ...backup.metadata.annotations, [MARK]: until } },
});

/** A completed backup far older than any window: retention deletes it unless something protects it. */
const expired = backupObject({ name: 'hendrix-old', phase: BackupPhase.Completed, createdAt: NOW.getTime() - 30 * DAY });
const newest = backupObject({ name: 'hendrix-new', phase: BackupPhase.Completed, createdAt: NOW.getTime() - BACKUP_DURATION });

function planWith(backup: Backup) {
  const backups = [backup, newest];
  return planRetention({
    target: TARGET,
    cluster: CLUSTER,
    backups,
    snapshots: backups.flatMap((b) => snapshotsOfBackup(b)),
    clusters: [],
    claims: [],
    policy: RetentionPolicySchema.parse({ keepWithin: '1d', minKeep: 1 }),
    now: NOW,
  });
}

const verdicts = (plan: ReturnType<typeof planWith>, backup: string) =>
  [...plan.backups.filter((b) => b.name === backup), ...plan.snapshots.filter((s) => s.backupName === backup)].map(
    (d) => `${d.action} ${d.rule}`,
  );

describe('a backup a restore request chose', () => {
  test('is kept with its snapshots until the restore’s deadline, though the policy would delete it', () => {
    const plan = planWith(chosen(expired, new Date(NOW.getTime() + 3_600_000).toISOString()));
    expect(verdicts(plan, 'hendrix-old')).toEqual([
      'keep referenced-by-restore',
      'keep referenced-by-restore',
      'keep referenced-by-restore',
    ]);
  });

  test('is the policy’s again once the deadline has passed', () => {
    const plan = planWith(chosen(expired, new Date(NOW.getTime() - 1000).toISOString()));
    expect(verdicts(plan, 'hendrix-old')).toEqual(['delete expired', 'delete expired', 'delete expired']);
  });

  test('is kept when the mark cannot be read: an unreadable time never makes anything deletable', () =>
    expect(verdicts(planWith(chosen(expired, 'soon')), 'hendrix-old')[0]).toBe('keep referenced-by-restore'));

  test('without the mark is the policy’s', () => expect(verdicts(planWith(expired), 'hendrix-old')[0]).toBe('delete expired'));

  test('is never deleted, nor any of its snapshots, in any history', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.array(fc.nat(), { maxLength: 4 }), (history: RetentionInputs, picks) => {
        if (history.backups.length === 0) return;
        const names = new Set(picks.map((n) => history.backups[n % history.backups.length]!.metadata.name));
        const until = new Date(NOW.getTime() + 60_000).toISOString();
        const backups = history.backups.map((b) => (names.has(b.metadata.name) ? chosen(b, until) : b));
        const plan = planRetention({ ...history, backups });
        const deleted = [
          ...plan.backups.filter((b) => b.action === 'delete').map((b) => b.name),
          ...plan.snapshots.filter((s) => s.action === 'delete').map((s) => s.backupName),
        ];
        expect(deleted.filter((name) => names.has(name))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
