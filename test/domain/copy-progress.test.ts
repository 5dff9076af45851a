import { copyWaitSeconds, decideCopyProgress } from '../../lambdas/domain/copy-progress';
import { copyOf, copyRecord } from './copy-fixtures';

const record = copyRecord('b', '2026-11-30T00:03:00Z');
const copy = copyOf(record, { startedAt: '2026-11-30T00:04:00Z', expiresAt: '2026-12-30T00:03:00Z' });
const [data, wal] = copy.volumes.map((v) => v.snapshotHandle) as [string, string];
const at = (iso: string) => new Date(iso);

describe('the progress of a copy', () => {
  test('waits while any volume is pending, 5 minutes at first, doubling to at most 30', () => {
    expect([0, 1, 2, 3, 4, 10].map(copyWaitSeconds)).toEqual([300, 600, 1200, 1800, 1800, 1800]);
    expect(
      decideCopyProgress({
        copy,
        described: [
          { id: data, state: 'completed' },
          { id: wal, state: 'pending', progress: '40%' },
        ],
        checks: 1,
        now: at('2026-11-30T00:09:00Z'),
      }),
    ).toEqual({ state: 'waiting', waitSeconds: 600, pending: [wal] });
  });

  test('completes when every volume has, with its duration from the start', () => {
    const described = [data, wal].map((id) => ({ id, state: 'completed' as const }));
    expect(decideCopyProgress({ copy, described, checks: 3, now: at('2026-11-30T01:04:00Z') })).toEqual({
      state: 'completed',
      durationSeconds: 3600,
    });
  });

  test("fails when any volume's copy is in error, naming EC2's reason", () => {
    const described = [
      { id: data, state: 'error' as const, stateMessage: 'KMS key is disabled' },
      { id: wal, state: 'pending' as const },
    ];
    expect(decideCopyProgress({ copy, described, checks: 0, now: at('2026-11-30T00:09:00Z') })).toEqual({
      state: 'failed',
      reason: `copy to us-west-2: ${data} (copy of snap-b-data) failed: KMS key is disabled`,
    });
  });

  test('fails when a copy vanished', () => {
    expect(decideCopyProgress({ copy, described: [{ id: data, state: 'completed' }], checks: 0, now: at('2026-11-30T00:09:00Z') })).toEqual(
      {
        state: 'failed',
        reason: `copy to us-west-2: ${wal} (copy of snap-b-wal) no longer exists`,
      },
    );
  });

  test('fails when still pending 48 hours after it started', () => {
    const described = [data, wal].map((id) => ({ id, state: 'pending' as const }));
    expect(decideCopyProgress({ copy, described, checks: 99, now: at('2026-12-02T00:04:00Z') })).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('still pending after 48 hours'),
    });
  });
});
