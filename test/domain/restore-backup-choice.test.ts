import fc from 'fast-check';
import { PreconditionFailedError } from '../../lambdas/errors';
import { chooseRestoreBackup } from '../../lambdas/domain/restore-backup-choice';
import type { Backup } from '../../lambdas/domain/kube-objects';
import type { BackupSelector } from '../../lambdas/domain/restore-request';
import { crdSchemaViolations } from '../../simulator/crd-schemas';
import { completedBackup, snapshotsOf } from './restore-fixtures';

const history = [
  completedBackup('hendrix-20261124010000', '2026-11-24T01:03:00Z'),
  completedBackup('hendrix-20261124020000', '2026-11-24T02:03:00Z'),
  completedBackup('hendrix-20261124030000', '2026-11-24T03:03:00Z', { phase: 'failed' }),
  completedBackup('hendrix-20261124040000', '2026-11-24T04:03:00Z', { phase: 'started' }),
  completedBackup('hendrix-barman', '2026-11-24T04:30:00Z', { method: 'barmanObjectStore' }),
  completedBackup('jimi-20261124050000', '2026-11-24T05:03:00Z', { cluster: 'jimi' }),
];
const latest: BackupSelector = { kind: 'latest' };
const named = (name: string): BackupSelector => ({ kind: 'named', name });
const before = (time: string): BackupSelector => ({ kind: 'before', time: new Date(time) });
const choose = (selector: BackupSelector, pointInTime?: string) =>
  chooseRestoreBackup(selector, pointInTime === undefined ? undefined : new Date(pointInTime), history, 'hendrix').metadata.name;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PreconditionFailedError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('choosing the backup to restore', () => {
  test('the fixtures are valid upstream Backup and VolumeSnapshot objects', () => {
    for (const backup of history) expect(crdSchemaViolations('Backup', backup)).toEqual([]);
    for (const snapshot of snapshotsOf(history[0]!)) expect(crdSchemaViolations('VolumeSnapshot', snapshot)).toEqual([]);
  });

  test('latest: the newest completed volume-snapshot backup of the cluster', () => expect(choose(latest)).toBe('hendrix-20261124020000'));

  test('before: the latest that ended at or before the time, the bound included', () => {
    expect(choose(before('2026-11-24T02:03:00Z'))).toBe('hendrix-20261124020000');
    expect(choose(before('2026-11-24T02:02:59Z'))).toBe('hendrix-20261124010000');
  });

  test('point in time: the latest that ended at or before it', () =>
    expect(choose(latest, '2026-11-24T01:30:00Z')).toBe('hendrix-20261124010000'));

  test('before and a point in time together: the earlier of the two bounds', () => {
    expect(choose(before('2026-11-24T03:00:00Z'), '2026-11-24T01:30:00Z')).toBe('hendrix-20261124010000');
    expect(choose(before('2026-11-24T01:30:00Z'), '2026-11-24T03:00:00Z')).toBe('hendrix-20261124010000');
  });

  test('named: exactly that backup', () => expect(choose(named('hendrix-20261124010000'))).toBe('hendrix-20261124010000'));

  test('named with a point in time: the backup, as it ended before that time', () =>
    expect(choose(named('hendrix-20261124010000'), '2026-11-24T01:30:00Z')).toBe('hendrix-20261124010000'));

  test('two backups that ended at the same second: the same one whatever the listing order', () => {
    const twins = [completedBackup('hendrix-a', '2026-11-24T01:03:00Z'), completedBackup('hendrix-b', '2026-11-24T01:03:00Z')];
    expect(chooseRestoreBackup(latest, undefined, twins, 'hendrix').metadata.name).toBe('hendrix-b');
    expect(chooseRestoreBackup(latest, undefined, [...twins].reverse(), 'hendrix').metadata.name).toBe('hendrix-b');
  });

  test.each([
    [named('hendrix-20261124030000'), undefined, 'Backup hendrix-20261124030000 is failed, only completed backups can be restored'],
    [named('hendrix-20261124040000'), undefined, 'Backup hendrix-20261124040000 is started, only completed backups can be restored'],
    [named('jimi-20261124050000'), undefined, 'Backup jimi-20261124050000 belongs to cluster jimi, not hendrix'],
    [
      named('hendrix-barman'),
      undefined,
      'Backup hendrix-barman is a barmanObjectStore backup; only volume-snapshot backups can be restored',
    ],
    [named('hendrix-20991124010000'), undefined, 'Backup hendrix-20991124010000 does not exist'],
    [
      named('hendrix-20261124020000'),
      '2026-11-24T02:00:00Z',
      'Backup hendrix-20261124020000 ended at 2026-11-24T02:03:00Z, after pointInTime 2026-11-24T02:00:00.000Z: choose an earlier backup or a later pointInTime',
    ],
    [before('2026-11-23T00:00:00Z'), undefined, 'No completed backup of cluster hendrix ended at or before 2026-11-23T00:00:00.000Z'],
    [latest, '2026-11-24T01:00:00Z', 'No completed backup of cluster hendrix ended at or before 2026-11-24T01:00:00.000Z'],
  ])('refuses %j with point in time %s', (selector, pointInTime, message) => {
    expect(refusal(() => choose(selector, pointInTime))).toBe(message);
  });

  test('refuses a named backup CNPG has not reconciled yet as pending', () => {
    const fresh = completedBackup('hendrix-fresh', '2026-11-24T05:00:00Z');
    delete fresh.status;
    expect(refusal(() => chooseRestoreBackup(named('hendrix-fresh'), undefined, [fresh], 'hendrix'))).toBe(
      'Backup hendrix-fresh is pending, only completed backups can be restored',
    );
  });

  test('refuses a cluster whose backups never completed', () => {
    const unfinished = history.filter((b) => b.status?.phase !== 'completed');
    expect(refusal(() => chooseRestoreBackup(latest, undefined, unfinished, 'hendrix'))).toBe('No completed backup of cluster hendrix');
  });

  test('refuses a cluster without backups', () => {
    expect(refusal(() => chooseRestoreBackup(latest, undefined, [], 'hendrix'))).toBe('No completed backup of cluster hendrix');
  });
});

describe('the backup chosen from any history', () => {
  const base = Date.parse('2026-11-01T00:00:00Z');
  const at = (minutes: number) => new Date(base + minutes * 60_000);
  const backupArbitrary = fc.record({
    endMinute: fc.integer({ min: 0, max: 2_000 }),
    phase: fc.constantFrom('completed', 'completed', 'completed', 'failed', 'pending', 'started', 'finalizing'),
    cluster: fc.constantFrom('hendrix', 'hendrix', 'hendrix', 'jimi'),
    method: fc.constantFrom('volumeSnapshot', 'volumeSnapshot', 'volumeSnapshot', 'barmanObjectStore'),
  });
  const historyArbitrary = fc.array(backupArbitrary, { maxLength: 30 }).map((specs) =>
    specs.map((spec, i): Backup =>
      completedBackup(`${spec.cluster}-${i}`, at(spec.endMinute).toISOString(), {
        cluster: spec.cluster,
        phase: spec.phase,
        method: spec.method,
      }),
    ),
  );
  const limitArbitrary = fc.option(fc.integer({ min: 0, max: 2_000 }).map(at), { nil: undefined });

  const isEligible = (backup: Backup, limits: readonly (Date | undefined)[]) =>
    backup.spec.cluster.name === 'hendrix' &&
    backup.spec.method === 'volumeSnapshot' &&
    backup.status?.phase === 'completed' &&
    limits.every((limit) => limit === undefined || Date.parse(backup.status!.stoppedAt!) <= limit.getTime());

  test('is a completed volume-snapshot backup of the cluster that ended within every bound, and the latest such', () => {
    fc.assert(
      fc.property(historyArbitrary, limitArbitrary, limitArbitrary, (backups, beforeTime, pointInTime) => {
        const selector: BackupSelector = beforeTime ? { kind: 'before', time: beforeTime } : latest;
        const eligible = backups.filter((b) => isEligible(b, [beforeTime, pointInTime]));
        if (eligible.length === 0) {
          expect(() => chooseRestoreBackup(selector, pointInTime, backups, 'hendrix')).toThrow(PreconditionFailedError);
          return;
        }
        const chosen = chooseRestoreBackup(selector, pointInTime, backups, 'hendrix');
        expect(isEligible(chosen, [beforeTime, pointInTime])).toBe(true);
        const latestEnd = Math.max(...eligible.map((b) => Date.parse(b.status!.stoppedAt!)));
        expect(Date.parse(chosen.status!.stoppedAt!)).toBe(latestEnd);
      }),
    );
  });

  test('by name is either that completed backup, ended by the point in time, or a refusal', () => {
    fc.assert(
      fc.property(historyArbitrary, fc.nat(40), limitArbitrary, (backups, index, pointInTime) => {
        const name = backups[index]?.metadata.name ?? 'hendrix-missing';
        let chosen: Backup | undefined;
        try {
          chosen = chooseRestoreBackup(named(name), pointInTime, backups, 'hendrix');
        } catch (error) {
          expect(error).toBeInstanceOf(PreconditionFailedError);
        }
        const wanted = backups.find((b) => b.metadata.name === name);
        expect(chosen !== undefined).toBe(wanted !== undefined && isEligible(wanted, [pointInTime]));
        if (chosen) expect(chosen).toBe(wanted);
      }),
    );
  });
});
