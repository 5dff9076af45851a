import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { TargetCatalog } from '../../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { InvalidInputError } from '../../lambdas/errors';
import { createReconcileRecoveryPoints } from '../../lambdas/handlers/reconcile-recovery-points';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { MemoryLog } from '../../simulator/memory-log';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';

/** The reconciliation with the catalog in memory and the production EC2 adapter on the stand-in, in two Regions. */

const SOURCE = 'eu-west-1';
const DR = 'eu-central-1';
const NOW = '2026-12-02T03:30:00.000Z';
const catalog = new TargetCatalog({
  targets: [TargetSpecSchema.parse({ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' })],
  fanOut: { concurrencyPerEksCluster: 5 },
  policies: {},
  discovery: [],
});

const record = (backup: string, handle: string): RecoveryPointRecord => ({
  target: 'hendrix',
  backup,
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  stoppedAt: '2026-12-01T10:03:00Z',
  volumes: [
    {
      role: 'PG_DATA',
      snapshot: backup,
      content: `snapcontent-${backup}`,
      snapshotHandle: handle,
      restoreSizeBytes: 2 ** 30,
      driver: 'ebs.csi.aws.com',
    },
  ],
  clusterManifest: '{}',
});

let regions: SimulatedStorageRegions;
let server: Ec2StandInServer;
let recoveryPoints: MemoryRecoveryPointCatalog;
let events: RecordingEventPublisher;

const reconcile = (event: unknown) =>
  createReconcileRecoveryPoints({
    catalog: () => catalog,
    recoveryPoints,
    storageSnapshots: server.storageSnapshots,
    accountSnapshots: server.accountSnapshots,
    region: () => SOURCE,
    events,
    now: () => new Date(NOW),
    log: new MemoryLog(),
  })(event);

const exists = (region: string, handle: string) => {
  regions.region(region).cut(handle, 2 ** 30, 0, 'vol-1');
  regions.region(region).complete(handle);
};

beforeEach(async () => {
  regions = new SimulatedStorageRegions('123456789012');
  server = await startEc2StandIn({ regions, now: () => Date.parse(NOW) });
  recoveryPoints = new MemoryRecoveryPointCatalog();
  events = new RecordingEventPublisher();
  await recoveryPoints.record(record('hendrix-1', 'snap-00000000000000001'));
  await recoveryPoints.record(record('hendrix-2', 'snap-00000000000000002'));
  await recoveryPoints.addCopy('hendrix', 'hendrix-1', {
    region: DR,
    kmsKeyId: `arn:aws:kms:${DR}:123456789012:key/dr`,
    startedAt: '2026-12-01T10:05:00Z',
    completedAt: '2026-12-01T10:25:00Z',
    expiresAt: '2026-12-31T10:05:00Z',
    volumes: [{ role: 'PG_DATA', sourceSnapshotHandle: 'snap-00000000000000001', snapshotHandle: 'snap-0c000000000000001' }],
  });
  exists(SOURCE, 'snap-00000000000000001');
});

afterEach(() => server.close());

describe('reconciling the recovery-point catalog with EC2', () => {
  test('expires a record whose storage is gone and drops a copy whose snapshot is gone, announcing each', async () => {
    const result = await reconcile({ input: { target: 'hendrix' } });
    expect(result).toEqual({
      dryRun: false,
      lost: [{ backup: 'hendrix-2', snapshotHandles: ['snap-00000000000000002'] }],
      lostCopies: [{ backup: 'hendrix-1', region: DR, snapshotHandles: ['snap-0c000000000000001'] }],
      checked: { [SOURCE]: 2, [DR]: 1 },
    });
    const [kept, lost] = await recoveryPoints.recordsOf('hendrix');
    expect(kept).toMatchObject({ backup: 'hendrix-1' });
    expect(kept!.expiredAt).toBeUndefined();
    expect(kept!.copies ?? []).toEqual([]);
    expect(lost).toMatchObject({ backup: 'hendrix-2', expiredAt: NOW });
    expect(events.events.map((e) => [e.detailType, e.detail.backup, e.detail.region])).toEqual([
      ['Recovery Point Lost', 'hendrix-2', SOURCE],
      ['Recovery Point Copy Lost', 'hendrix-1', DR],
    ]);
  });

  test('changes nothing and announces nothing when every claimed snapshot exists', async () => {
    exists(SOURCE, 'snap-00000000000000002');
    exists(DR, 'snap-0c000000000000001');
    const before = await recoveryPoints.recordsOf('hendrix');
    expect(await reconcile({ input: { target: 'hendrix' } })).toMatchObject({ lost: [], lostCopies: [] });
    expect(await recoveryPoints.recordsOf('hendrix')).toEqual(before);
    expect(events.events).toEqual([]);
  });

  test('a dry run reports the drift and changes nothing', async () => {
    const before = await recoveryPoints.recordsOf('hendrix');
    const result = await reconcile({ input: { target: 'hendrix', dryRun: true } });
    expect(result).toMatchObject({ dryRun: true, lost: [{ backup: 'hendrix-2' }], lostCopies: [{ backup: 'hendrix-1' }] });
    expect(await recoveryPoints.recordsOf('hendrix')).toEqual(before);
    expect(events.events).toEqual([]);
  });

  test('an input that is not the retention workflow input is refused, naming the field, before any request', async () => {
    await expect(reconcile({ input: { target: 'hendrix', dryrun: true } })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(reconcile({ input: { target: 'nobody' } })).rejects.toThrow(/input\.target/);
    expect(server.ec2.requests).toEqual([]);
  });
});
