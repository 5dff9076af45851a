import { isOwnCopy, snapshotCopyRequests, startedCopy } from '../../lambdas/domain/snapshot-copy-request';
import { copyRecord, DAILY, DR_KEY } from './copy-fixtures';

const record = copyRecord('hendrix-20261130000000', '2026-11-30T00:03:00Z');

describe('the copy of a backup', () => {
  test('asks one copy per volume into the DR Region under its key, tagged with the target, the backup, the source and the catalog', () => {
    expect(snapshotCopyRequests({ record, policy: DAILY, sourceRegion: 'eu-west-1', catalog: 'Scheduler-Catalog-1A2B' })).toEqual([
      {
        region: 'us-west-2',
        sourceRegion: 'eu-west-1',
        sourceSnapshotId: 'snap-hendrix-20261130000000-data',
        kmsKeyId: DR_KEY,
        description: 'cnpg-snapshot-scheduler hendrix hendrix-20261130000000 PG_DATA',
        tags: {
          'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
          'cnpg-snapshot-scheduler/target': 'hendrix',
          'cnpg-snapshot-scheduler/backup': 'hendrix-20261130000000',
          'cnpg-snapshot-scheduler/source-snapshot': 'snap-hendrix-20261130000000-data',
          'cnpg-snapshot-scheduler/catalog': 'Scheduler-Catalog-1A2B',
        },
      },
      expect.objectContaining({ sourceSnapshotId: 'snap-hendrix-20261130000000-wal', description: expect.stringContaining('PG_WAL') }),
    ]);
  });

  test('is recorded pending, expiring keepDays after the recovery point', () => {
    const copies = new Map([
      ['snap-hendrix-20261130000000-data', 'snap-dr-1'],
      ['snap-hendrix-20261130000000-wal', 'snap-dr-2'],
    ]);
    expect(startedCopy({ record, policy: DAILY, copies, now: new Date('2026-11-30T00:04:00Z') })).toEqual({
      region: 'us-west-2',
      kmsKeyId: DR_KEY,
      startedAt: '2026-11-30T00:04:00.000Z',
      expiresAt: '2026-12-30T00:03:00.000Z',
      volumes: [
        { role: 'PG_DATA', sourceSnapshotHandle: 'snap-hendrix-20261130000000-data', snapshotHandle: 'snap-dr-1' },
        { role: 'PG_WAL', sourceSnapshotHandle: 'snap-hendrix-20261130000000-wal', snapshotHandle: 'snap-dr-2' },
      ],
    });
  });

  test('kept in another account, is recorded with that account and its role, the request itself unchanged', () => {
    const account = { id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/cnpg-snapshot-vault' };
    const policy = { ...DAILY, account };
    const copies = new Map([
      ['snap-hendrix-20261130000000-data', 'snap-vault-1'],
      ['snap-hendrix-20261130000000-wal', 'snap-vault-2'],
    ]);
    expect(startedCopy({ record, policy, copies, now: new Date('2026-11-30T00:04:00Z') }).account).toEqual(account);
    expect(snapshotCopyRequests({ record, policy, sourceRegion: 'eu-west-1', catalog: 'Scheduler-Catalog-1A2B' })).toEqual(
      snapshotCopyRequests({ record, policy: DAILY, sourceRegion: 'eu-west-1', catalog: 'Scheduler-Catalog-1A2B' }),
    );
  });

  test('is recognised as ours only with every tag: target, backup and source', () => {
    const [request] = snapshotCopyRequests({ record, policy: DAILY, sourceRegion: 'eu-west-1', catalog: 'Scheduler-Catalog-1A2B' });
    const tags = request!.tags;
    expect(isOwnCopy(tags, 'hendrix', record.backup, 'snap-hendrix-20261130000000-data')).toBe(true);
    expect(isOwnCopy(tags, 'jimi', record.backup, 'snap-hendrix-20261130000000-data')).toBe(false);
    expect(isOwnCopy(tags, 'hendrix', 'other-backup', 'snap-hendrix-20261130000000-data')).toBe(false);
    expect(isOwnCopy(tags, 'hendrix', record.backup, 'snap-other')).toBe(false);
    expect(isOwnCopy({}, 'hendrix', record.backup, 'snap-hendrix-20261130000000-data')).toBe(false);
  });
});
