import { locateRecoveryPoint } from '../../lambdas/domain/recovery-point-location';
import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';

const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const NOW = new Date('2026-11-30T00:00:00Z');
const KEY = 'arn:aws:kms:eu-central-1:123456789012:key/dr-key';

const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: 'hendrix-20261124000000',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  stoppedAt: '2026-11-24T00:03:05Z',
  clusterManifest: '{}',
  volumes: [
    {
      role: 'PG_DATA',
      snapshot: 'hendrix-20261124000000',
      content: 'snapcontent-1',
      snapshotHandle: 'snap-0aa',
      restoreSizeBytes: 1024,
      driver: 'ebs.csi.aws.com',
    },
    {
      role: 'PG_TABLESPACE',
      tablespace: 'idx',
      snapshot: 'hendrix-20261124000000-tbs-idx',
      content: 'snapcontent-2',
      snapshotHandle: 'snap-0bb',
      restoreSizeBytes: 512,
      driver: 'ebs.csi.aws.com',
    },
  ],
};

const copy = (overrides: Partial<RecoveryPointCopy> = {}): RecoveryPointCopy => ({
  region: DR,
  kmsKeyId: KEY,
  startedAt: '2026-11-24T00:04:00Z',
  completedAt: '2026-11-24T00:20:00Z',
  expiresAt: '2026-12-24T00:00:00Z',
  volumes: [
    { role: 'PG_DATA', sourceSnapshotHandle: 'snap-0aa', snapshotHandle: 'snap-dr-aa' },
    { role: 'PG_TABLESPACE', tablespace: 'idx', sourceSnapshotHandle: 'snap-0bb', snapshotHandle: 'snap-dr-bb' },
  ],
  ...overrides,
});

const inPrimary = { region: PRIMARY, sourceRegion: PRIMARY, now: NOW };
const inDr = { region: DR, sourceRegion: PRIMARY, now: NOW };

describe('where a recovery point is, for a restore in a Region', () => {
  test("in the source Region it is the backup's own snapshots, copies or not", () => {
    expect(locateRecoveryPoint({ ...RECORD, copies: [copy()] }, inPrimary)).toEqual({
      located: { region: PRIMARY, from: 'source', record: { ...RECORD, copies: [copy()] } },
    });
  });

  test('in the source Region an expired backup is no recovery point, though its copy lives', () => {
    const expired = { ...RECORD, expiredAt: '2026-11-29T00:00:00Z', copies: [copy()] };
    expect(locateRecoveryPoint(expired, inPrimary)).toEqual({
      unavailable: 'backup hendrix-20261124000000 expired at 2026-11-29T00:00:00Z: retention released its snapshots',
    });
  });

  test("in the DR Region it is the completed copy: every volume names the copy's snapshot under the copy's key", () => {
    const result = locateRecoveryPoint({ ...RECORD, copies: [copy()] }, inDr);
    if (!('located' in result)) throw new Error(result.unavailable);
    expect(result.located).toMatchObject({ region: DR, from: 'copy' });
    expect(result.located.record.volumes.map((v) => [v.snapshot, v.snapshotHandle, v.encrypted, v.kmsKeyId])).toEqual([
      ['hendrix-20261124000000', 'snap-dr-aa', true, KEY],
      ['hendrix-20261124000000-tbs-idx', 'snap-dr-bb', true, KEY],
    ]);
  });

  test('in the DR Region a backup whose source retention expired is a recovery point while its copy lives', () => {
    const result = locateRecoveryPoint({ ...RECORD, expiredAt: '2026-11-29T00:00:00Z', copies: [copy()] }, inDr);
    if (!('located' in result)) throw new Error(result.unavailable);
    expect(result.located.record.expiredAt).toBeUndefined();
    expect(result.located.record.volumes[0]!.snapshotHandle).toBe('snap-dr-aa');
  });

  test('the newest completed copy in the Region is the one imported', () => {
    const older = copy({
      completedAt: '2026-11-24T00:10:00Z',
      volumes: copy().volumes.map((v) => ({ ...v, snapshotHandle: `${v.snapshotHandle}-old` })),
    });
    const result = locateRecoveryPoint({ ...RECORD, copies: [copy(), older] }, inDr);
    if (!('located' in result)) throw new Error(result.unavailable);
    expect(result.located.record.volumes.map((v) => v.snapshotHandle)).toEqual(['snap-dr-aa', 'snap-dr-bb']);
  });

  test('without a completed copy in the Region it is refused, naming what the record has', () => {
    const copying = copy({ completedAt: undefined });
    const elsewhere = copy({ region: 'us-east-1' });
    expect(locateRecoveryPoint({ ...RECORD, copies: [copying, elsewhere] }, inDr)).toEqual({
      unavailable:
        'backup hendrix-20261124000000 has no completed copy in eu-central-1 (source in eu-west-1; copy in eu-central-1 copying since 2026-11-24T00:04:00Z; copy in us-east-1 completed at 2026-11-24T00:20:00Z)',
    });
    expect(locateRecoveryPoint({ ...RECORD, expiredAt: '2026-11-29T00:00:00Z' }, inDr)).toEqual({
      unavailable:
        'backup hendrix-20261124000000 has no completed copy in eu-central-1 (source in eu-west-1 expired at 2026-11-29T00:00:00Z; no copies)',
    });
  });

  test('a copy its own retention expired is no recovery point', () => {
    expect(locateRecoveryPoint({ ...RECORD, copies: [copy({ expiresAt: '2026-11-29T00:00:00Z' })] }, inDr)).toEqual({
      unavailable:
        'backup hendrix-20261124000000 has no completed copy in eu-central-1 (source in eu-west-1; copy in eu-central-1 expired at 2026-11-29T00:00:00Z)',
    });
  });

  test('a copy that lacks one of the volumes is refused, naming the volume', () => {
    const partial = copy({ volumes: copy().volumes.slice(0, 1) });
    expect(locateRecoveryPoint({ ...RECORD, copies: [partial] }, inDr)).toEqual({
      unavailable:
        'backup hendrix-20261124000000: its copy in eu-central-1 has no copy of volume hendrix-20261124000000-tbs-idx (snap-0bb)',
    });
  });
});
