import { CreateSnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { SNAPSHOT_IDS_PER_DESCRIBE } from '../../lambdas/adapters/ec2-storage-snapshots';
import { AwsApiError, TransientError } from '../../lambdas/errors';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { defaultEbsKeyArn } from '../../simulator/cnpg/storage-provider';
import { VirtualClock } from '../../simulator/virtual-clock';

/** The production adapter against the EC2 stand-in (Query protocol over HTTP), on simulated storage in two Regions. */

const ACCOUNT = '123456789012';
const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const GIB = 2 ** 30;
const DR_KEY = `arn:aws:kms:${DR}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
const COPY_MS = 30 * 60_000;

let clock: VirtualClock;
let regions: SimulatedStorageRegions;
let server: Ec2StandInServer;

/** A snapshot the CSI driver cut of a 50 GiB volume and EC2 completed. */
function cut(handle: string, region = PRIMARY, sizeBytes = 50 * GIB): void {
  const provider = regions.region(region);
  provider.cut(handle, sizeBytes, clock.nowMs(), `vol-${handle.slice(5)}`);
  provider.complete(handle);
}

const handle = (n: number) => `snap-${n.toString(16).padStart(17, '0')}`;

beforeEach(async () => {
  clock = new VirtualClock('2026-12-01T10:00:00Z');
  regions = new SimulatedStorageRegions(ACCOUNT);
  server = await startEc2StandIn({ regions, now: () => clock.nowMs(), copyDurationMs: COPY_MS });
});

afterEach(async () => {
  await server.close();
});

describe('describing storage snapshots', () => {
  test('answers each existing snapshot of the Region as EC2 describes it, encrypted under the default EBS key', async () => {
    cut(handle(1));
    expect(await server.storageSnapshots.describe(PRIMARY, [handle(1)])).toEqual([
      {
        id: handle(1),
        region: PRIMARY,
        state: 'completed',
        progress: '100%',
        encrypted: true,
        kmsKeyId: defaultEbsKeyArn(PRIMARY, ACCOUNT),
        volumeSizeGiB: 50,
        startTime: '2026-12-01T10:00:00.000Z',
        tags: {},
      },
    ]);
  });

  test('leaves out an id that does not exist, and what exists in another Region only', async () => {
    cut(handle(1));
    cut(handle(2), DR);
    const described = await server.storageSnapshots.describe(PRIMARY, [handle(1), handle(2), handle(3)]);
    expect(described.map((s) => s.id)).toEqual([handle(1)]);
  });

  test('asks about at most 200 ids a request', async () => {
    const ids = Array.from({ length: 450 }, (_, n) => handle(n + 1));
    for (const id of ids) cut(id);
    const described = await server.storageSnapshots.describe(PRIMARY, ids);
    expect(described.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(SNAPSHOT_IDS_PER_DESCRIBE).toBe(200);
    expect(server.ec2.requests).toEqual(
      Array.from({ length: 3 }, () => ({ region: PRIMARY, account: ACCOUNT, action: 'DescribeSnapshots' })),
    );
  });

  test('reads every page when EC2 answers fewer than asked for', async () => {
    const ids = Array.from({ length: 5 }, (_, n) => handle(n + 1));
    for (const id of ids) cut(id);
    server.ec2.limitPages(2);
    expect((await server.storageSnapshots.describe(PRIMARY, ids)).map((s) => s.id)).toEqual(ids);
    expect(server.ec2.requests).toHaveLength(3);
  });

  test('no ids ask nothing', async () => {
    expect(await server.storageSnapshots.describe(PRIMARY, [])).toEqual([]);
    expect(server.ec2.requests).toEqual([]);
  });

  test('a throttled answer is a TransientError that keeps the SDK failure as cause', async () => {
    cut(handle(1));
    server.ec2.throttle(1);
    const failure = await server.storageSnapshots.describe(PRIMARY, [handle(1)]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ message: expect.stringContaining('RequestLimitExceeded') as unknown });
    expect((failure as Error).cause).toMatchObject({ name: 'RequestLimitExceeded' });
    expect(await server.storageSnapshots.describe(PRIMARY, [handle(1)])).toHaveLength(1);
  });

  test('a lost Region has no snapshots any more', async () => {
    cut(handle(1));
    regions.lose(PRIMARY);
    expect(await server.storageSnapshots.describe(PRIMARY, [handle(1)])).toEqual([]);
  });
});

describe('listing storage snapshots by their tags', () => {
  const ours = { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler', 'cnpg-snapshot-scheduler/target': 'hendrix' };
  const tagged = (id: string, tags: Record<string, string>, region = DR) => {
    cut(id, region);
    regions.region(region).details.set(id, { ...regions.region(region).details.get(id)!, tags });
  };

  test("answers the Region's snapshots carrying every tag asked, and no other", async () => {
    tagged(handle(1), { ...ours, extra: 'x' });
    tagged(handle(2), { ...ours, 'cnpg-snapshot-scheduler/target': 'jimi' });
    tagged(handle(3), { 'cnpg-snapshot-scheduler/target': 'hendrix' });
    tagged(handle(4), ours, PRIMARY);
    cut(handle(5), DR);
    const listed = await server.storageSnapshots.listTagged(DR, ours);
    expect(listed.map((s) => s.id)).toEqual([handle(1)]);
    expect(listed[0]!.tags).toEqual({ ...ours, extra: 'x' });
  });

  test('reads every page', async () => {
    const ids = Array.from({ length: 5 }, (_, n) => handle(n + 1));
    for (const id of ids) tagged(id, ours);
    server.ec2.limitPages(2);
    expect((await server.storageSnapshots.listTagged(DR, ours)).map((s) => s.id)).toEqual(ids);
    expect(server.ec2.requests).toHaveLength(3);
  });
});

describe('copying a storage snapshot to another Region', () => {
  const request = {
    region: DR,
    sourceRegion: PRIMARY,
    sourceSnapshotId: handle(1),
    kmsKeyId: DR_KEY,
    description: 'hendrix-20261201100000 PG_DATA',
    tags: { 'cnpg-snapshot-scheduler/target': 'hendrix' },
  };

  test('makes a pending copy in the destination with the source size and data, its own key and tags', async () => {
    cut(handle(1));
    const data = Promise.resolve(new Blob(['PGDATA']));
    regions.region(PRIMARY).images.set(handle(1), data);
    const id = await server.storageSnapshots.copy(request);
    expect(regions.region(DR).images.get(id)).toBe(data);
    expect(regions.region(DR).sizes.get(id)).toBe(50 * GIB);
    expect(await server.storageSnapshots.describe(DR, [id])).toEqual([
      {
        id,
        region: DR,
        state: 'pending',
        progress: '0%',
        encrypted: true,
        kmsKeyId: DR_KEY,
        volumeSizeGiB: 50,
        startTime: '2026-12-01T10:00:00.000Z',
        tags: request.tags,
      },
    ]);
    expect(server.ec2.requests[0]).toEqual({ region: DR, account: ACCOUNT, action: 'CopySnapshot' });
  });

  test('the copy completes after its duration on the virtual clock', async () => {
    cut(handle(1));
    const id = await server.storageSnapshots.copy(request);
    clock.advance(COPY_MS / 2);
    expect(await server.storageSnapshots.describe(DR, [id])).toEqual([expect.objectContaining({ state: 'pending', progress: '50%' })]);
    clock.advance(COPY_MS / 2);
    expect(await server.storageSnapshots.describe(DR, [id])).toEqual([expect.objectContaining({ state: 'completed', progress: '100%' })]);
  });

  test('a source that does not exist is an AwsApiError naming the code, and makes no copy', async () => {
    const failure = await server.storageSnapshots.copy(request).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AwsApiError);
    expect(failure).toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    expect(regions.region(DR).handles()).toEqual([]);
  });
});

describe('deleting a storage snapshot', () => {
  test('deletes it with its data; one that is gone is absent', async () => {
    cut(handle(1));
    regions.region(PRIMARY).images.set(handle(1), Promise.resolve(undefined));
    expect(await server.storageSnapshots.delete(PRIMARY, handle(1))).toBe('deleted');
    expect(regions.region(PRIMARY).has(handle(1))).toBe(false);
    expect(regions.region(PRIMARY).images.has(handle(1))).toBe(false);
    expect(await server.storageSnapshots.delete(PRIMARY, handle(1))).toBe('absent');
  });
});

describe('the EC2 stand-in', () => {
  test('answers InvalidSnapshot.NotFound for a SnapshotIds id that does not exist, as EC2 does', async () => {
    cut(handle(1));
    const failure = await server
      .clientOf(PRIMARY)
      .send(new DescribeSnapshotsCommand({ SnapshotIds: [handle(1), handle(2)] }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'InvalidSnapshot.NotFound', message: `The snapshot '${handle(2)}' does not exist.` });
  });

  test('refuses more than 200 values in a filter', async () => {
    const values = Array.from({ length: 201 }, (_, n) => handle(n));
    const failure = await server
      .clientOf(PRIMARY)
      .send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'snapshot-id', Values: values }] }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'FilterLimitExceeded' });
  });

  test('refuses an action it does not model, naming it', async () => {
    const failure = await server
      .clientOf(PRIMARY)
      .send(new CreateSnapshotCommand({ VolumeId: 'vol-1' }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'UnsupportedOperation', message: 'The stand-in does not serve the action CreateSnapshot' });
  });

  test('refuses a filter it does not model, naming it', async () => {
    const failure = await server
      .clientOf(PRIMARY)
      .send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: ['vol-1'] }] }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'UnsupportedOperation', message: 'The stand-in does not model the filter volume-id' });
  });
});
