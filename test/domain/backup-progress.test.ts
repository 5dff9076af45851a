import fc from 'fast-check';
import {
  decideBackupProgress,
  expectedBackupDurationSeconds,
  MAX_POLL_SECONDS,
  nextPollSeconds,
  type BackupFollowState,
} from '../../lambdas/domain/backup-progress';
import type { Backup } from '../../lambdas/domain/kube-objects';

const createdAt = '2026-11-25T05:00:00Z';
const follow: BackupFollowState = {
  name: 'hendrix-20261125050000',
  namespace: 'demo',
  cluster: 'hendrix',
  createdAt,
  expectedDurationSeconds: 200,
  checks: 1,
};
const limits = { pendingTimeoutSeconds: 1800, timeoutSeconds: 10_800 };
const at = (secondsAfterCreation: number) => new Date(new Date(createdAt).getTime() + secondsAfterCreation * 1000);

function backup(status: Backup['status'], creationTimestamp = createdAt): Backup {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name: follow.name, namespace: 'demo', creationTimestamp },
    spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
    ...(status && { status }),
  };
}

const completed = backup({
  phase: 'completed',
  startedAt: '2026-11-25T05:00:05Z',
  stoppedAt: '2026-11-25T05:03:05Z',
  snapshotBackupStatus: {
    elements: [
      { name: follow.name, type: 'PG_DATA' },
      { name: `${follow.name}-wal`, type: 'PG_WAL' },
    ],
  },
});

describe('deciding what a followed backup does next', () => {
  test('completed: reports the duration from creation and the snapshots CNPG made', () => {
    expect(decideBackupProgress({ follow, backup: completed, now: at(190), ...limits })).toEqual({
      state: 'completed',
      phase: 'completed',
      durationSeconds: 185,
      startedAt: '2026-11-25T05:00:05Z',
      stoppedAt: '2026-11-25T05:03:05Z',
      snapshots: ['hendrix-20261125050000', 'hendrix-20261125050000-wal'],
    });
  });

  test('failed: carries CNPG status.error', () => {
    const failed = backup({ phase: 'failed', error: "can't execute snapshot backup: csi error" });
    expect(decideBackupProgress({ follow, backup: failed, now: at(60), ...limits })).toEqual({
      state: 'failed',
      phase: 'failed',
      reason: "can't execute snapshot backup: csi error",
    });
  });

  test('an invalid backup definition is a failure with the admission error', () => {
    const invalid = backup({ phase: 'invalid backup definition', error: 'method not allowed' });
    expect(decideBackupProgress({ follow, backup: invalid, now: at(10), ...limits })).toMatchObject({
      state: 'failed',
      reason: 'method not allowed',
    });
  });

  test('a Backup deleted while followed is a failure that says so', () => {
    expect(decideBackupProgress({ follow, backup: undefined, now: at(10), ...limits })).toEqual({
      state: 'failed',
      phase: 'deleted',
      reason: 'Backup demo/hendrix-20261125050000 was deleted while it was being followed',
    });
  });

  test('pending beyond the pending limit times out with the likely causes', () => {
    const progress = decideBackupProgress({ follow, backup: backup({ phase: 'pending' }), now: at(1800), ...limits });
    expect(progress).toEqual({
      state: 'timedOut',
      phase: 'pending',
      reason:
        'Backup demo/hendrix-20261125050000 stuck in pending for 30 minutes: another backup of the cluster may be running, or the operator is down',
    });
  });

  test('a Backup without status yet counts as pending', () => {
    expect(decideBackupProgress({ follow, backup: backup(undefined), now: at(1801), ...limits })).toMatchObject({
      state: 'timedOut',
      phase: 'pending',
    });
  });

  test('any phase beyond the overall limit times out with the last phase', () => {
    const progress = decideBackupProgress({ follow, backup: backup({ phase: 'finalizing' }), now: at(10_800), ...limits });
    expect(progress).toEqual({
      state: 'timedOut',
      phase: 'finalizing',
      reason: 'Backup demo/hendrix-20261125050000 still finalizing after 180 minutes',
    });
  });

  test('while running, waits and never past a deadline', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pending', 'started', 'finalizing'),
        fc.integer({ min: 0, max: 10_799 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 7200 }),
        (phase, elapsed, checks, expected) => {
          const progress = decideBackupProgress({
            follow: { ...follow, checks, expectedDurationSeconds: expected },
            backup: backup({ phase }),
            now: at(elapsed),
            ...limits,
          });
          if (progress.state !== 'waiting') {
            expect(progress.state).toBe('timedOut');
            expect(phase).toBe('pending');
            expect(elapsed).toBeGreaterThanOrEqual(limits.pendingTimeoutSeconds);
            return;
          }
          const deadline = phase === 'pending' ? limits.pendingTimeoutSeconds : limits.timeoutSeconds;
          expect(Number.isInteger(progress.waitSeconds)).toBe(true);
          expect(progress.waitSeconds).toBeGreaterThanOrEqual(1);
          expect(elapsed + progress.waitSeconds).toBeLessThanOrEqual(Math.max(deadline, elapsed + 1));
        },
      ),
    );
  });
});

describe('polling cadence', () => {
  test('a routine backup that takes its usual time is seen completed at the first or second check', () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 7200 }), (expected) => {
        const state = { ...follow, expectedDurationSeconds: expected, checks: 0 };
        let elapsed = nextPollSeconds(state, 0);
        let checks = 1;
        while (elapsed < expected) {
          elapsed += nextPollSeconds({ ...state, checks }, elapsed);
          checks += 1;
        }
        expect(checks).toBeLessThanOrEqual(2);
      }),
    );
  });

  test('overdue backups are polled ever less often, up to five minutes', () => {
    const overdue = (checks: number) => nextPollSeconds({ ...follow, expectedDurationSeconds: 600, checks }, 900);
    expect([1, 2, 3, 4, 5, 10].map(overdue)).toEqual([60, 120, 240, MAX_POLL_SECONDS, MAX_POLL_SECONDS, MAX_POLL_SECONDS]);
  });

  test('the usual duration is the median of the newest ten completed backups', () => {
    const history = [100, 300, 200, 9999, 250].map((duration, i) =>
      backup(
        { phase: 'completed', stoppedAt: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 3_600_000 + duration * 1000).toISOString() },
        new Date(Date.parse('2026-11-20T00:00:00Z') + i * 3_600_000).toISOString(),
      ),
    );
    expect(expectedBackupDurationSeconds(history)).toBe(250);
    expect(expectedBackupDurationSeconds([backup({ phase: 'failed' })])).toBe(180);
    expect(expectedBackupDurationSeconds([])).toBe(180);
  });
});
