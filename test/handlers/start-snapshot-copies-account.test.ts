import type { RecoveryPointCatalog } from '../../lambdas/adapters/recovery-point-catalog';
import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { TargetCatalog } from '../../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { createStartSnapshotCopies } from '../../lambdas/handlers/start-snapshot-copies';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { MemoryLog } from '../../simulator/memory-log';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';
import { RecordingMetrics } from '../../simulator/recording-metrics';

/**
 * StartSnapshotCopies with copies kept in another account: the catalog in memory, the production EC2 and STS adapters
 * on the stand-ins. What it shares it takes back when its start comes to nothing, except the sources of a copy another
 * start recorded, which that copy still needs.
 */

const ACCOUNT = '123456789012';
const VAULT = '444455556666';
const SOURCE = 'eu-west-1';
const DR = 'us-west-2';
const NOW = '2026-12-01T10:05:00.000Z';
const SOURCE_KEY = `arn:aws:kms:${SOURCE}:${ACCOUNT}:key/aaaaaaaa-2222-4333-8444-555555555555`;
const VAULT_KEY = `arn:aws:kms:${DR}:${VAULT}:key/bbbbbbbb-2222-4333-8444-555555555555`;
const HANDLE = 'snap-00000000000000001';

function catalogOf(roleName: string): TargetCatalog {
  const account = { id: VAULT, roleArn: `arn:aws:iam::${VAULT}:role/${roleName}` };
  const target = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' };
  return new TargetCatalog({
    targets: [TargetSpecSchema.parse({ ...target, copies: { region: DR, kmsKeyArn: VAULT_KEY, every: 'backup', account } })],
    fanOut: { concurrencyPerEksCluster: 5 },
    policies: {},
    discovery: [],
  });
}

const RECORD: RecoveryPointRecord = {
  target: 'hendrix',
  backup: 'hendrix-20261201100000',
  eksCluster: 'prod-eks',
  namespace: 'demo',
  cluster: 'hendrix',
  stoppedAt: '2026-12-01T10:03:00Z',
  volumes: [
    {
      role: 'PG_DATA',
      snapshot: 'hendrix-20261201100000',
      content: 'c',
      snapshotHandle: HANDLE,
      restoreSizeBytes: 1,
      driver: 'ebs.csi.aws.com',
    },
  ],
  clusterManifest: '{}',
};

let primary: SimulatedStorageRegions;
let vault: SimulatedStorageRegions;
let server: Ec2StandInServer;
let memory: MemoryRecoveryPointCatalog;

const start = (catalog: TargetCatalog, recoveryPoints: RecoveryPointCatalog = memory) =>
  createStartSnapshotCopies({
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
  })({ input: { target: 'hendrix', backup: RECORD.backup } });

const sharedWith = () => primary.region(SOURCE).details.get(HANDLE)?.sharedWith;

beforeEach(async () => {
  primary = new SimulatedStorageRegions(ACCOUNT, { [SOURCE]: { encrypted: true, kmsKeyId: SOURCE_KEY } });
  vault = new SimulatedStorageRegions(VAULT);
  server = await startEc2StandIn({
    regions: primary,
    accounts: [vault],
    roles: [{ arn: `arn:aws:iam::${VAULT}:role/cnpg-snapshot-vault`, trustedAccounts: [ACCOUNT] }],
    now: () => Date.parse(NOW),
  });
  primary.region(SOURCE).cut(HANDLE, 2 ** 30, Date.parse(NOW), 'vol-1');
  primary.region(SOURCE).complete(HANDLE);
  memory = new MemoryRecoveryPointCatalog();
  await memory.record(RECORD);
});

afterEach(async () => {
  await server.close();
});

describe('starting copies into another account', () => {
  test('shares each source with the account, copies it there and records the copy with the account', async () => {
    const result = await start(catalogOf('cnpg-snapshot-vault'));
    expect(result.progress.state).toBe('waiting');
    expect(sharedWith()).toEqual([VAULT]);
    const [copy] = (await memory.recordsOf('hendrix'))[0]!.copies!;
    expect(copy!.account).toEqual({ id: VAULT, roleArn: `arn:aws:iam::${VAULT}:role/cnpg-snapshot-vault` });
    expect(vault.region(DR).handles()).toEqual([copy!.volumes[0]!.snapshotHandle]);
  });

  test('that fails after sharing takes its shares back, and copies nothing', async () => {
    await expect(start(catalogOf('not-trusting'))).rejects.toThrow(/AccessDenied|sts:AssumeRole/);
    expect(sharedWith()).toEqual([]);
    expect(vault.region(DR).handles()).toEqual([]);
  });

  test("whose copy another start recorded first deletes its own copy and leaves the shares to that copy's check", async () => {
    /** A catalog where another start's copy of the backup was recorded between our CopySnapshot and our write. */
    class RacedCatalog extends MemoryRecoveryPointCatalog {
      override addCopy(): Promise<'exists'> {
        return Promise.resolve('exists');
      }
    }
    const racing = new RacedCatalog();
    await racing.record(RECORD);
    const result = await start(catalogOf('cnpg-snapshot-vault'), racing);
    expect(result.progress).toEqual({ state: 'notDue', reason: `another start recorded a copy in ${DR} first` });
    expect(vault.region(DR).handles()).toEqual([]);
    expect(sharedWith()).toEqual([VAULT]);
  });
});
