import fc from 'fast-check';
import { PreconditionFailedError } from '../../lambdas/errors';
import { chooseRestoreBackup } from '../../lambdas/domain/restore-backup-choice';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { completedBackup } from './restore-fixtures';

const history = [
  completedBackup('hendrix-1', '2026-11-24T01:03:00Z'),
  completedBackup('hendrix-2', '2026-11-24T02:03:00Z'),
  completedBackup('hendrix-3', '2026-11-24T03:03:00Z', { phase: 'failed' }),
  completedBackup('hendrix-4', '2026-11-24T04:03:00Z', { phase: 'started' }),
  completedBackup('jimi-9', '2026-11-24T05:03:00Z', { cluster: 'jimi' }),
];
const choose = (...args: Parameters<typeof chooseRestoreBackup>) => chooseRestoreBackup(...args).metadata.name;

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PreconditionFailedError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('choosing the backup to restore', () => {
  test('latest: the newest completed backup of the cluster', () =>
    expect(choose({ kind: 'latest' }, undefined, history, 'hendrix')).toBe('hendrix-2'));
  test('before: the latest that ended at or before the time', () => {
    expect(choose({ kind: 'before', time: new Date('2026-11-24T02:03:00Z') }, undefined, history, 'hendrix')).toBe('hendrix-2');
    expect(choose({ kind: 'before', time: new Date('2026-11-24T02:02:59Z') }, undefined, history, 'hendrix')).toBe('hendrix-1');
  });
  test('point in time: the latest that ended before it', () =>
    expect(choose({ kind: 'latest' }, new Date('2026-11-24T01:30:00Z'), history, 'hendrix')).toBe('hendrix-1'));
  test('named: that backup', () => expect(choose({ kind: 'named', name: 'hendrix-1' }, undefined, history, 'hendrix')).toBe('hendrix-1'));

  test.each([
    [{ kind: 'named', name: 'hendrix-3' }, undefined, 'Backup hendrix-3 is failed, only completed backups can be restored'],
    [{ kind: 'named', name: 'hendrix-4' }, undefined, 'Backup hendrix-4 is started, only completed backups can be restored'],
    [{ kind: 'named', name: 'jimi-9' }, undefined, 'Backup jimi-9 belongs to cluster jimi, not hendrix'],
    [{ kind: 'named', name: 'nope' }, undefined, 'Backup nope does not exist'],
    [
      { kind: 'named', name: 'hendrix-2' },
      new Date('2026-11-24T02:00:00Z'),
      'Backup hendrix-2 ended at 2026-11-24T02:03:00Z, after pointInTime 2026-11-24T02:00:00.000Z',
    ],
    [
      { kind: 'before', time: new Date('2026-11-23T00:00:00Z') },
      undefined,
      'No completed backup of cluster hendrix ended at or before 2026-11-23T00:00:00.000Z',
    ],
  ] as const)('refuses %j', (selector, pointInTime, message) => {
    expect(failure(() => chooseRestoreBackup(selector, pointInTime, history, 'hendrix'))).toBe(message);
  });

  test('refuses when the cluster has no completed backup at all', () => {
    expect(failure(() => chooseRestoreBackup({ kind: 'latest' }, undefined, [], 'hendrix'))).toBe('No completed backup of cluster hendrix');
  });

  test('never returns an unfinished backup or one after the limit, and always the latest eligible one', () => {
    const phases = fc.constantFrom('completed', 'completed', 'failed', 'pending', 'started', 'finalizing');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), phases), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        (specs, limitMinutes) => {
          const base = Date.parse('2026-11-01T00:00:00Z');
          const backups: Backup[] = specs.map(([minutes, phase], i) =>
            completedBackup(`hendrix-${i}`, new Date(base + minutes * 60_000).toISOString(), { phase }),
          );
          const limit = new Date(base + limitMinutes * 60_000);
          const eligible = backups.filter((b) => b.status?.phase === 'completed' && Date.parse(b.status.stoppedAt!) <= limit.getTime());
          if (eligible.length === 0) {
            expect(() => chooseRestoreBackup({ kind: 'before', time: limit }, undefined, backups, 'hendrix')).toThrow(
              PreconditionFailedError,
            );
            return;
          }
          const chosen = chooseRestoreBackup({ kind: 'before', time: limit }, undefined, backups, 'hendrix');
          expect(chosen.status?.phase).toBe('completed');
          expect(Date.parse(chosen.status!.stoppedAt!)).toBeLessThanOrEqual(limit.getTime());
          expect(Math.max(...eligible.map((b) => Date.parse(b.status!.stoppedAt!)))).toBe(Date.parse(chosen.status!.stoppedAt!));
          expect(chooseRestoreBackup({ kind: 'latest' }, limit, backups, 'hendrix')).toEqual(chosen);
        },
      ),
    );
  });
});
