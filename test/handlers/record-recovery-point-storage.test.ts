import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { createRecordRecoveryPoint } from '../../lambdas/handlers/record-recovery-point';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { defaultEbsKeyArn } from '../../simulator/cnpg/storage-provider';
import { MemoryLog } from '../../simulator/memory-log';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { MemoryRecoveryPointLedger } from '../../simulator/memory-recovery-point-ledger';

/**
 * The recorder of completed backups completes each catalog record CheckBackup made from Kubernetes' answers with what
 * EC2 describes of its storage snapshots (the catalog in memory, the production EC2 adapter on the stand-in).
 */

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const NOW = '2026-12-02T10:05:00.000Z';
const BACKUP = 'hendrix-20261202100000';
const DATA = 'snap-00000000000000001';
const WAL = 'snap-00000000000000002';

const volume = (snapshot: string, handle: string, role: 'PG_DATA' | 'PG_WAL') => ({
  role,
  snapshot,
  content: `snapcontent-${snapshot}`,
  snapshotHandle: handle,
  restoreSizeBytes: 2 ** 30,
  driver: 'ebs.csi.aws.com',
});

/** As CheckBackup records it: no encryption yet. */
const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: BACKUP,
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  stoppedAt: '2026-12-02T10:03:00Z',
  volumes: [volume(BACKUP, DATA, 'PG_DATA'), volume(`${BACKUP}-wal`, WAL, 'PG_WAL')],
  clusterManifest: '{}',
};

const COMPLETED = {
  version: '0',
  source: 'cnpg-snapshot-scheduler',
  'detail-type': 'Backup Completed',
  time: NOW,
  detail: { target: 'hendrix', backup: BACKUP, stoppedAt: '2026-12-02T10:03:00Z' },
};

let regions: SimulatedStorageRegions;
let server: Ec2StandInServer;
let recoveryPoints: MemoryRecoveryPointCatalog;
let log: MemoryLog;

const recordRecoveryPoint = (event: unknown) =>
  createRecordRecoveryPoint({
    ledger: new MemoryRecoveryPointLedger(),
    recoveryPoints,
    storageSnapshots: server.storageSnapshots,
    region: () => REGION,
    now: () => new Date(NOW),
    log,
  })(event);

const exists = (handle: string) => {
  regions.region(REGION).cut(handle, 2 ** 30, 0, 'vol-1');
  regions.region(REGION).complete(handle);
};

beforeEach(async () => {
  regions = new SimulatedStorageRegions(ACCOUNT);
  server = await startEc2StandIn({ regions, now: () => Date.parse(NOW) });
  recoveryPoints = new MemoryRecoveryPointCatalog();
  log = new MemoryLog();
  await recoveryPoints.record(RECORD);
});

afterEach(() => server.close());

describe("a completed backup's storage in the catalog", () => {
  test('each volume of the record gets the encryption and KMS key EC2 describes for its storage snapshot', async () => {
    exists(DATA);
    exists(WAL);
    await recordRecoveryPoint(COMPLETED);
    const described = await recoveryPoints.recordOf('hendrix', BACKUP);
    expect(described).toEqual({
      ...RECORD,
      volumes: RECORD.volumes.map((v) => ({ ...v, encrypted: true, kmsKeyId: defaultEbsKeyArn(REGION, ACCOUNT) })),
    });
    expect(server.ec2.requests).toEqual([{ account: ACCOUNT, region: REGION, action: 'DescribeSnapshots' }]);
  });

  test('a record whose storage snapshot EC2 does not have is removed, and the log says why', async () => {
    exists(DATA);
    await recordRecoveryPoint(COMPLETED);
    expect(await recoveryPoints.recordsOf('hendrix')).toEqual([]);
    const warning = log.entries.find((entry) => entry.message.startsWith('the backup is not in the recovery-point catalog'));
    expect(warning?.extra).toEqual([{ incomplete: [`${BACKUP}-wal: storage snapshot ${WAL} does not exist at the provider`] }]);
  });

  test('a record with a copy in a DR Region already is marked expired instead, so its copy stays restorable', async () => {
    const copy = {
      region: 'eu-central-1',
      kmsKeyId: `arn:aws:kms:eu-central-1:${ACCOUNT}:key/dr`,
      startedAt: NOW,
      expiresAt: '2026-12-30T10:05:00Z',
      volumes: [{ role: 'PG_DATA' as const, sourceSnapshotHandle: DATA, snapshotHandle: 'snap-0c000000000000001' }],
    };
    await recoveryPoints.addCopy('hendrix', BACKUP, copy);
    await recordRecoveryPoint(COMPLETED);
    expect(await recoveryPoints.recordOf('hendrix', BACKUP)).toEqual({ ...RECORD, expiredAt: NOW, copies: [copy] });
  });

  test('a record described already, an expired one or a backup without a record: EC2 is not asked', async () => {
    exists(DATA);
    exists(WAL);
    await recordRecoveryPoint(COMPLETED);
    const described = await recoveryPoints.recordOf('hendrix', BACKUP);
    // The event delivered again (EventBridge delivers at least once).
    await recordRecoveryPoint(COMPLETED);
    await recordRecoveryPoint({ ...COMPLETED, detail: { ...COMPLETED.detail, backup: 'hendrix-unrecorded' } });
    await recoveryPoints.record({ ...RECORD, backup: 'hendrix-expired', expiredAt: NOW });
    await recordRecoveryPoint({ ...COMPLETED, detail: { ...COMPLETED.detail, backup: 'hendrix-expired' } });
    expect(await recoveryPoints.recordOf('hendrix', BACKUP)).toEqual(described);
    expect(server.ec2.requests).toHaveLength(1);
  });
});
