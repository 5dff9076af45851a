import { claimedLocations, claimedStorageSnapshots, recoveryPointDrift } from '../../lambdas/domain/recovery-point-reconciliation';
import { locateRecoveryPoint } from '../../lambdas/domain/recovery-point-location';
import { copyOf, copyRecord, DR_REGION } from './copy-fixtures';

const SOURCE = 'eu-west-1';
const VAULT = { id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/cnpg-snapshot-vault' };
const base = copyRecord('hendrix-20261130000000', '2026-11-30T00:03:00Z');
const times = { startedAt: '2026-11-30T00:04:00Z', completedAt: '2026-11-30T00:30:00Z', expiresAt: '2026-12-30T00:03:00Z' };
const vaulted = { ...base, copies: [{ ...copyOf(base, times), account: VAULT }] };
const vaultKey = `${DR_REGION}@${VAULT.id}`;
const copyHandles = ['snap-hendrix-20261130000000-data-copy', 'snap-hendrix-20261130000000-wal-copy'];

describe('a copy kept in another account', () => {
  test('is claimed in its Region of that account, not of the scheduler', () => {
    const claimed = claimedStorageSnapshots([vaulted], SOURCE);
    expect(claimed.get(vaultKey)).toEqual(copyHandles);
    expect(claimed.has(DR_REGION)).toBe(false);
    expect(claimedLocations([vaulted], SOURCE).get(vaultKey)).toEqual({ region: DR_REGION, account: VAULT });
  });

  test("is judged by that account's answer: present there, it is not lost; gone there, it is", () => {
    const own = new Set(['snap-hendrix-20261130000000-data', 'snap-hendrix-20261130000000-wal']);
    const present = new Map([
      [SOURCE, own],
      [vaultKey, new Set(copyHandles)],
    ]);
    expect(recoveryPointDrift({ records: [vaulted], sourceRegion: SOURCE, existing: present }).lostCopies).toEqual([]);
    const gone = new Map([
      [SOURCE, own],
      [vaultKey, new Set<string>()],
    ]);
    expect(recoveryPointDrift({ records: [vaulted], sourceRegion: SOURCE, existing: gone }).lostCopies).toEqual([
      { backup: base.backup, region: DR_REGION, snapshotHandles: copyHandles },
    ]);
  });

  test("is no recovery point for a restore in the scheduler's account, which says where the copy is", () => {
    const located = locateRecoveryPoint(vaulted, { region: DR_REGION, sourceRegion: SOURCE, now: new Date('2026-12-01T00:00:00Z') });
    expect(located).toEqual({ unavailable: expect.stringContaining(`copy in ${DR_REGION} kept in account ${VAULT.id}`) });
  });
});
