import { TargetCatalog } from '../../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { createCheckSnapshotCopies } from '../../lambdas/handlers/check-snapshot-copies';
import type { CopyDependencies } from '../../lambdas/handlers/copy-dependencies';
import { createStartSnapshotCopies } from '../../lambdas/handlers/start-snapshot-copies';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { MemoryLog } from '../../simulator/memory-log';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';
import { RecordingMetrics } from '../../simulator/recording-metrics';
import { DR_KEY, DR_REGION, copyRecord } from '../domain/copy-fixtures';

/**
 * What CheckSnapshotCopies reads of the recovery-point catalog: the record of the backup whose copy it follows, and no
 * other. It runs every few minutes while a copy is pending (hours for a first full copy), on a target whose catalog
 * holds a record per kept backup.
 */

const ACCOUNT = '123456789012';
const SOURCE = 'eu-west-1';
const NOW = '2026-12-01T10:05:00.000Z';
/** Kept backups of the target besides the copied one: a week of hourly backups. */
const OTHER_RECORDS = 168;

const COPIED = copyRecord('hendrix-20261201100000', '2026-12-01T10:03:00Z');

let regions: SimulatedStorageRegions;
let server: Ec2StandInServer;
let recoveryPoints: MemoryRecoveryPointCatalog;
let deps: CopyDependencies;

beforeEach(async () => {
  regions = new SimulatedStorageRegions(ACCOUNT, { [SOURCE]: { encrypted: true } });
  server = await startEc2StandIn({ regions, now: () => Date.parse(NOW) });
  recoveryPoints = new MemoryRecoveryPointCatalog();
  for (let i = 0; i < OTHER_RECORDS; i += 1)
    await recoveryPoints.record(copyRecord(`hendrix-202611${String(i).padStart(6, '0')}`, '2026-11-30T10:03:00Z'));
  for (const volume of COPIED.volumes) {
    regions.region(SOURCE).cut(volume.snapshotHandle, 2 ** 30, Date.parse(NOW), 'vol-1');
    regions.region(SOURCE).complete(volume.snapshotHandle);
  }
  await recoveryPoints.record(COPIED);
  const target = TargetSpecSchema.parse({
    name: 'hendrix',
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: 'hendrix',
    copies: { region: DR_REGION, kmsKeyArn: DR_KEY, every: 'backup' },
  });
  const catalog = new TargetCatalog({ targets: [target], fanOut: { concurrencyPerEksCluster: 5 }, policies: {}, discovery: [] });
  deps = {
    catalog: () => catalog,
    recoveryPoints,
    storageSnapshots: server.storageSnapshots,
    accountSnapshots: server.accountSnapshots,
    events: new RecordingEventPublisher(),
    metrics: new RecordingMetrics(),
    now: () => new Date(NOW),
    log: new MemoryLog(),
    region: () => SOURCE,
    catalogName: () => 'Scheduler-Catalog-1A2B',
  };
});

afterEach(async () => {
  await server.close();
});

test('a copy check reads only the record of the backup it follows', async () => {
  const started = await createStartSnapshotCopies(deps)({ input: { target: 'hendrix', backup: COPIED.backup } });
  if (started.progress.state !== 'waiting' || !('follow' in started)) throw new Error(`copies not started: ${JSON.stringify(started)}`);
  const alone = new MemoryRecoveryPointCatalog();
  await alone.record((await recoveryPoints.recordOf('hendrix', COPIED.backup))!);
  const before = { ...alone.consumed };
  await alone.recordOf('hendrix', COPIED.backup);
  const oneRecordUnits = alone.consumed.readUnits - before.readUnits;

  const reads = { ...recoveryPoints.consumed };
  const checked = await createCheckSnapshotCopies(deps)({ target: 'hendrix', backup: COPIED.backup, follow: started.follow });
  expect(checked.progress.state).toBe('waiting');
  // A pending copy writes nothing: what the check consumed is its read.
  expect(recoveryPoints.consumed.writeUnits).toBe(reads.writeUnits);
  expect(recoveryPoints.consumed.requests - reads.requests).toBe(1);
  expect(recoveryPoints.consumed.readUnits - reads.readUnits).toBe(oneRecordUnits);
});
